"""Follow-up ("Hvordan gikk det?"): each measure of the previous closed round with its status
and the change on exactly its statements, where both snapshots allow the figure for this
reader. Every figure comes from team_results, so the minimum holds on both sides."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.authz import Action, Actor, require
from app.plan.service import MeasureView, measures_of
from app.results.service import ResultsPage, team_results
from app.rounds.models import Round, RoundStatus
from app.rounds.service import guidance_of


@dataclass(frozen=True)
class StatementChange:
    text: str
    before: float | None  # None where either round hides the figure from this reader
    now: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before


@dataclass(frozen=True)
class MeasureFollowUp:
    view: MeasureView
    changes: tuple[StatementChange, ...]


@dataclass(frozen=True)
class FollowUp:
    previous: Round
    measures: tuple[MeasureFollowUp, ...]


def previous_round(session: Session, rnd: Round) -> Round | None:
    """The municipality's closed round that closed last before this one."""
    if rnd.closed_at is None:
        return None
    query = (
        select(Round)
        .where(
            Round.municipality_id == rnd.municipality_id,
            Round.status == RoundStatus.CLOSED,
            col(Round.closed_at) < rnd.closed_at,
            Round.id != rnd.id,
        )
        .order_by(col(Round.closed_at).desc(), col(Round.id).desc())
    )
    return session.exec(query).first()


def follow_up(session: Session, actor: Actor, page: ResultsPage) -> FollowUp | None:
    """How the previous round's measures went, for the results page of a closed round."""
    rnd = page.round
    require(actor, Action.VIEW_RESULTS, rnd.municipality_id)
    previous = previous_round(session, rnd)
    if previous is None or previous.id is None:
        return None
    views = measures_of(session, previous.id, guidance_of(session, previous))
    before = _scores(team_results(session, actor, previous))
    now = _scores(page)
    items = []
    for view in views:
        changes = []
        for sid, text in view.statements:
            b, n = before.get(sid), now.get(sid)
            both = b is not None and n is not None
            changes.append(StatementChange(text, b if both else None, n if both else None))
        items.append(MeasureFollowUp(view, tuple(changes)))
    return FollowUp(previous, tuple(items))


def _scores(page: ResultsPage) -> dict[str, float | None]:
    if not page.visible:
        return {}
    return {st.id: f.score for row in page.rows for st, f in row.statements}
