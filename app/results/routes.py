"""Results pages: the team's results for a manager, a respondent's own results."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.meeting import service as meeting
from app.plan import followup
from app.plan import service as plans
from app.results import service, view
from app.results.view import AdviceGrouping
from app.review import service as review
from app.rounds import service as rounds
from app.web import ActorDep, Id, allow, render

router = APIRouter(prefix="/runder")


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
    # As those who answered may read it (the meeting, the report, the plan, KS): only where
    # this page shows figures at all, a closed round with enough behind it.
    shared = service.team_results(session, actor, rnd, shared=True) if page.visible else None
    extras = {
        "manager_links": True,  # the meeting, its readings and the plan: not on KS's copy
        "followup": followup.follow_up(session, actor, page),
        "readings": meeting.readings(session, actor, rnd),
        "sharing": review.share_panel(session, actor, rnd),
        "plannable": plans.plannable_from(shared) if shared else frozenset(),
        "shared_scores": view.shared_scores(page, shared) if shared else {},
    }
    return render(request, "results/results.html", {**view.context(page, rad), **extras})


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
    return render(request, "results/results.html", {**view.context(page, rad), "minimum": minimum})
