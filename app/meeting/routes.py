"""The team meeting: the projector view, one topic per screen, and the agreed readings."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.errors import InvalidInput
from app.i18n import _
from app.meeting import service, steps
from app.meeting.forms import ReadingInput, readings_form
from app.rounds import service as rounds
from app.web import ActorDep, Id, allow, redirect, render

router = APIRouter(prefix="/runder")


@router.get("/{round_id}/mote", dependencies=[allow(Access.MANAGER)])
def meeting(
    request: Request, round_id: Id, actor: ActorDep, session: SessionDep, steg: int = 1
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.VIEW_RESULTS)
    page = steps.meeting(session, actor, rnd, steg)
    return render(request, "meeting/meeting.html", {"page": page})


@router.post("/{round_id}/felles-vurdering", dependencies=[allow(Access.MANAGER)])
def save_readings(
    request: Request,
    round_id: Id,
    typed: Annotated[dict[str, ReadingInput], Depends(readings_form)],
    actor: ActorDep,
    session: SessionDep,
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.EDIT_PLAN)
    try:
        service.save_readings(session, actor, rnd, typed)
    except InvalidInput as exc:
        # The last step again, with what was typed and the reason, so nothing is lost.
        page = steps.meeting(session, actor, rnd, 10_000, typed, exc.message, exc.field)
        return render(request, "meeting/meeting.html", {"page": page}, status_code=422)
    msg = _("Den felles vurderingen er lagret. Den står ved siden av tallene i resultatene.")
    return redirect(f"/runder/{rnd.id}/resultater#readings-heading", msg, request, at="readings")
