"""Administrator pages: municipalities, users and roles, invitations and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.accounts import invitations, pending
from app.accounts.addresses import ONE_ADDRESS_CHARS, one_address
from app.accounts.models import Invitation, Municipality, Role, User
from app.admin import service
from app.admin.details import detail_lines, target_text
from app.admin.events import event_name, oslo_time
from app.authz import Access
from app.db import SessionDep
from app.errors import DomainError, InvalidInput
from app.i18n import _
from app.settings import get_settings
from app.web import ActorDep, Id, allow, client_ip, redirect, render

router = APIRouter(prefix="/admin")
ADMIN = [allow(Access.ADMIN)]


@router.get("", dependencies=ADMIN)
def overview(request: Request, actor: ActorDep) -> Response:
    return render(request, "admin/overview.html", {})


# /admin/kommuner?bruk=ja: those with users; nei: those nobody uses yet; else all.
IN_USE = {"ja": True, "nei": False}


@router.get("/kommuner", dependencies=ADMIN)
def municipalities(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    fylke: Annotated[str, Query(max_length=100)] = "",
    bruk: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    in_use = IN_USE.get(bruk)
    rows = service.municipalities(session, actor, q, fylke, in_use)
    ctx: dict[str, object] = {"rows": rows, "q": q, "fylke": fylke, "bruk": bruk}
    ctx |= {"counties": service.counties(session), "users": service.user_counts(session, actor)}
    return render(request, "admin/municipalities.html", ctx, blocks=["results"])


@router.get("/kommuner/{municipality_id}", dependencies=ADMIN)
def municipality_page(
    request: Request, municipality_id: Id, actor: ActorDep, session: SessionDep
) -> Response:
    return render(
        request, "admin/municipality.html", _municipality_context(session, actor, municipality_id)
    )


def _municipality_context(
    session: SessionDep, actor: ActorDep, municipality_id: int
) -> dict[str, object]:
    municipality = service.get_municipality(session, actor, municipality_id)
    people = service.users(session, actor, municipality_id=municipality_id)
    pending = invitations.open_invitations(session, municipality_id)
    return {
        "m": municipality,
        "people": people,
        "pending": pending,
        "roles": [Role.STAFF, Role.MANAGER],
        "first_role": service.first_role(people, pending),
        "invitation_days": get_settings().invitation_days,
    }


@router.post("/kommuner/{municipality_id}", dependencies=ADMIN)
def update_municipality(
    request: Request,
    municipality_id: Id,
    actor: ActorDep,
    session: SessionDep,
    size_class: Annotated[str, Form(max_length=20)],
    written_standard: Annotated[str, Form(max_length=7)],
) -> Response:
    municipality = service.get_municipality(session, actor, municipality_id)
    changed = service.update_municipality(
        session, actor, municipality, size_class, written_standard, client_ip(request)
    )
    page = f"/admin/kommuner/{municipality_id}"
    if not changed:
        return redirect(page, _("Ingenting er endret."), request, "info")
    return redirect(page, _("Kommunen er oppdatert."), request)


@router.post("/kommuner/{municipality_id}/inviter", dependencies=ADMIN)
def invite_to_municipality(
    request: Request,
    municipality_id: Id,
    actor: ActorDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=ONE_ADDRESS_CHARS)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    municipality = service.get_municipality(session, actor, municipality_id)
    if role not in (Role.STAFF, Role.MANAGER):
        role = Role.STAFF
    try:
        address = one_address(email)  # as pasted from a mail program too: «Navn <adresse>»
        sent = invitations.invite(
            session, actor, address, Role(role), municipality, client_ip(request)
        )
    except DomainError as exc:  # the form again, as filled in, the reason at the address
        ctx = _municipality_context(session, actor, municipality_id)
        ctx |= {invitations.refusal_key(exc): exc.message, "typed": {"email": email, "role": role}}
        return render(request, "admin/municipality.html", ctx, status_code=exc.status_code)
    return redirect(f"/admin/kommuner/{municipality_id}", sent.message(), request)


@router.post("/invitasjoner/{invitation_id}/send-pa-nytt", dependencies=ADMIN)
def resend(request: Request, invitation_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    """Any open invitation, to a municipality or to none, as a manager sends a staff
    invitation again."""
    try:
        changed = pending.resend(session, actor, invitation_id, client_ip(request))
    except invitations.MailNotSent as exc:  # said at the invitation, as on the manager's page
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None  # else resend had said 404
        failed = {"resend_alert": exc.message, "failed": invitation_id}
        if invitation.municipality_id is None:
            ctx, page = _invite_context(session) | failed, "admin/invite.html"
        else:
            ctx = _municipality_context(session, actor, invitation.municipality_id) | failed
            page = "admin/municipality.html"
        return render(request, page, ctx, status_code=exc.status_code)
    return redirect(_page_of(changed), pending.resent_message(changed), request, changed.kind)


@router.post("/invitasjoner/{invitation_id}/trekk-tilbake", dependencies=ADMIN)
def withdraw(request: Request, invitation_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    """Any open invitation: a wrong address's link ends at once."""
    changed = pending.withdraw(session, actor, invitation_id, client_ip(request))
    return redirect(_page_of(changed), pending.withdrawn_message(changed), request, changed.kind)


def _page_of(changed: pending.Changed) -> str:
    """Where the invitation is listed: its municipality's page, or /admin/inviter."""
    if changed.municipality_id is None:
        return "/admin/inviter"
    return f"/admin/kommuner/{changed.municipality_id}"


