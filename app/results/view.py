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
