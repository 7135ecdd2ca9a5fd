"""KS's national overview: municipalities × areas from each municipality's latest shared
round, attention signals with their rules, and medians per county and size class.

Everything is read from the area figures stored when a round was shared (SharedArea), in one
query, so the page never re-aggregates snapshots or answers per municipality.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from app.accounts.models import Municipality, SizeClass
from app.authz import Action, Actor, require_across
from app.content.schema import Area
from app.content.service import current_guidance
from app.i18n import _
from app.review.models import RoundShare, SharedArea
from app.review.signals import (
    HIGH_DONT_KNOW,
    HIGH_SPREAD,
    LOW_CORE_SCORE,
    PERIOD_DAYS,
    STALE_DAYS,
    Cell,
    Kind,
    Signal,
    group_median,
    signals_for,
)
from app.rounds.models import Round, RoundStatus

SORTS = ("navn", "fylke", "storrelse", "delt")


@dataclass
class Row:
    round_id: int
    number: str
    name: str
    county: str | None
    size_class: str
    round_name: str
    closed_at: datetime
    shared_at: datetime
    respondents: int
    cells: dict[str, Cell] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)


@dataclass(frozen=True)
class Group:
    label: str
    municipalities: int
    medians: dict[str, float | None]  # area id -> median, None where fewer than 5 stand behind


@dataclass(frozen=True)
class Overview:
    areas: tuple[Area, ...]
    rows: list[Row]
    stale: list[Row]  # overdue (no shared round in 18 months) and older than the table
    shared: int  # municipalities with a shared round in the period (whole country)
    closed: int  # municipalities with any closed round in the period (whole country, a count)
    groups: list[Group]
    counties: list[str]

    @property
    def flagged(self) -> list[Row]:
        """Municipalities with signals, the newest share first, then the overdue ones."""
        with_signals = [r for r in self.rows if r.signals]
        newest = sorted(with_signals, key=lambda r: r.shared_at.isoformat(), reverse=True)
        return newest + sorted(self.stale, key=lambda r: r.closed_at.isoformat(), reverse=True)


def overview(
    session: Session,
    actor: Actor,
    county: str | None = None,
    size: SizeClass | None = None,
    sort: str = "navn",
    descending: bool = False,
) -> Overview:
    """The overview as KS may see it: only what municipalities share with KS now."""
    require_across(actor, Action.VIEW_NATIONAL)
    now = datetime.now(UTC)
    areas = current_guidance().areas
    everyone = _rows(session, _latest_shares(since=now - timedelta(days=PERIOD_DAYS)))
    stale = _rows(session, _latest_shares(before=now - timedelta(days=STALE_DAYS)))
    overdue = {r.round_id for r in stale}
    for row in everyone:
        row.signals = signals_for(list(row.cells.values()))
        if row.round_id in overdue:  # one entry per municipality, with all its signals
            row.signals.append(Signal(Kind.STALE, None, None))
    in_table = {r.round_id for r in everyone}
    stale = [r for r in stale if r.round_id not in in_table]
    for row in stale:
        row.signals = [Signal(Kind.STALE, None, None)]
    chosen = [r for r in everyone if _matches(r, county, size)]
    return Overview(
        areas=areas,
        rows=sorted_rows(chosen, sort, descending),
        stale=[r for r in stale if _matches(r, county, size)],
        shared=len(everyone),
        closed=_closed_count(session, now - timedelta(days=PERIOD_DAYS)),
        groups=_groups(everyone, areas),
        counties=sorted({r.county for r in everyone + stale if r.county}),
    )


def _latest_shares(since: datetime | None = None, before: datetime | None = None) -> Any:
    """Each municipality's latest standing share (by when its round closed), as a subquery."""
    s = RoundShare
    rank = func.row_number().over(
        partition_by=col(s.municipality_id),
        order_by=(col(s.round_closed_at).desc(), col(s.id).desc()),
    )
    ranked = select(col(s.id).label("id"), rank.label("rank")).where(
        col(s.active_round_id).is_not(None)
    )
    if since is not None:
        ranked = ranked.where(col(s.round_closed_at) >= since)
    latest = ranked.subquery()
    query = select(latest.c.id).where(latest.c.rank == 1)
    if before is not None:
        query = query.join(s, col(s.id) == latest.c.id).where(col(s.round_closed_at) < before)
    return query


