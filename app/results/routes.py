"""Results pages: the team's results for a manager, a respondent's own results."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.meeting import service as meeting
from app.plan import followup
from app.results import chart, service
from app.review import service as review
from app.rounds import service as rounds
from app.web import ActorDep, Id, allow, render

router = APIRouter(prefix="/runder")


# How the full list of advice is grouped: by area (default) or by KS's phases (?rad=fase).
AdviceGrouping = Annotated[Literal["omrade", "fase"], Query()]


@router.get("/{round_id}/resultater", dependencies=[allow(Access.MANAGER)])
def team_results(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    rad: AdviceGrouping = "omrade",
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.VIEW_RESULTS)
    page = service.team_results(session, actor, rnd)
    extras = {
        "manager_links": True,  # the meeting, its readings and the plan: not on KS's copy
        "followup": followup.follow_up(session, actor, page),
        "readings": meeting.readings(session, actor, rnd),
        "sharing": review.share_panel(session, actor, rnd),
    }
    return render(request, "results/results.html", {**_context(page, rad), **extras})


@router.get("/{round_id}/mine-resultater", dependencies=[allow(Access.MUNICIPALITY)])
def own_results(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    rad: AdviceGrouping = "omrade",
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    page = service.own_results(session, actor, rnd)
    minimum = service.min_respondents(rounds.guidance_of(session, rnd))  # for the team's results
    return render(request, "results/results.html", {**_context(page, rad), "minimum": minimum})


def _context(page: service.ResultsPage, grouping: str) -> dict[str, object]:
    return {
        "page": page,
        "chart": chart.bars(page),
        "by_phase": grouping == "fase",
        "phase_name": service.phase_name,
    }
