"""Peer figures: per area, the national median and the median of the same size class, from
each other municipality's latest closed round in the last 24 months.

The reader's own municipality is left out. Its stored area scores follow the plain minimum,
while its own leader, who may have answered, sees fewer statements: a median that happened to
be its own score would show that leader a figure hidden from them. (It also makes «Dere 48,
median 48» mean something.)

A median is shown only where at least PEER_MINIMUM municipalities stand behind it, and that
rule is part of the query: the scores of a smaller group never leave the database. Only the
median and the count are returned, never which municipalities or their own scores.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlmodel import Session, col

from app.accounts.models import Municipality
from app.clock import oslo_date
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
    national: dict[str, list[float]] = {}
    own_class: dict[str, list[float]] = {}
    for area_id, score, national_ok, class_ok in session.execute(
        _query(cutoff, municipality.size_class, municipality.id or 0)
    ):
        if national_ok:
            national.setdefault(area_id, []).append(float(score))
        if class_ok:
            own_class.setdefault(area_id, []).append(float(score))
    areas = {
        area_id: PeerArea(
            area_id, _figure(national.get(area_id, [])), _figure(own_class.get(area_id, []))
        )
        for area_id in national.keys() | own_class.keys()
    }
    return Peers(municipality.size_class, oslo_date(cutoff), oslo_date(now), areas)


def _figure(scores: list[float]) -> PeerFigure:
    if len(scores) < PEER_MINIMUM:  # never true for what the query returns; kept as a guard
        return HIDDEN
    return PeerFigure(median(scores), len(scores))


def _query(cutoff: datetime, size_class: str, own: int) -> Select[Any]:
    """Area scores of each other municipality's (not `own`) latest closed round since
    `cutoff`, each with whether it may count towards the national median and towards the
    median of `size_class`: only where at least PEER_MINIMUM municipalities have a score for
    that area (and class).
    A score that may count towards neither never leaves the database."""
    s, m = SnapshotAreaScore, Municipality
    rank = func.dense_rank().over(
        partition_by=col(s.municipality_id),
        order_by=(col(s.closed_at).desc(), col(s.round_id).desc()),
    )
    ranked = (
        select(col(s.area_id), col(s.score), col(m.size_class), rank.label("rank"))
        .join(m, col(m.id) == col(s.municipality_id))
        .where(col(s.closed_at) >= cutoff, col(m.active).is_(True), col(m.id) != own)
        .subquery()
    )
    latest = (
        select(
            ranked.c.area_id,
            ranked.c.score,
            ranked.c.size_class,
            func.count().over(partition_by=ranked.c.area_id).label("national"),
            func.count()
            .over(partition_by=(ranked.c.area_id, ranked.c.size_class))
            .label("in_class"),
        )
        .where(ranked.c.rank == 1, ranked.c.score.is_not(None))
        .subquery()
    )
    national_ok = latest.c.national >= PEER_MINIMUM
    class_ok = and_(latest.c.size_class == size_class, latest.c.in_class >= PEER_MINIMUM)
    return select(latest.c.area_id, latest.c.score, national_ok, class_ok).where(
        or_(national_ok, class_ok)
    )