@router.get("/kommuner/{municipality_id}/slett", dependencies=ADMIN)
def delete_page(
    request: Request, municipality_id: Id, actor: ActorDep, session: SessionDep
) -> Response:
    municipality = service.get_municipality(session, actor, municipality_id)
    return render(request, "admin/delete.html", {"m": municipality})


@router.post("/kommuner/{municipality_id}/slett", dependencies=ADMIN)
def delete_data(
    request: Request,
    municipality_id: Id,
    actor: ActorDep,
    session: SessionDep,
    confirmation: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    municipality = service.get_municipality(session, actor, municipality_id)
    try:
        service.delete_municipality_data(
            session, actor, municipality, confirmation, client_ip(request)
        )
    except DomainError as exc:
        return render(
            request,
            "admin/delete.html",
            {"m": municipality, "error": exc.message},
            status_code=exc.status_code,
        )
    return redirect(
        f"/admin/kommuner/{municipality_id}", _("Alle data for kommunen er slettet."), request
    )


@router.get("/brukere", dependencies=ADMIN)
def users(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=254)] = "",
    rolle: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    rows = service.users(session, actor, q, rolle)
    return render(
        request,
        "admin/users.html",
        {"rows": rows, "q": q, "rolle": rolle, "roles": list(Role)},
        blocks=["results"],
    )


@router.get("/brukere/{user_id}", dependencies=ADMIN)
def user_page(request: Request, user_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    user = service.get_user(session, actor, user_id)
    return render(request, "admin/user.html", _user_context(session, user))


def _user_context(session: SessionDep, user: User) -> dict[str, object]:
    home = session.get(Municipality, user.municipality_id) if user.municipality_id else None
    return {"u": user, "m": home, "roles": list(Role)}


@router.post("/brukere/{user_id}", dependencies=ADMIN)
def change_user(
    request: Request,
    user_id: Id,
    actor: ActorDep,
    session: SessionDep,
    role: Annotated[str, Form(max_length=20)],
    municipality_number: Annotated[str, Form(max_length=4)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    user = service.get_user(session, actor, user_id)
    try:
        changed = service.change_user(
            session, actor, user, role, municipality_number, active == "on", client_ip(request)
        )
    except DomainError as exc:  # the form again as the administrator set it, with the reason
        typed = {"role": role, "number": municipality_number, "active": active == "on"}
        field = exc.field if isinstance(exc, InvalidInput) else None
        ctx = {**_user_context(session, user), "error": exc.message, "typed": typed}
        ctx["error_field"] = field
        return render(request, "admin/user.html", ctx, status_code=exc.status_code)
    # Any change ends the user's logins at once (the page says so), so it applies now.
    if not changed:
        return redirect(f"/admin/brukere/{user_id}", _("Ingenting er endret."), request, "info")
    message = _("Brukeren er oppdatert. Endringen gjelder med en gang.")
    return redirect(f"/admin/brukere/{user_id}", message, request)


@router.get("/inviter", dependencies=ADMIN)
def invite_page(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    return render(request, "admin/invite.html", _invite_context(session))


def _invite_context(session: SessionDep, email: str = "", **extra: object) -> dict[str, object]:
    """The form, and the open invitations to no municipality (KS advisers, administrators)."""
    return {
        "email": email,
        "pending": invitations.open_invitations(session, None),
        "invitation_days": get_settings().invitation_days,
        **extra,
    }


@router.post("/inviter", dependencies=ADMIN)
def invite(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=ONE_ADDRESS_CHARS)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    try:
        if role not in (Role.KS_ADVISER, Role.ADMIN):
            raise InvalidInput(
                _(
                    "Her inviterer du KS-rådgivere og administratorer. Ledere og ansatte inviteres fra kommunens side."
                )
            )
        address = one_address(email)
        sent = invitations.invite(session, actor, address, Role(role), None, client_ip(request))
    except DomainError as exc:  # the form again as filled in, the role it had included
        ctx = _invite_context(
            session, email, role=role, **{invitations.refusal_key(exc): exc.message}
        )
        return render(request, "admin/invite.html", ctx, status_code=exc.status_code)
    return redirect("/admin/inviter", sent.message(), request)


@router.get("/logg", dependencies=ADMIN)
def audit(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    hendelse: Annotated[str, Query(max_length=50)] = "",
    epost: Annotated[str, Query(max_length=254)] = "",
    kommune: Annotated[str, Query(max_length=20)] = "",
    side: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    place = service.municipality_numbered(session, actor, kommune) if kommune.strip() else None
    unknown = bool(kommune.strip()) and place is None
    events = [] if unknown else service.audit_log(session, actor, hendelse, epost, place, side)
    # The filter's events in the reader's language and its alphabetical order, not the codes'.
    names = sorted(service.event_names(session), key=lambda code: event_name(code).casefold())
    ctx = {
        "events": events,
        "hendelse": hendelse,
        "epost": epost,
        "kommune": kommune.strip(),
        "unknown_place": unknown,
        "side": side,
        "names": names,
        "places": service.places(session, actor),
        "page_size": service.PAGE,
        "event_name": event_name,
        "oslo_time": oslo_time,
        "target_text": target_text,
        "detail_lines": detail_lines,
    }
    return render(request, "admin/audit.html", ctx)
