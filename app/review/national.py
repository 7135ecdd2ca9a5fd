"""KS's national overview: municipalities × areas from each municipality's latest shared
round, attention signals with their rules, and medians per county and size class.

Everything is read from the area figures stored when a round was shared (SharedArea) and the
shared action plans' overdue measures, in two queries whatever the number of municipalities,
so the page never re-aggregates snapshots or answers per municipality. What the page prints
per row (scores, dates, signal texts) is formatted here once, not per cell in the template.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.accounts.models import Municipality, SizeClass
from app.accounts.service import size_name
from app.authz import Action, Actor, require_across
from app.clock import OSLO, day_text
from app.content.schema import Area
from app.content.service import current_guidance
from app.i18n import _, current_locale, ngettext
from app.plan.models import OPEN_STATUSES, Measure
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
PLAN_ANCHOR = "handlingsplan"  # the shared plan's section on the review page


class SignalLine(NamedTuple):
    """A signal in words, and where on the review page its evidence is ("" the page top)."""

    text: str
    anchor: str = ""


@dataclass
class Row:
    share_id: int
    round_id: int
    number: str
    name: str
    county: str | None
    size_class: str
    round_name: str
    closed_at: datetime
    shared_at: datetime
    respondents: int
    overdue: int = 0  # overdue measures in the shared action plan; 0 where it is not shared
    cells: dict[str, Cell] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    # Formatted once for the page: 357 rows × areas was too slow as filters per cell.
    scores: tuple[float | None, ...] = ()  # in the overview's area order
    score_texts: tuple[str, ...] = ()
    shared_text: str = ""
    size_text: str = ""
    signal_lines: tuple[SignalLine, ...] = ()


@dataclass(frozen=True)
class Group:
    label: str
    municipalities: int
    medians: dict[str, float | None]  # area id -> median, None where fewer than 5 stand behind
    median_texts: tuple[str, ...] = ()  # in the overview's area order


@dataclass(frozen=True)
class Overview:
    areas: tuple[Area, ...]
    rows: list[Row]
    stale: list[Row]  # overdue (no shared round in 18 months) and older than the table
    shared: int  # municipalities with a shared round in the period (whole country)
    closed: int  # municipalities with any closed round in the period (whole country, a count)
    groups: list[Group]
    counties: list[str]
    flagged: list[Row]  # with signals, the newest share first, then the overdue ones


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
    since = now - timedelta(days=PERIOD_DAYS)
    today = now.astimezone(OSLO).date()
    latest = _latest_rows(session, since, now - timedelta(days=STALE_DAYS), today)
    everyone = [row for row, in_period, _ in latest if in_period]
    stale = [row for row, in_period, old in latest if old and not in_period]
    _read_cells(session, everyone)
    for row, in_period, old in latest:
        if in_period:
            row.signals = signals_for(list(row.cells.values()), row.overdue)
        if old:  # one entry per municipality, with all its signals
            row.signals.append(Signal(Kind.STALE, None, None))
    _dress(everyone + stale, areas)
    chosen = [r for r in everyone if _matches(r, county, size)]
    shown_stale = [r for r in stale if _matches(r, county, size)]
    with_signals = sorted(
        (r for r in chosen if r.signals), key=lambda r: r.shared_at.isoformat(), reverse=True
    )
    return Overview(
        areas=areas,
        rows=sorted_rows(chosen, sort, descending),
        stale=shown_stale,
        shared=len(everyone),
        closed=_closed_count(session, since),
        groups=_groups(everyone, areas),
        counties=sorted({r.county for r in everyone + stale if r.county}),
        flagged=with_signals
        + sorted(shown_stale, key=lambda r: r.closed_at.isoformat(), reverse=True),
    )


def _latest_rows(
    session: Session, since: datetime, stale_before: datetime, today: date
) -> list[tuple[Row, bool, bool]]:
    """Each municipality's latest standing share (by when its round closed), whether it is in
    the 24-month period and whether it is 18 months old, with the number of overdue measures
    where its action plan is shared: one query, one row per municipality."""
    s, m, r, ms = RoundShare, Municipality, Round, Measure
    # Per municipality, its latest standing share: one step back along the index
    # (municipality, close time, id), rather than ranking every share ever made.
    x, owner = aliased(RoundShare), aliased(Municipality)
    latest = (
        select(col(x.id))
        .where(col(x.municipality_id) == col(owner.id), col(x.active_round_id).is_not(None))
        .order_by(col(x.round_closed_at).desc(), col(x.id).desc())
        .limit(1)
        .correlate(owner)
        .scalar_subquery()
    )
    latest_ids = select(latest).select_from(owner)
    # The rule of plan.models.is_overdue, counted in the database (a due date before today).
    overdue = (
        select(func.count())
        .select_from(ms)
        .where(
            col(ms.round_id) == col(s.round_id),
            col(ms.due) < today,
            col(ms.status).in_(OPEN_STATUSES),
        )
        .correlate(s)
        .scalar_subquery()
    )
    columns = (
        s.id, s.round_id, m.number, m.name, m.county, m.size_class, r.name, s.round_closed_at,
        s.shared_at, s.respondents,
    )  # fmt: skip
    query = (
        select(
            *(col(c) for c in columns),
            case((col(s.include_plan).is_(True), overdue), else_=0),
            case((col(s.round_closed_at) >= since, 1), else_=0),
            case((col(s.round_closed_at) < stale_before, 1), else_=0),
        )
        .join(m, col(m.id) == col(s.municipality_id))
        .join(r, col(r.id) == col(s.round_id))
        .where(col(s.id).in_(latest_ids))
    )
    # Core and fetchall: no ORM bookkeeping or fetch call per row.
    result: Any = session.connection().execute(query).fetchall()
    out = []
    for *head, overdue_count, in_period, old in result:
        row = Row(*head)
        row.overdue = int(overdue_count or 0)
        out.append((row, bool(in_period), bool(old)))
    return out


def _read_cells(session: Session, rows: list[Row]) -> None:
    """The stored area figures of these shares, in one query of plain columns."""
    by_share = {row.share_id: row for row in rows}
    if not by_share:
        return
    a = SharedArea
    query = select(
        col(a.share_id), col(a.area_id), col(a.core), col(a.score), col(a.spread),
        col(a.dont_know_share),
    ).where(col(a.share_id).in_(list(by_share)))  # fmt: skip
    result: Any = session.connection().execute(query).fetchall()
    for share_id, area_id, core, score, spread, dont_know in result:
        by_share[share_id].cells[area_id] = Cell(area_id, core, score, spread, dont_know)


def _dress(rows: list[Row], areas: tuple[Area, ...]) -> None:
    """What the page and the exports print per row, formatted once."""
    sizes = {s.value: size_name(s.value).capitalize() for s in SizeClass}
    words = SignalWords(areas)
    for row in rows:
        row.scores = tuple(
            cell.score if (cell := row.cells.get(a.id)) is not None else None for a in areas
        )
        row.score_texts = tuple(number_text(v) for v in row.scores)
        row.shared_text = day_text(row.shared_at)
        row.size_text = sizes.get(row.size_class, row.size_class)
        row.signal_lines = tuple(words.line(sig) for sig in row.signals)


def number_text(value: float | None) -> str:
    """A score as the page shows it (as the `num` filter does): whole points, "–" if hidden."""
    return "–" if value is None else f"{value:.0f}"


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
    """Medians per size class and per county, each only where 5 municipalities stand behind
    (from each row's scores in area order, formatted once like the table)."""
    groups = [(_("Hele landet"), rows)]
    groups += [(size_label(s), [r for r in rows if r.size_class == s]) for s in SizeClass]
    for county in sorted({r.county for r in rows if r.county}):
        groups.append((county, [r for r in rows if r.county == county]))
    out = []
    for label, members in groups:
        values = [group_median([r.scores[i] for r in members])[0] for i in range(len(areas))]
        medians = {a.id: v for a, v in zip(areas, values, strict=True)}
        out.append(Group(label, len(members), medians, tuple(number_text(v) for v in values)))
    return out


def size_label(size: str) -> str:
    return {"liten": _("Små kommuner"), "mellomstor": _("Mellomstore kommuner"),
            "stor": _("Store kommuner")}.get(size, size)  # fmt: skip


class SignalWords:
    """Signals in words in the current locale, with their figures; the sentences are looked
    up once per overview rather than once per signal."""

    def __init__(self, areas: tuple[Area, ...]) -> None:
        locale = current_locale()
        self.names = {a.id: a.title[locale] for a in areas}
        self.sentences = {
            Kind.LOW_CORE: _("«%(area)s» har %(value)s poeng"),
            Kind.SPREAD: _("Svarene på «%(area)s» spriker med %(value)s poeng"),
            Kind.DONT_KNOW: _("%(value)s\u00a0%% svarte «Vet ikke» på «%(area)s»"),
            Kind.STALE: _("Ingen ny delt runde på over 18 måneder"),
        }

    def text(self, signal: Signal) -> str:
        if signal.kind is Kind.OVERDUE:
            n = int(signal.value or 0)
            return ngettext(
                "%(num)s tiltak i den delte handlingsplanen har passert fristen",
                "%(num)s tiltak i den delte handlingsplanen har passert fristen",
                n,
            ) % {"num": n}
        value = f"{signal.value:.0f}" if signal.value is not None else ""
        area = self.names.get(signal.area_id or "", "")
        return self.sentences[signal.kind] % {"area": area, "value": value}

    def line(self, signal: Signal) -> SignalLine:
        """The text, and the anchor of its evidence on the review page."""
        return SignalLine(self.text(signal), PLAN_ANCHOR if signal.kind is Kind.OVERDUE else "")


def signal_rules() -> list[tuple[Kind, str]]:
    """Each signal's rule in words, shown beside the list and in the export."""
    return [
        (Kind.LOW_CORE, _("Et kjerneområde har under %(n)s poeng.") % {"n": f"{LOW_CORE_SCORE:.0f}"}),
        (Kind.SPREAD, _("Svarene på et område spriker med mer enn %(n)s poeng (standardavvik): teamet ser ulikt på det.") % {"n": f"{HIGH_SPREAD:.0f}"}),
        (Kind.DONT_KNOW, _("Mer enn %(n)s\u00a0%% av svarene på et område er «Vet ikke».") % {"n": f"{HIGH_DONT_KNOW:.0f}"}),
        (Kind.OVERDUE, _("Kommunen har delt handlingsplanen, og minst ett tiltak har passert fristen uten å være gjennomført: fristen var før i dag, og tiltaket står fortsatt som planlagt eller pågår.")),
        (Kind.STALE, _("Kommunen har delt en runde før, men ingen runde lukket de siste 18 månedene er delt.")),
    ]  # fmt: skip
