"""The action plan of a round as KS sees it, where its municipality shares the plan: what each
measure is, its due date, status and note, and the statements it should move; never who on
the staff owns it (a named colleague is shown as "en ansatt i kommunen").

The plan is read live, not stored at share time: KS follows the plan as the municipality keeps
it, and a withdrawn share (or one without the plan) shows nothing of it.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.authz import Action, Actor, Decision, can_on_round
from app.clock import oslo_today
from app.i18n import _, current_locale
from app.plan.models import Measure, MeasureStatement
from app.plan.service import status_name
from app.review.models import RoundShare
from app.review.sharing import sharing_of
from app.review.signals import is_overdue
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
    measures = session.exec(
        select(Measure).where(Measure.round_id == rnd.id).order_by(col(Measure.id))
    ).all()
    links: dict[int, list[str]] = {}
    query = select(MeasureStatement).where(
        col(MeasureStatement.measure_id).in_([m.id for m in measures])
    )
    for link in session.exec(query):
        links.setdefault(link.measure_id, []).append(link.statement_id)
    loc = current_locale()
    texts = {s.id: s.text[loc] for a in guidance_of(session, rnd).areas for s in a.statements}
    order = {sid: i for i, sid in enumerate(texts)}
    today = oslo_today()
    colleague = _("En ansatt i kommunen")
    return tuple(
        SharedMeasure(
            title=m.title,
            owner=colleague if m.owner_user_id is not None else m.owner_text,
            due=m.due,
            status=m.status,
            status_name=status_name(m.status),
            note=m.note,
            statements=tuple(
                texts.get(sid, sid)
                for sid in sorted(links.get(m.id or 0, []), key=lambda s: order.get(s, len(order)))
            ),
            overdue=is_overdue(m.due, m.status, today),
        )
        for m in measures
    )
