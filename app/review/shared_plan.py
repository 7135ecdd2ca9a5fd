"""The action plan of a round as KS sees it, where its municipality shares the plan: what each
measure is, its due date, status and note, and the statements it should move; never who on
the staff owns it (a named colleague is shown as "en ansatt i kommunen").

The plan is read live, not stored at share time: KS follows the plan as the municipality keeps
it, and a withdrawn share (or one without the plan) shows nothing of it.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.authz import Action, Actor, Decision, can_on_round
from app.i18n import _
from app.plan.service import measures_of
from app.review.models import RoundShare
from app.review.sharing import sharing_of
from app.rounds.models import Round
from app.rounds.service import guidance_of


@dataclass(frozen=True)
class SharedMeasure:
    title: str
    owner: str  # free text as the municipality wrote it, a neutral word for a user, or ""
    due: date | None
    status: str  # MeasureStatus value
    status_name: str
    note: str
    statements: tuple[str, ...]  # texts in the current locale
    overdue: bool


def shared_plan(
    session: Session, actor: Actor, rnd: Round, share: RoundShare
) -> tuple[SharedMeasure, ...] | None:
    """The round's measures for KS, or None where the share does not include the plan."""
    sharing = sharing_of(share if share.active_round_id == rnd.id else None)
    if can_on_round(actor, Action.VIEW_PLAN, rnd.municipality_id, sharing) is not Decision.ALLOW:
        return None
    assert rnd.id is not None
    colleague = _("En ansatt i kommunen")
    return tuple(
        SharedMeasure(
            title=view.measure.title,
            owner=colleague if view.measure.owner_user_id is not None else view.measure.owner_text,
            due=view.measure.due,
            status=view.measure.status,
            status_name=view.status,
            note=view.measure.note,
            statements=tuple(view.statement_texts),
            overdue=view.overdue,
        )
        for view in measures_of(session, rnd.id, guidance_of(session, rnd), owners=False)
    )
