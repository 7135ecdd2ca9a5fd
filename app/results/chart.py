"""Geometry for the server-rendered SVG bar chart of area scores (the template draws it)."""

from dataclasses import dataclass

from app.i18n import current_locale
from app.results.service import ResultsPage

LABEL_WIDTH = 260
BAR_WIDTH = 360
ROW_HEIGHT = 36


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
    label_width: int
    bar_width: int
    strength_x: float | None


def bars(page: ResultsPage) -> Chart | None:
    if not page.visible:
        return None
    loc = current_locale()
    rows = tuple(
        Bar(
            label=row.area.title[loc],
            score=row.figures.score,
            y=20 + i * ROW_HEIGHT,
            width=BAR_WIDTH * (row.figures.score or 0) / 100,
        )
        for i, row in enumerate(page.rows)
    )
    height = 20 + len(rows) * ROW_HEIGHT + 30
    return Chart(rows, LABEL_WIDTH + BAR_WIDTH + 60, height, LABEL_WIDTH, BAR_WIDTH, None)
