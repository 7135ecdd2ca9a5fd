"""What every results page shows around the figures: the team's, one's own and KS's copy."""

from typing import Annotated, Literal

from fastapi import Query

from app.results import chart, service

# How the full list of advice is grouped: by area (default) or by KS's phases (?rad=fase).
AdviceGrouping = Annotated[Literal["omrade", "fase"], Query()]


def context(page: service.ResultsPage, grouping: str) -> dict[str, object]:
    return {
        "page": page,
        "chart": chart.bars(page),
        "by_phase": grouping == "fase",
        "phase_name": service.phase_name,
    }


def shared_scores(
    page: service.ResultsPage, shared: service.ResultsPage
) -> dict[str, float | None]:
    """Each area's score as the meeting view, the report, the exports and KS show it, where
    any of them differs from the manager's own page; empty where all are the same. Those read
    the round as one who answered could (one more behind each figure), so a statement the
    manager sees may be left out there, and the area's score then rests on fewer statements:
    a leader quoting a figure to the council should see which one the report will print."""
    theirs = {row.area.id: row.figures.score for row in shared.rows} if shared.visible else {}
    figures = {row.area.id: theirs.get(row.area.id) for row in page.rows}
    if all(figures[row.area.id] == row.figures.score for row in page.rows):
        return {}
    return figures
