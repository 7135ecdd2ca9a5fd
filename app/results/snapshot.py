"""Take a round's snapshot when it closes, and read it with the minimum applied per figure.

The minimum counts respondents other than the reader: a manager who answered knows their own
answer, so it never counts towards what they may see. What others read too (the council
report, the exports, the meeting on the wall, all KS sees) may be read by any of those who
answered, so there one answer never counts, whoever gave it (`ANYONE`): a figure needs the
minimum and one more behind it. That holds without asking who answered what, so whether a
figure is shown there says nothing about the manager's own answers. The check is part of the
query that reads the figures (a CASE per figure), so nothing can change between checking and
reading.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Exists, case, exists, select
from sqlmodel import Session, col

from app.content.schema import Guidance
from app.content.service import guidance_for
from app.results.aggregate import Aggregates, aggregate
from app.results.models import (
    RoundSnapshot,
    SnapshotArea,
    SnapshotAreaScore,
    SnapshotComment,
    SnapshotStatement,
)
from app.rounds.models import Answer, AreaComment, Response, Round
from app.rounds.respondents import invited_count
from app.settings import get_settings


class Anyone:
    """The reader of what others read too: any of those who answered."""

    def __repr__(self) -> str:
        return "ANYONE"


ANYONE = Anyone()

# Whose own answer never counts towards the minimum: one user id (the reader, who knows only
# their own answer), or ANYONE: one answer is left out wherever there is one.
Readers = int | Anyone


def shared_minimum(minimum: int) -> int:
    """How many must stand behind a figure read with ANYONE (what others read too): the
    minimum and the one answer left out, so each who answered has the minimum of others."""
    return minimum + 1


def take_snapshot(session: Session, guidance: Guidance, rnd: Round) -> RoundSnapshot:
    """Reduce the round's submitted responses to aggregates; called once, as the round closes."""
    assert rnd.id is not None
    structure = {a.id: [s.id for s in a.statements] for a in guidance.areas}
    responses = _submitted_answers(session, rnd.id)
    figures = aggregate(structure, responses)
    invited = invited_count(session, rnd)
    snapshot = RoundSnapshot(round_id=rnd.id, respondents=figures.respondents, invited=invited)
    session.add(snapshot)
    for position, st in enumerate(figures.statements):
        session.add(
            SnapshotStatement(
                round_id=rnd.id,
                statement_id=st.statement_id,
                area_id=st.area_id,
                position=position,
                answered=st.answered,
                level_1=st.levels[0],
                level_2=st.levels[1],
                level_3=st.levels[2],
                level_4=st.levels[3],
                dont_know=st.dont_know,
                score_sum=st.score_sum,
                spread=st.spread,
            )
        )
    for area in figures.areas:
        session.add(
            SnapshotArea(
                round_id=rnd.id,
                area_id=area.area_id,
                respondents=area.respondents,
                spread=area.spread,
            )
        )
    _add_area_scores(session, rnd, figures, plain_minimum(guidance))
    for area_id, texts in _submitted_comments(session, rnd.id).items():
        # Sorted by text: an order that says nothing about who wrote what or when.
        for position, text in enumerate(sorted(texts)):
            session.add(
                SnapshotComment(round_id=rnd.id, area_id=area_id, position=position, text=text)
            )
    session.flush()
    return snapshot


def plain_minimum(guidance: Guidance) -> int:
    """The minimum number of respondents behind a figure: the content's, or a setting's if
    that is higher. A setting never lowers it: at 1 a manager would read single answers."""
    configured = get_settings().min_respondents or 0
    return max(configured, guidance.meta.min_respondents)


def area_scores(figures: Aggregates, minimum: int) -> dict[str, tuple[float | None, int]]:
    """Per area, (score, statements scored) from the statements at least `minimum` gave a
    level to: what any reader who is not a respondent (peers, KS) may see."""
    statements = ((st.area_id, sum(st.levels), st.score_sum) for st in figures.statements)
    return _area_scores([a.area_id for a in figures.areas], statements, minimum)


