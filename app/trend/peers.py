"""Peer figures: per area, the national median and the median of the same size class, from
each municipality's latest closed round in the last 24 months.

A median is shown only where at least PEER_MINIMUM municipalities stand behind it, and that
rule is part of the query: the scores of a smaller group never leave the database. Only the
median and the count are returned, never which municipalities or their own scores.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.accounts.models import Municipality
from app.results.models import SnapshotAreaScore

PEER_MINIMUM = 5
WINDOW = timedelta(days=730)  # 24 months


@dataclass(frozen=True)
class PeerFigure:
    median: float | None  # None: fewer than PEER_MINIMUM municipalities behind it
    municipalities: int  # how many stand behind the median (0 when it is hidden)


@dataclass(frozen=True)
class PeerArea:
    area_id: str
    national: PeerFigure
    size_class: PeerFigure


@dataclass(frozen=True)
class Peers:
    size_class: str
    since: date  # rounds closed from this day …
    until: date  # … up to and including this one
    areas: dict[str, PeerArea]


HIDDEN = PeerFigure(None, 0)


def peer_medians(
    session: Session, municipality: Municipality, now: datetime | None = None
) -> Peers:
    """The peer medians per area beside which a municipality's own scores are shown."""
    now = now or datetime.now(UTC)
    cutoff = now - WINDOW
    national = _scores(session, _latest(cutoff, None))
    own_class = _scores(session, _latest(cutoff, municipality.size_class))
    areas = {
        area_id: PeerArea(
            area_id,
            _figure(national.get(area_id, [])),
            _figure(own_class.get(area_id, [])),
        )
        for area_id in national.keys() | own_class.keys()
    }
    return Peers(municipality.size_class, cutoff.date(), now.date(), areas)


def _figure(scores: list[float]) -> PeerFigure:
    if len(scores) < PEER_MINIMUM:  # never true for what the query returns; kept as a guard
        return HIDDEN
    return PeerFigure(median(scores), len(scores))


def _latest(cutoff: datetime, size_class: str | None) -> Select[Any]:
    """Area scores of each municipality's latest closed round since `cutoff`, only for the
    areas at least PEER_MINIMUM municipalities have a score for."""
    s, m = SnapshotAreaScore, Municipality
    rank = (
        func.dense_rank()
        .over(
            partition_by=col(s.municipality_id),
            order_by=(col(s.closed_at).desc(), col(s.round_id).desc()),
        )
        .label("rank")
    )
    ranked = (
        select(col(s.area_id), col(s.score), rank)
        .join(m, col(m.id) == col(s.municipality_id))
        .where(col(s.closed_at) >= cutoff, col(m.active).is_(True))
    )
    if size_class is not None:
        ranked = ranked.where(col(m.size_class) == size_class)
    latest = ranked.subquery()
    behind = func.count().over(partition_by=latest.c.area_id).label("behind")
    counted = (
        select(latest.c.area_id, latest.c.score, behind)
        .where(latest.c.rank == 1, latest.c.score.is_not(None))
        .subquery()
    )
    return select(counted.c.area_id, counted.c.score).where(counted.c.behind >= PEER_MINIMUM)


def _scores(session: Session, query: Select[Any]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for area_id, score in session.execute(query):
        out.setdefault(area_id, []).append(float(score))
    return out
