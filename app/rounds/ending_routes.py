"""Ending a round: the manager closes it (its results are made then), or cancels one nobody
has begun; each with a page to confirm first."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.db import SessionDep
from app.i18n import _
from app.rounds import cancel, lifecycle, service
from app.web import ActorDep, Id, allow, redirect, render

router = APIRouter(prefix="/runder")


@router.get("/{round_id}/lukk", dependencies=[allow(Access.MANAGER)])
def close_page(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    counts = lifecycle.counts(session, rnd)
    ctx = {"rnd": rnd, "counts": counts, "outlook": lifecycle.outlook(session, actor, rnd, counts)}
    return render(request, "rounds/close.html", ctx)


@router.get("/{round_id}/avlys", dependencies=[allow(Access.MANAGER)])
def cancel_page(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    ctx = {"rnd": rnd, "may_cancel": cancel.may_cancel(session, rnd)}
    return render(request, "rounds/cancel.html", ctx)


@router.post("/{round_id}/avlys", dependencies=[allow(Access.MANAGER)])
def cancel_round(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    name = rnd.name
    told = cancel.cancel_round(session, actor, rnd)
    if told.missed:
        msg = _(
            "Runden «%(name)s» er avlyst, men e-posten om det kom ikke fram til %(who)s. Si "
            "gjerne fra til dem selv. De kan velges til en ny runde."
        )
        return redirect(
            "/runder", msg % {"name": name, "who": ", ".join(told.missed)}, request, "warning"
        )
    if not told.asked:
        return redirect("/runder", _("Runden «%(name)s» er avlyst.") % {"name": name}, request)
    msg = _(
        "Runden «%(name)s» er avlyst. De som var invitert, har fått e-post om det og kan velges "
        "til en ny runde."
    )
    return redirect("/runder", msg % {"name": name}, request)


@router.post("/{round_id}/lukk", dependencies=[allow(Access.MANAGER)])
def close(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    outlook = lifecycle.outlook(session, actor, rnd, lifecycle.counts(session, rnd))
    lifecycle.close_round(session, actor, rnd)
    if not outlook.own:
        msg = _("Runden er lukket. For få sendte inn til at du kan se resultater fra den.")
        return redirect(f"/runder/{rnd.id}", msg, request, "warning")
    return redirect(f"/runder/{rnd.id}", _("Runden er lukket, og resultatene er klare."), request)
