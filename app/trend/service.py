"""A municipality's development over its closed rounds: per area and per statement, the score
in every round and the change since the round before.

Every figure comes from the rounds' snapshots as this reader may see them (read_snapshots with
the minimum per figure, not counting the reader; for what others read too, as any of those who
answered may see them), never from answers. Across content versions
the lineage map decides what can be compared: a point across a reworded or split statement is
marked "not directly comparable" and gets no change figure.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.accounts.models import Municipality
from app.authz import Action, Actor, require
from app.content.lineage import Lineage
from app.content.schema import Area, Guidance
from app.content.service import current_lineage
from app.i18n import _, current_locale
from app.results.scoring import RoundScores, shown_difference
from app.results.service import min_respondents, readers_of, scores_from_snapshot
from app.results.snapshot import Readers, SnapshotView, read_snapshots
from app.rounds import service as rounds
from app.rounds.models import Round, RoundStatus
from app.trend.measures import Measure, measures_for


@dataclass(frozen=True)
class Point:
    round_id: int
    round_name: str
    score: float | None  # None: hidden (too few behind it) or not asked in this round
    change: float | None  # since the previous round with this series, where comparable
    comparable: bool  # False: the wording or the statements changed since the previous round
    note: str = ""  # why not comparable, or how many statements are
    before: float | None = None  # the previous round's score, where there is a change

    @property
    def shown_change(self) -> int | None:
        """The change as the difference of the two figures shown."""
        if self.change is None or self.score is None or self.before is None:
            return None
        return shown_difference(self.score, self.before)


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: tuple[Point, ...]
    retired: bool = False  # a statement no longer asked


@dataclass(frozen=True)
class AreaTrend:
    area: Area
    series: Series
    statements: tuple[Series, ...]


@dataclass(frozen=True)
class RoundInfo:
    round: Round
    version: str
    visible: bool  # enough others behind the round for any figure


@dataclass(frozen=True)
class Development:
    municipality: Municipality
    rounds: tuple[RoundInfo, ...]
    areas: tuple[AreaTrend, ...]
    measures: tuple[Measure, ...]
    needed: int


@dataclass(frozen=True)
class _Loaded:
    info: RoundInfo
    guidance: Guidance
    scores: RoundScores | None


def closed_rounds(session: Session, municipality_id: int) -> list[Round]:
    """The municipality's closed rounds, oldest first."""
    query = (
        select(Round)
        .where(Round.municipality_id == municipality_id, Round.status == RoundStatus.CLOSED)
        .order_by(col(Round.closed_at), col(Round.id))
    )
    return list(session.exec(query))


def _aware(moment: datetime | None) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); a round closed in this session has an
    aware one. Compare them as UTC."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def development(
    session: Session,
    actor: Actor,
    until: Round | None = None,
    last: int | None = None,
    shared: bool = False,
) -> Development:
    """The actor's municipality's development over its closed rounds (the `last` ones up to
    and including `until`); `shared`: for what others read too (results.service.readers_of)."""
    require(actor, Action.VIEW_RESULTS, actor.municipality_id)
    assert actor.municipality_id is not None
    municipality = session.get(Municipality, actor.municipality_id)
    assert municipality is not None
    closed = closed_rounds(session, actor.municipality_id)
    if until is not None:
        limit = (_aware(until.closed_at), until.id or 0)
        closed = [r for r in closed if (_aware(r.closed_at), r.id or 0) <= limit]
    if last is not None:
        closed = closed[-last:]
    loaded = _load(session, readers_of(actor, shared), closed)
    areas = _areas(loaded, current_lineage()) if loaded else ()
    ids = [r.id for r in closed if r.id is not None]
    needed = min_respondents(loaded[-1].guidance) if loaded else 3
    measures = tuple(measures_for(session, actor, ids))
    return Development(municipality, tuple(x.info for x in loaded), areas, measures, needed)


def _load(session: Session, readers: Readers, closed: list[Round]) -> list[_Loaded]:
    """Each round's content and snapshot as the reader may see it, read in one go per
    minimum (all rounds share one unless the content's minimum changed)."""
    contents = [rounds.guidance_of(session, rnd) for rnd in closed]
    views: dict[int, SnapshotView] = {}
    for needed in {min_respondents(g) for g in contents}:
        ids = [
            r.id
            for r, g in zip(closed, contents, strict=True)
            if r.id and min_respondents(g) == needed
        ]
        views |= read_snapshots(session, ids, readers, needed)
    out = []
    for rnd, guidance in zip(closed, contents, strict=True):
        view = views.get(rnd.id or 0)
        visible = view is not None and view.others >= min_respondents(guidance)
        scores = scores_from_snapshot(guidance, view) if view is not None and visible else None
        out.append(_Loaded(RoundInfo(rnd, guidance.meta.version, visible), guidance, scores))
    return out


def _areas(loaded: list[_Loaded], lineage: Lineage) -> tuple[AreaTrend, ...]:
    order: dict[str, Area] = {}
    for item in reversed(loaded):  # the newest content's areas first, then older ones
        for area in item.guidance.areas:
            order.setdefault(area.id, area)
    return tuple(
        AreaTrend(area, _area_series(area.id, loaded, lineage), _statements(area, loaded, lineage))
        for area in sorted(order.values(), key=lambda a: a.order)
    )


