"""The action plan pages: the plan of a round, a new measure (from advice or blank), editing."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.errors import InvalidInput
from app.i18n import _
from app.plan import service
from app.plan.forms import MeasureForm
from app.rounds import service as rounds
from app.web import ActorDep, Id, allow, redirect, render

router = APIRouter()
Text = Annotated[str, Form(max_length=2000)]


def measure_form(
    title: Text = "",
    owner: Annotated[str, Form(max_length=12)] = "",
    owner_text: Text = "",
    due: Annotated[str, Form(max_length=10)] = "",
    status: Annotated[str, Form(max_length=20)] = "planned",
    note: Annotated[str, Form(max_length=50_000)] = "",  # too long: refused with the form kept
    statements: Annotated[list[str] | None, Form(max_length=80)] = None,
    advice_id: Annotated[str, Form(max_length=80)] = "",
) -> MeasureForm:
    return MeasureForm(
        title, owner, owner_text, due, status, note, tuple(statements or ()), advice_id
    )


FormDep = Annotated[MeasureForm, Depends(measure_form)]


@router.get("/runder/{round_id}/tiltak", dependencies=[allow(Access.MUNICIPALITY)])
def plan_page(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.VIEW_PLAN)
    return render(request, "plan/plan.html", {"page": service.plan_page(session, actor, rnd)})


@router.get("/runder/{round_id}/tiltak/ny", dependencies=[allow(Access.MANAGER)])
def new_measure(
    request: Request, round_id: Id, actor: ActorDep, session: SessionDep, rad: str = ""
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.EDIT_PLAN)
    form = service.draft_from_advice(session, actor, rnd, rad[:80]) if rad else MeasureForm()
    return render(request, "plan/measure.html", {"ed": service.editor(session, actor, rnd, form)})


@router.post("/runder/{round_id}/tiltak", dependencies=[allow(Access.MANAGER)])
def create(
    request: Request, round_id: Id, form: FormDep, actor: ActorDep, session: SessionDep
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.EDIT_PLAN)
    try:
        service.create_measure(session, actor, rnd, form)
    except InvalidInput as exc:
        # Show the form again with what was typed and the reason, so nothing is lost.
        ed = service.editor(session, actor, rnd, form, error=exc)
        return render(request, "plan/measure.html", {"ed": ed}, status_code=422)
    return redirect(
        f"/runder/{rnd.id}/tiltak", _("Tiltaket er lagt til i handlingsplanen."), request
    )


@router.get("/tiltak/{measure_id}", dependencies=[allow(Access.MANAGER)])
def edit_measure(
    request: Request, measure_id: Id, actor: ActorDep, session: SessionDep
) -> Response:
    measure, rnd = service.get_measure(session, actor, measure_id, Action.EDIT_PLAN)
    form = service.form_of(measure, service.linked_statements(session, measure))
    ed = service.editor(session, actor, rnd, form, measure_id=measure.id)
    return render(request, "plan/measure.html", {"ed": ed})


@router.post("/tiltak/{measure_id}", dependencies=[allow(Access.MANAGER)])
def update(
    request: Request, measure_id: Id, form: FormDep, actor: ActorDep, session: SessionDep
) -> Response:
    measure, rnd = service.get_measure(session, actor, measure_id, Action.EDIT_PLAN)
    try:
        service.update_measure(session, actor, measure, rnd, form)
    except InvalidInput as exc:
        # Nothing was changed: every check runs before the measure is touched.
        ed = service.editor(session, actor, rnd, form, measure_id=measure.id, error=exc)
        return render(request, "plan/measure.html", {"ed": ed}, status_code=422)
    return redirect(f"/runder/{rnd.id}/tiltak", _("Tiltaket er oppdatert."), request)
