"""Geometry for the server-rendered SVG bar chart of area scores (the template draws it)."""

import textwrap
from dataclasses import dataclass

from app.i18n import current_locale
from app.results.service import ResultsPage

# A compact chart: each area's name above its bar, so it fits beside the table.
WIDTH = 400
BAR_WIDTH = 340
LINE_HEIGHT = 16  # one line of an area's name
BAR_HEIGHT = 18
LABEL_CHARS = 46  # a name longer than this wraps onto a second line (English names are long)


@dataclass(frozen=True)
class Bar:
    label: str
    lines: tuple[str, ...]  # the name, wrapped to fit above the bar
    score: float | None
    y: int  # top of the row
    bar_y: int  # top of the bar, below the name
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
    rows = []
    y = 8
    for row in page.rows:
        label = row.area.title[loc]
        lines = tuple(textwrap.wrap(label, LABEL_CHARS, max_lines=2, placeholder=" …"))
        bar_y = y + len(lines) * LINE_HEIGHT + 4
        width = BAR_WIDTH * (row.figures.score or 0) / 100
        rows.append(Bar(label, lines, row.figures.score, y, bar_y, width))
        y = bar_y + BAR_HEIGHT + 14
    return Chart(tuple(rows), WIDTH, y + 20, BAR_WIDTH)
