"""The action plan's measures (app/plan/) and the team's agreed readings (app/meeting/), as
the development page, the report and the exports need them: read through the same permission
rule as the plan itself (everyone in the municipality reads it)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.authz import Action, Actor, require
from app.clock import oslo_date, oslo_today
from app.i18n import _
from app.meeting.models import AgreedReading
from app.plan.models import Measure as PlanMeasure
from app.plan.models import MeasureStatement, MeasureStatus, is_overdue
from app.plan.service import status_name
from app.results.models import SnapshotStatement
from app.rounds.models import Round


@dataclass(frozen=True)
class Measure:
    """One measure of an action plan, as shown on the time line and in the report."""

    round_id: int  # the round whose results the measure answers
    title: str
    area_id: str | None
    owner: str
    due: date | None
    status: str  # as the plan names it (planned, underway, done …)
    done_on: date | None  # where it is marked on the time line
    follow_up: str = ""  # how it went, written at the next round
    overdue: bool = False  # its due date has passed while it is still to be done (today)


def measures_for(
    session: Session, actor: Actor, round_ids: list[int], named: bool = True
) -> list[Measure]:
    """The measures of the action plans made after these rounds, oldest round first.

    `named=False` for what leaves the municipality (the council report, a public document):
    a colleague who owns a measure is «En ansatt i kommunen», not their e-mail address."""
    require(actor, Action.VIEW_PLAN, actor.municipality_id)
    if not round_ids:
        return []
    query = (
        select(PlanMeasure, User.email)
        .join(Round, col(Round.id) == col(PlanMeasure.round_id))
        .outerjoin(User, col(User.id) == col(PlanMeasure.owner_user_id))
        .where(
            col(PlanMeasure.round_id).in_(round_ids),
            col(Round.municipality_id) == actor.municipality_id,
        )
        .order_by(col(PlanMeasure.round_id), col(PlanMeasure.id))
    )
    areas = _statement_areas(session, round_ids)
    today = oslo_today()
    out = []
    for measure, owner_email in session.exec(query):
        assert measure.id is not None
        linked = session.exec(
            select(MeasureStatement.statement_id).where(MeasureStatement.measure_id == measure.id)
        ).all()
        area_ids = {areas.get((measure.round_id, sid)) for sid in linked} - {None}
        done = measure.status == MeasureStatus.DONE
        out.append(
            Measure(
                round_id=measure.round_id,
                title=measure.title,
                area_id=area_ids.pop() if len(area_ids) == 1 else None,
                owner=_owner(owner_email, measure.owner_text, named),
                due=measure.due,
                status=status_name(measure.status),
                done_on=oslo_date(measure.updated_at) if done else None,
                follow_up=measure.note,
                overdue=is_overdue(measure.due, measure.status, today),
            )
        )
    return out


def _statement_areas(session: Session, round_ids: list[int]) -> dict[tuple[int, str], str]:
    """Which area each statement of these rounds belongs to (from their stored snapshots)."""
    query = select(
        SnapshotStatement.round_id, SnapshotStatement.statement_id, SnapshotStatement.area_id
    ).where(col(SnapshotStatement.round_id).in_(round_ids))
    return {(r, s): a for r, s, a in session.exec(query)}


@dataclass(frozen=True)
class Reading:
    """The team's agreed reading of an area's results, kept beside the raw figures."""

    area_id: str | None
    text: str


def readings_for(session: Session, actor: Actor, round_id: int) -> list[Reading]:
    """The agreed readings recorded for a round, one per area that has one."""
    require(actor, Action.VIEW_PLAN, actor.municipality_id)
    query = (
        select(AgreedReading)
        .join(Round, col(Round.id) == col(AgreedReading.round_id))
        .where(
            col(AgreedReading.round_id) == round_id,
            col(Round.municipality_id) == actor.municipality_id,
        )
        .order_by(col(AgreedReading.area_id))
    )
    return [
        Reading(
            area_id=r.area_id,
            text=(_("Felles nivå %(n)s. ") % {"n": r.level} if r.level else "") + r.note,
        )
        for r in session.exec(query)
        if r.level or r.note.strip()  # an area saved empty has no reading
    ]


def _owner(email: str | None, text: str, named: bool) -> str:
    if email:
        return email if named else _("En ansatt i kommunen")
    return text or _("Ikke valgt")