def _area_scores(
    area_ids: Iterable[str], statements: Iterable[tuple[str, int, float]], minimum: int
) -> dict[str, tuple[float | None, int]]:
    """`area_scores` from (area id, how many gave a level, score sum) per statement, in the
    questionnaire's order (so a score computed again is the very same float)."""
    totals: dict[str, tuple[float, int, int]] = dict.fromkeys(area_ids, (0.0, 0, 0))
    for area_id, with_level, statement_sum in statements:
        if with_level >= minimum and area_id in totals:
            score_sum, count, scored = totals[area_id]
            totals[area_id] = (score_sum + statement_sum, count + with_level, scored + 1)
    return {
        area_id: (score_sum / count if count else None, scored)
        for area_id, (score_sum, count, scored) in totals.items()
    }


def refresh_area_scores(session: Session) -> int:
    """Compute every closed round's area scores for the peer medians (`SnapshotAreaScore`)
    again from its snapshot, under the plain minimum as it is now; returns how many changed.
    Stored at close, they would otherwise keep the minimum of that day: an operator who
    raises `MIN_RESPONDENTS` would still see statements fewer stood behind in the medians.
    Only a changed row is written; the caller commits."""
    versions = dict(
        session.execute(
            select(col(Round.id), col(Round.content_version_id)).join(
                RoundSnapshot, col(RoundSnapshot.round_id) == col(Round.id)
            )
        ).all()
    )
    minimum_of: dict[int, int] = {}
    for version_id in set(versions.values()):
        minimum_of[version_id] = plain_minimum(guidance_for(session, version_id))
    s = SnapshotStatement
    rows = session.execute(
        select(col(s.round_id), col(s.area_id), _with_level(s), col(s.score_sum)).order_by(
            col(s.round_id), col(s.position)
        )
    )
    statements: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
    for round_id, area_id, with_level, score_sum in rows:
        statements[round_id].append((area_id, with_level, score_sum))
    stored: dict[int, list[SnapshotAreaScore]] = defaultdict(list)
    for row in session.scalars(select(SnapshotAreaScore)):
        stored[row.round_id].append(row)
    changed = 0
    for round_id, rows_of_round in stored.items():
        if round_id not in versions:
            continue
        minimum = minimum_of[versions[round_id]]
        scores = _area_scores(
            [r.area_id for r in rows_of_round], statements.get(round_id, []), minimum
        )
        for row in rows_of_round:
            score, scored = scores[row.area_id]
            if (row.score, row.scored) != (score, scored):
                row.score, row.scored = score, scored
                session.add(row)
                changed += 1
    session.flush()
    return changed


def _add_area_scores(session: Session, rnd: Round, figures: Aggregates, minimum: int) -> None:
    assert rnd.id is not None
    assert rnd.closed_at is not None
    for area_id, (score, scored) in area_scores(figures, minimum).items():
        session.add(
            SnapshotAreaScore(
                round_id=rnd.id,
                area_id=area_id,
                municipality_id=rnd.municipality_id,
                closed_at=rnd.closed_at,
                score=score,
                scored=scored,
            )
        )


def _submitted_answers(session: Session, round_id: int) -> list[dict[str, int]]:
    query = (
        select(col(Answer.response_id), col(Answer.statement_id), col(Answer.level))
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(col(Response.round_id) == round_id, col(Response.submitted_at).is_not(None))
    )
    grouped: dict[int, dict[str, int]] = defaultdict(dict)
    for response_id, statement_id, level in session.execute(query):
        grouped[response_id][statement_id] = level
    return list(grouped.values())


def _submitted_comments(session: Session, round_id: int) -> dict[str, list[str]]:
    query = (
        select(col(AreaComment.area_id), col(AreaComment.text))
        .join(Response, col(Response.id) == col(AreaComment.response_id))
        .where(col(Response.round_id) == round_id, col(Response.submitted_at).is_not(None))
        .where(col(AreaComment.text) != "")
    )
    out: dict[str, list[str]] = defaultdict(list)
    for area_id, text in session.execute(query):
        out[area_id].append(text)
    return out


