"""The manager's page for their municipality: people, invitations and the JSON export."""

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts import invitations, pending
from app.accounts.addresses import ONE_ADDRESS_CHARS, one_address
from app.accounts.models import Role
from app.authz import Access, Action
from app.content.service import current_guidance
from app.db import SessionDep
from app.errors import DomainError
from app.municipality import service
from app.results.service import min_respondents
from app.settings import get_settings
from app.web import ActorDep, Id, allow, client_ip, redirect, render

router = APIRouter(prefix="/kommune")


@router.get("", dependencies=[allow(Access.MANAGER)])
def page(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    return render(request, "municipality/page.html", _context(session, actor, email=""))


@router.post("/inviter", dependencies=[allow(Access.MANAGER)])
def invite(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=ONE_ADDRESS_CHARS)],
) -> Response:
    municipality = service.own_municipality(session, actor, Action.INVITE_STAFF)
    try:
        address = one_address(email)  # as pasted from a mail program too: «Navn <adresse>»
        sent = invitations.invite(
            session, actor, address, Role.STAFF, municipality, client_ip(request)
        )
    except DomainError as exc:
        # The reason at the address field, which gets the focus: on a phone the form is far
        # below the top of the page.
        ctx = _context(session, actor, email=email, **{invitations.refusal_key(exc): exc.message})
        return render(request, "municipality/page.html", ctx, status_code=exc.status_code)
    return redirect("/kommune", sent.message(), request)


@router.post("/invitasjoner/{invitation_id}/send-pa-nytt", dependencies=[allow(Access.MANAGER)])
def resend(request: Request, invitation_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    try:
        changed = pending.resend(session, actor, invitation_id, client_ip(request))
    except invitations.MailNotSent as exc:  # said at the invitation, as the form says it
        ctx = _context(session, actor, email="", resend_alert=exc.message, failed=invitation_id)
        return render(request, "municipality/page.html", ctx, status_code=exc.status_code)
    return redirect("/kommune", pending.resent_message(changed), request, changed.kind)


@router.post("/invitasjoner/{invitation_id}/trekk-tilbake", dependencies=[allow(Access.MANAGER)])
def withdraw(request: Request, invitation_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    changed = pending.withdraw(session, actor, invitation_id, client_ip(request))
    return redirect("/kommune", pending.withdrawn_message(changed), request, changed.kind)


def _context(session: SessionDep, actor: ActorDep, **extra: object) -> dict[str, object]:
    minimum = min_respondents(current_guidance())  # behind the export's figures
    days = get_settings().invitation_days
    return {**service.people(session, actor), "minimum": minimum, "invitation_days": days, **extra}


@router.get("/eksport", dependencies=[allow(Access.MANAGER)])
def export(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    data = service.export(session, actor, client_ip(request))
    filename = f"gode-grep-{data['municipality']['number']}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
