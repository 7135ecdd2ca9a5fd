"""Geometry for the server-rendered SVG bar chart of area scores (the template draws it)."""

from dataclasses import dataclass

from app.i18n import current_locale
from app.results.service import ResultsPage

# A compact chart: each area's name above its bar, so it fits beside the table.
WIDTH = 400
BAR_WIDTH = 340
ROW_HEIGHT = 50


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_width: int


def bars(page: ResultsPage) -> Chart | None:
    if not page.visible:
        return None
    loc = current_locale()
    rows = tuple(
        Bar(
            label=row.area.title[loc],
            score=row.figures.score,
            y=8 + i * ROW_HEIGHT,
            width=BAR_WIDTH * (row.figures.score or 0) / 100,
        )
        for i, row in enumerate(page.rows)
    )
    height = 8 + len(rows) * ROW_HEIGHT + 24
    return Chart(rows, WIDTH, height, BAR_WIDTH)