@dataclass(frozen=True)
class StatementFigures:
    """One statement's figures as a reader may see them; None where the minimum is not met."""

    statement_id: str
    area_id: str
    answered: int | None  # respondents who answered, "Vet ikke" included
    dont_know: int | None
    levels: tuple[int, int, int, int] | None  # how many chose level 1–4
    score_sum: float | None
    spread: float | None

    @property
    def with_level(self) -> int | None:
        return sum(self.levels) if self.levels is not None else None


@dataclass(frozen=True)
class AreaFigures:
    area_id: str
    respondents: int | None
    spread: float | None


@dataclass(frozen=True)
class SnapshotView:
    respondents: int  # submitted responses behind the snapshot
    invited: int
    others: int  # respondents other than the reader
    statements: tuple[StatementFigures, ...]
    areas: dict[str, AreaFigures]
    comments: dict[str, list[str]]


def read_snapshot(
    session: Session, round_id: int, readers: Readers, minimum: int
) -> SnapshotView | None:
    """The snapshot as this reader may see it, or None if the round has none (still open)."""
    return read_snapshots(session, [round_id], readers, minimum).get(round_id)


def read_snapshots(
    session: Session, round_ids: list[int], readers: Readers, minimum: int
) -> dict[int, SnapshotView]:
    """Several rounds' snapshots as this reader may see them, in one query per table (the
    development page reads every closed round); rounds without a snapshot are left out. The
    reader's own response is looked up per round, inside each query, as for one round."""
    if not round_ids:
        return {}
    snap = RoundSnapshot
    headers = session.execute(
        select(
            col(snap.round_id),
            col(snap.respondents),
            col(snap.invited),
            _counted(readers, col(snap.respondents), _own_response_in(col(snap.round_id))),
        ).where(col(snap.round_id).in_(round_ids))
    ).all()
    found = [row[0] for row in headers]
    statements = _statements(session, found, readers, minimum)
    areas = _areas(session, found, readers, minimum)
    comments = _comments(session, found, readers, minimum)
    return {
        round_id: SnapshotView(
            respondents=respondents,
            invited=invited,
            others=respondents - reader_counted,
            statements=tuple(statements.get(round_id, ())),
            areas=areas.get(round_id, {}),
            comments=comments.get(round_id, {}),
        )
        for round_id, respondents, invited, reader_counted in headers
    }


Own = Callable[[int], Exists]  # given a reader's id: does their own answer count here?


def _counted(readers: Readers, count: Any, own: Own) -> Any:
    """1 where the reader's own answer is among `count`, else 0. For one reader, whether
    their own submitted response holds it (`own`, an EXISTS correlated with the row read);
    for ANYONE, wherever there is one, read from the snapshot alone, so it never depends on
    the raw answers (or on who gave them)."""
    if isinstance(readers, Anyone):
        return case((count > 0, 1), else_=0)
    return case((own(readers), 1), else_=0)


def _own_response_in(round_id: Any) -> Own:
    """A reader's submitted response in the round `round_id` (a column, so it correlates
    with the row being read)."""
    return lambda reader_id: exists().where(
        col(Response.round_id) == round_id,
        col(Response.user_id) == reader_id,
        col(Response.submitted_at).is_not(None),
    )


def _own_answer_to(round_id: Any, statement: Any, level_only: bool, *where: Any) -> Own:
    """Did a reader's own submitted response in that round answer this statement (with a
    level; and `where`)? One EXISTS over answer and response, correlated with the row read."""

    def gave(reader_id: int) -> Exists:
        query = exists().where(
            col(Answer.response_id) == col(Response.id),
            col(Response.round_id) == round_id,
            col(Response.user_id) == reader_id,
            col(Response.submitted_at).is_not(None),
            col(Answer.statement_id) == statement,
            *where,
        )
        return query.where(col(Answer.level) > 0) if level_only else query

    return gave