def _rows(session: Session, share_ids: Select[Any]) -> list[Row]:
    """The shares' municipalities, rounds and stored area figures, in one query of plain
    columns (no ORM objects: thousands of rows, read on every view)."""
    s, m, r, a = RoundShare, Municipality, Round, SharedArea
    columns = (
        s.id, s.round_id, m.number, m.name, m.county, m.size_class, r.name, s.round_closed_at,
        s.shared_at, s.respondents, a.area_id, a.core, a.score, a.spread, a.dont_know_share,
    )  # fmt: skip
    query = (
        select(*(col(c) for c in columns))
        .join(m, col(m.id) == col(s.municipality_id))
        .join(r, col(r.id) == col(s.round_id))
        .outerjoin(a, col(a.share_id) == col(s.id))
        .where(col(s.id).in_(share_ids.scalar_subquery()))
    )
    rows: dict[int, Row] = {}
    result: Any = session.connection().execute(query)  # Core: no ORM bookkeeping per row
    for share_id, *head, area_id, core, score, spread, dont_know in result:
        row = rows.get(share_id)
        if row is None:
            row = rows[share_id] = Row(*head)
        if area_id is not None:
            row.cells[area_id] = Cell(area_id, core, score, spread, dont_know)
    return list(rows.values())


def _matches(row: Row, county: str | None, size: SizeClass | None) -> bool:
    return (not county or row.county == county) and (not size or row.size_class == size)


def sorted_rows(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    """Rows by name, county, size, date shared or an area's score; unknown scores last."""
    keys = {
        "navn": lambda r: (0, r.name.lower()),
        "fylke": lambda r: (0, (r.county or "").lower(), r.name.lower()),
        "storrelse": lambda r: (0, list(SizeClass).index(SizeClass(r.size_class)), r.name),
        "delt": lambda r: (0, r.shared_at.isoformat()),
    }
    key = keys.get(sort)
    if key is None:
        known = [r for r in rows if _score(r, sort) is not None]
        unknown = [r for r in rows if _score(r, sort) is None]
        known.sort(key=lambda r: _score(r, sort) or 0.0, reverse=descending)
        return known + sorted(unknown, key=lambda r: r.name.lower())
    return sorted(rows, key=key, reverse=descending)


def _score(row: Row, area_id: str) -> float | None:
    cell = row.cells.get(area_id)
    return cell.score if cell else None


def _closed_count(session: Session, since: datetime) -> int:
    """How many municipalities closed any round in the period: a number, never which."""
    query = select(func.count(func.distinct(col(Round.municipality_id)))).where(
        col(Round.status) == RoundStatus.CLOSED, col(Round.closed_at) >= since
    )
    return int(session.execute(query).scalar_one())


def _groups(rows: list[Row], areas: tuple[Area, ...]) -> list[Group]:
    """Medians per size class and per county, each only where 5 municipalities stand behind."""
    groups = [(_("Hele landet"), rows)]
    groups += [(size_label(s), [r for r in rows if r.size_class == s]) for s in SizeClass]
    for county in sorted({r.county for r in rows if r.county}):
        groups.append((county, [r for r in rows if r.county == county]))
    out = []
    for label, members in groups:
        scores: dict[str, list[float | None]] = {a.id: [] for a in areas}
        for row in members:
            for area_id, values in scores.items():
                cell = row.cells.get(area_id)
                values.append(cell.score if cell else None)
        medians = {area_id: group_median(values)[0] for area_id, values in scores.items()}
        out.append(Group(label, len(members), medians))
    return out


def size_label(size: str) -> str:
    return {"liten": _("Små kommuner"), "mellomstor": _("Mellomstore kommuner"),
            "stor": _("Store kommuner")}.get(size, size)  # fmt: skip


def signal_text(signal: Signal, areas: dict[str, Area], locale: str) -> str:
    """The signal in words, with its figure."""
    area = areas.get(signal.area_id or "")
    name = area.title[locale] if area else ""
    value = f"{signal.value:.0f}" if signal.value is not None else ""
    return {
        Kind.LOW_CORE: _("«%(area)s» har %(value)s poeng"),
        Kind.SPREAD: _("Svarene på «%(area)s» spriker med %(value)s poeng"),
        Kind.DONT_KNOW: _("%(value)s %% svarte «Vet ikke» på «%(area)s»"),
        Kind.STALE: _("Ingen ny delt runde på over 18 måneder"),
    }[signal.kind] % {"area": name, "value": value}


def signal_rules() -> list[tuple[Kind, str]]:
    """Each signal's rule in words, shown beside the list and in the export."""
    return [
        (Kind.LOW_CORE, _("Et kjerneområde har under %(n)s poeng.") % {"n": f"{LOW_CORE_SCORE:.0f}"}),
        (Kind.SPREAD, _("Svarene på et område spriker med mer enn %(n)s poeng (standardavvik): teamet ser ulikt på det.") % {"n": f"{HIGH_SPREAD:.0f}"}),
        (Kind.DONT_KNOW, _("Mer enn %(n)s %% av svarene på et område er «Vet ikke».") % {"n": f"{HIGH_DONT_KNOW:.0f}"}),
        (Kind.STALE, _("Kommunen har delt en runde før, men ingen runde lukket de siste 18 månedene er delt.")),
    ]  # fmt: skip
