"""Geometry of the server-rendered SVG line charts of the development page and the report.

Every round of the municipality has its place on the x axis, so the charts line up; a point
that is not directly comparable with the one before is drawn hollow, and the line to it dashed.
The value written beside each dot is the same formatted figure as in the table beside the chart.
"""

from dataclasses import dataclass
from datetime import date

from app.clock import oslo_date
from app.i18n import _
from app.trend.measures import Measure
from app.trend.service import RoundInfo, Series

WIDTH = 560
HEIGHT = 180
LEFT = 48
RIGHT = 28
NAME_CHARS = 18  # a round's name under the axis is cut after this many characters
CHAR_WIDTH = 7.0  # px per character at the axis' 12 px font, generously (wide letters, digits)
LABEL_GAP = 8  # px at least between two names
TOP = 18
PLOT = 130  # height of the 0–100 band


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the figure, formatted as in the table
    comparable: bool


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str = "middle"  # text-anchor, so the first and last labels stay inside


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    dots: tuple[Dot, ...]
    segments: tuple[Segment, ...]
    rounds: tuple[Tick, ...]
    marks: tuple[Tick, ...]  # measures of the action plan, where they were done
    grid: tuple[tuple[float, int], ...]  # (y, score) for 0, 50 and 100

    # Each kind of line as one SVG path: fewer elements draw faster, in the PDF above all.
    @property
    def solid_path(self) -> str:
        return _path([s for s in self.segments if not s.dashed])

    @property
    def dashed_path(self) -> str:
        return _path([s for s in self.segments if s.dashed])

    @property
    def grid_path(self) -> str:
        return " ".join(f"M40 {y:.1f}H{self.width - 10}" for y, _ in self.grid)

    @property
    def tick_path(self) -> str:
        return " ".join(f"M{t.x:.1f} 148V153" for t in self.rounds)


def _path(segments: list[Segment]) -> str:
    return " ".join(f"M{s.x1:.1f} {s.y1:.1f}L{s.x2:.1f} {s.y2:.1f}" for s in segments)


def figure(value: float | None) -> str:
    """A score as every table and chart shows it."""
    return "–" if value is None else f"{value:.0f}"


def line_chart(
    chart_id: str, series: Series, rounds: tuple[RoundInfo, ...], measures: tuple[Measure, ...]
) -> LineChart:
    """The chart of one series over the municipality's rounds."""
    xs = _x_positions(rounds)
    dots: list[Dot] = []
    segments: list[Segment] = []
    last: Dot | None = None
    for point in series.points:
        if point.score is None:
            last = None  # a hidden figure breaks the line
            continue
        dot = Dot(xs[point.round_id], _y(point.score), figure(point.score), point.comparable)
        if last is not None:
            segments.append(Segment(last.x, last.y, dot.x, dot.y, not point.comparable))
        dots.append(dot)
        last = dot
    return LineChart(
        id=chart_id,
        title=_("Utvikling: %(name)s") % {"name": series.label},
        desc=_describe(series),
        width=WIDTH,
        height=HEIGHT,
        dots=tuple(dots),
        segments=tuple(segments),
        rounds=_round_ticks(rounds, xs),
        marks=_marks(rounds, measures, xs),
        grid=tuple((_y(v), v) for v in (0, 50, 100)),
    )


def _round_ticks(rounds: tuple[RoundInfo, ...], xs: dict[int, float]) -> tuple[Tick, ...]:
    """The names of the first and last round, and of those between that fit beside them
    without touching (as wide as their characters at the axis' font size)."""
    ticks = [_tick(rounds, i, xs) for i in range(len(rounds))]
    if len(ticks) < 3:
        return tuple(ticks)
    kept, last = [ticks[0]], ticks[-1]
    for tick in ticks[1:-1]:
        if _clear(kept[-1], tick) and _clear(tick, last):
            kept.append(tick)
    if not _clear(kept[-1], last):  # the first and the last alone still touch
        kept.pop()
    return (*kept, last)


def _tick(rounds: tuple[RoundInfo, ...], i: int, xs: dict[int, float]) -> Tick:
    last = len(rounds) - 1
    anchor = "start" if i == 0 and last else "end" if i == last and i else "middle"
    return Tick(xs[rounds[i].round.id or 0], shortened(rounds[i].round.name), anchor)


def shortened(name: str) -> str:
    """A round's name as the axis writes it: long ones cut with an ellipsis."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _extent(tick: Tick) -> tuple[float, float]:
    width = len(tick.label) * CHAR_WIDTH
    left = {"start": tick.x, "end": tick.x - width}.get(tick.anchor, tick.x - width / 2)
    return left, left + width


def _clear(left: Tick, right: Tick) -> bool:
    return _extent(left)[1] + LABEL_GAP <= _extent(right)[0]


def _x_positions(rounds: tuple[RoundInfo, ...]) -> dict[int, float]:
    span = WIDTH - LEFT - RIGHT
    if len(rounds) == 1:
        return {rounds[0].round.id or 0: LEFT + span / 2}
    step = span / (len(rounds) - 1)
    return {r.round.id or 0: LEFT + i * step for i, r in enumerate(rounds)}


def _y(score: float) -> float:
    return TOP + PLOT * (1 - score / 100)


def _describe(series: Series) -> str:
    parts = []
    for p in series.points:
        text = f"{p.round_name}: {figure(p.score)}"
        parts.append(text + (f" ({p.note})" if p.note else ""))
    return ". ".join(parts)


def _marks(
    rounds: tuple[RoundInfo, ...], measures: tuple[Measure, ...], xs: dict[int, float]
) -> tuple[Tick, ...]:
    """Measures done between two rounds sit between them, in proportion to the dates."""
    days = [
        (oslo_date(r.round.closed_at), xs[r.round.id or 0]) for r in rounds if r.round.closed_at
    ]
    return tuple(
        Tick(x, m.title)
        for m in measures
        if m.done_on is not None and (x := _x_for(m.done_on, days)) is not None
    )


def _x_for(day: date, days: list[tuple[date, float]]) -> float | None:
    for (d1, x1), (d2, x2) in zip(days, days[1:], strict=False):
        if d1 <= day <= d2:
            return x1 + (x2 - x1) * ((day - d1).days / max((d2 - d1).days, 1))
    return None