def _with_level(s: type[SnapshotStatement]) -> Any:
    """How many gave the statement a level (1–4), not «Vet ikke»."""
    return col(s.level_1) + col(s.level_2) + col(s.level_3) + col(s.level_4)


def _statements(
    session: Session, round_ids: list[int], readers: Readers, minimum: int
) -> dict[int, list[StatementFigures]]:
    s = SnapshotStatement
    with_level = _with_level(s)
    gave_level = _counted(readers, with_level, _own_answer_to(s.round_id, s.statement_id, True))
    gave_any = _counted(readers, col(s.answered), _own_answer_to(s.round_id, s.statement_id, False))
    level_ok = with_level - gave_level >= minimum
    any_ok = col(s.answered) - gave_any >= minimum
    query = (
        select(
            col(s.round_id),
            col(s.statement_id),
            col(s.area_id),
            case((any_ok, col(s.answered))),
            case((any_ok, col(s.dont_know))),
            case((level_ok, col(s.level_1))),
            case((level_ok, col(s.level_2))),
            case((level_ok, col(s.level_3))),
            case((level_ok, col(s.level_4))),
            case((level_ok, col(s.score_sum))),
            case((level_ok, col(s.spread))),
        )
        .where(col(s.round_id).in_(round_ids))
        .order_by(col(s.round_id), col(s.position))
    )
    out: dict[int, list[StatementFigures]] = defaultdict(list)
    for row in session.execute(query):
        out[row[0]].append(
            StatementFigures(
                statement_id=row[1],
                area_id=row[2],
                answered=row[3],
                dont_know=row[4],
                levels=None if row[5] is None else (row[5], row[6], row[7], row[8]),
                score_sum=row[9],
                spread=row[10],
            )
        )
    return out


def _areas(
    session: Session, round_ids: list[int], readers: Readers, minimum: int
) -> dict[int, dict[str, AreaFigures]]:
    a, s = SnapshotArea, SnapshotStatement
    in_area = (col(s.round_id) == col(a.round_id), col(s.area_id) == col(a.area_id))
    in_this_area = _own_answer_to(a.round_id, s.statement_id, True, *in_area)
    ok = col(a.respondents) - _counted(readers, col(a.respondents), in_this_area) >= minimum
    # The spread is made from each person's own mean over all the area's statements: with one
    # statement's levels hidden, it would give that statement away (with its "Vet ikke" share
    # it can tell the one level given). It is shown only where no statement of the area with
    # a level is hidden from this reader.
    with_level = _with_level(s)
    gave_level = _counted(readers, with_level, _own_answer_to(s.round_id, s.statement_id, True))
    hidden = exists().where(*in_area, with_level > 0, with_level - gave_level < minimum)
    query = select(
        col(a.round_id),
        col(a.area_id),
        case((ok, col(a.respondents))),
        case((ok & ~hidden, col(a.spread))),
    ).where(col(a.round_id).in_(round_ids))
    out: dict[int, dict[str, AreaFigures]] = defaultdict(dict)
    for round_id, area_id, respondents, spread in session.execute(query):
        out[round_id][area_id] = AreaFigures(area_id, respondents, spread)
    return out


def _comments(
    session: Session, round_ids: list[int], readers: Readers, minimum: int
) -> dict[int, dict[str, list[str]]]:
    c, snap = SnapshotComment, RoundSnapshot
    own = _own_response_in(col(snap.round_id))
    others = col(snap.respondents) - _counted(readers, col(snap.respondents), own)
    query = (
        select(col(c.round_id), col(c.area_id), col(c.text))
        .join(snap, col(snap.round_id) == col(c.round_id))
        .where(col(c.round_id).in_(round_ids), others >= minimum)
        .order_by(col(c.round_id), col(c.area_id), col(c.position))
    )
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for round_id, area_id, text in session.execute(query):
        out[round_id][area_id].append(text)
    return {k: dict(v) for k, v in out.items()}
