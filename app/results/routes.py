"""Results pages: the team's results for a manager, a respondent's own results."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.results import chart, service
from app.review import service as review
from app.rounds import service as rounds
from app.web import ActorDep, allow, render

router = APIRouter(prefix="/runder")


@router.get("/{round_id}/resultater", dependencies=[allow(Access.MANAGER)])
def team_results(request: Request, round_id: int, actor: ActorDep, session: SessionDep) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.VIEW_RESULTS)
    page = service.team_results(session, actor, rnd)
    sharing = review.share_panel(session, actor, rnd)
    ctx = {"page": page, "chart": chart.bars(page), "sharing": sharing}
    return render(request, "results/results.html", ctx)


@router.get("/{round_id}/mine-resultater", dependencies=[allow(Access.MUNICIPALITY)])
def own_results(request: Request, round_id: int, actor: ActorDep, session: SessionDep) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    page = service.own_results(session, actor, rnd)
    return render(request, "results/results.html", {"page": page, "chart": chart.bars(page)})