def _area_series(area_id: str, loaded: list[_Loaded], lineage: Lineage) -> Series:
    loc = current_locale()
    points: list[Point] = []
    previous: _Loaded | None = None
    label = ""
    for item in loaded:
        if area_id not in {a.id for a in item.guidance.areas}:
            continue
        area = item.guidance.area(area_id)
        label = area.title[loc]
        score = item.scores.areas[area_id].score if item.scores else None
        same, total = _comparable_statements(area_id, item, previous, lineage)
        comparable = previous is None or same == total
        note = "" if comparable else _comparable_note(same, total)
        both, either = _shown_in_both(area_id, item, previous, lineage)
        shown = score is not None and bool(points) and points[-1].score is not None
        if comparable and shown and both != either:
            comparable = False
            note = _(
                "ikke direkte sammenlignbar: %(n)s av %(total)s påstander er vist i begge "
                "rundene (de andre har for få svar bak seg i én av dem)"
            ) % {"n": both, "total": either}
        points.append(_point(item, score, points, comparable, note))
        previous = item
    return Series(area_id, label, tuple(points))


def _comparable_note(same: int, total: int) -> str:
    text = _("ikke direkte sammenlignbar: %(n)s av %(total)s påstander er de samme som før")
    return text % {"n": same, "total": total}


def _comparable_statements(
    area_id: str, item: _Loaded, previous: _Loaded | None, lineage: Lineage
) -> tuple[int, int]:
    """How many of the area's statements mean the same as in the previous round, of how many;
    a statement dropped since then also makes the area's score a different measure."""
    now = [s.id for s in item.guidance.area(area_id).statements]
    if previous is None:
        return len(now), len(now)
    before = {s.id for s in previous.guidance.area(area_id).statements}
    same = 0
    for sid in now:
        traced = lineage.trace(sid, item.info.version, previous.info.version)
        same += traced.statement_id in before and not traced.changed
    return same, max(len(now), len(before))


def _shown_in_both(
    area_id: str, item: _Loaded, previous: _Loaded | None, lineage: Lineage
) -> tuple[int, int]:
    """How many of the area's statements have a score shown in both rounds, of how many have
    one in either. An area's score is made from the statements shown (a hidden one has too
    few behind it), so where one is shown in only one round the two scores are different
    measures. (0, 0) where either round shows nothing: there is no change to mark."""
    if previous is None or item.scores is None or previous.scores is None:
        return 0, 0
    now = _shown(item, area_id)
    before = _shown(previous, area_id)
    old = {lineage.trace(sid, item.info.version, previous.info.version).statement_id for sid in now}
    both = len(old & before)
    return both, len(now) + len(before) - both


def _shown(item: _Loaded, area_id: str) -> set[str]:
    assert item.scores is not None
    figures = item.scores.statements
    statements = item.guidance.area(area_id).statements
    return {s.id for s in statements if s.id in figures and figures[s.id].score is not None}


def _point(
    item: _Loaded, score: float | None, points: list[Point], comparable: bool, note: str
) -> Point:
    before = points[-1].score if points else None
    change = score - before if comparable and score is not None and before is not None else None
    rnd = item.info.round
    assert rnd.id is not None
    return Point(rnd.id, rnd.name, score, change, comparable, note, before)


def _statements(area: Area, loaded: list[_Loaded], lineage: Lineage) -> tuple[Series, ...]:
    newest = loaded[-1]
    current = [s.id for s in area.statements] if area.id in _area_ids(newest) else []
    series = [_statement_series(sid, newest, loaded, lineage) for sid in current]
    reached = {p for s in series for p in _traced_ids(s.key, newest, loaded, lineage)}
    retired: dict[str, str] = {}
    for item in loaded:
        if area.id in _area_ids(item):
            for st in item.guidance.area(area.id).statements:
                if st.id not in reached:
                    retired[st.id] = st.text[current_locale()]
    series += [_retired_series(sid, text, area.id, loaded) for sid, text in retired.items()]
    return tuple(series)


def _area_ids(item: _Loaded) -> set[str]:
    return {a.id for a in item.guidance.areas}


def _traced_ids(sid: str, newest: _Loaded, loaded: list[_Loaded], lineage: Lineage) -> set[str]:
    return {
        t
        for item in loaded
        if (t := lineage.trace(sid, newest.info.version, item.info.version).statement_id)
    }


def _statement_series(sid: str, newest: _Loaded, loaded: list[_Loaded], lineage: Lineage) -> Series:
    points: list[Point] = []
    previous: tuple[_Loaded, str] | None = None
    for item in loaded:
        own = lineage.trace(sid, newest.info.version, item.info.version).statement_id
        if own is None or own not in item.guidance.statement_area():
            continue
        comparable = True
        if previous is not None:
            back = lineage.trace(own, item.info.version, previous[0].info.version)
            comparable = back.statement_id == previous[1] and not back.changed
        score = item.scores.statements[own].score if item.scores else None
        note = "" if comparable else _("ikke direkte sammenlignbar")
        points.append(_point(item, score, points, comparable, note))
        previous = (item, own)
    label = newest.guidance.statement(sid).text[current_locale()]
    return Series(sid, label, tuple(points))


def _retired_series(sid: str, text: str, area_id: str, loaded: list[_Loaded]) -> Series:
    points: list[Point] = []
    for item in loaded:
        if sid in item.guidance.statement_area():
            score = item.scores.statements[sid].score if item.scores else None
            points.append(_point(item, score, points, True, ""))
    return Series(sid, text, tuple(points), retired=True)
