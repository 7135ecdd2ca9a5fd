"""Login, logout, language, the account page, invitations and password reset."""

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app import i18n
from app.accounts import invitations, service
from app.accounts.models import Invitation
from app.authz import Access, Actor
from app.db import SessionDep
from app.errors import DomainError, InvalidInput
from app.i18n import _
from app.settings import get_settings
from app.templating import NEXT_MAX
from app.web import (
    BACKGROUND_READ,
    ActorDep,
    OptionalActorDep,
    allow,
    client_ip,
    end_session,
    redirect,
    render,
    start_session,
)

router = APIRouter()
HOME = {"staff": "/runder", "manager": "/runder", "admin": "/admin", "ks_adviser": "/ks"}
AFTER_LOGIN = "after_login"
# A remembered page is for the login that follows soon, not for the next person at a shared
# computer who logs in hours later.
REMEMBER_SECONDS = 15 * 60


def remember_destination(request: Request) -> None:
    """A page opened without a login (a round's link in an e-mail, a bookmark): the login that
    follows goes there, not to the start page, so nobody has to find it again."""
    if request.headers.get(BACKGROUND_READ):  # autosave.js reading for a token: no page opened
        return
    url = request.url
    target = f"{url.path}?{url.query}" if url.query else url.path
    if len(target) <= NEXT_MAX:
        request.session[AFTER_LOGIN] = [target, int(time.time())]


def destination(request: Request) -> str:
    """Where a login goes: the page remembered above if it was opened in the last quarter of an
    hour, else the start page (only local paths)."""
    kept = request.session.get(AFTER_LOGIN)
    if not (isinstance(kept, list) and len(kept) == 2):
        return "/"
    target, when = kept
    if not (isinstance(target, str) and isinstance(when, int)):
        return "/"
    recent = time.time() - when <= REMEMBER_SECONDS
    if recent and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/", dependencies=[allow(Access.PUBLIC)])
def home(actor: OptionalActorDep) -> Response:
    return redirect(HOME.get(actor.role, "/konto") if actor else "/logg-inn")


@router.get("/logg-inn", dependencies=[allow(Access.PUBLIC)])
def login_page(request: Request, actor: OptionalActorDep) -> Response:
    if actor is not None:
        return redirect("/")
    return render(request, "accounts/login.html", _login_context(""))


@router.post("/logg-inn", dependencies=[allow(Access.PUBLIC)])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        user = service.login(session, email, password, client_ip(request))
    except DomainError as exc:
        ctx = _login_context(email, exc.message)
        return render(request, "accounts/login.html", ctx, status_code=exc.status_code)
    municipality = service.get_municipality(session, user.municipality_id)
    target = destination(request)  # before the new session forgets it
    start_session(request, session, user, service.default_locale(municipality))
    return redirect(target)


def _login_context(email: str, error: str | None = None) -> dict[str, object]:
    settings = get_settings()
    return {
        "email": email,
        "error": error,
        "oidc_enabled": settings.oidc_enabled,
        "oidc_name": settings.oidc_name,
    }


@router.post("/logg-ut", dependencies=[allow(Access.PUBLIC)])
def logout(request: Request, actor: OptionalActorDep, session: SessionDep) -> Response:
    service.logged_out(session, actor, client_ip(request))
    end_session(request, session)  # server-side too: a copy of the cookie stops working
    return redirect("/logg-inn", _("Du er logget ut."), request)


@router.post("/konto/logg-ut-overalt", dependencies=[allow(Access.LOGGED_IN)])
def end_all_sessions(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    service.end_all_sessions(session, actor, client_ip(request))
    end_session(request)
    return redirect("/logg-inn", _("Du er logget ut på alle enheter."), request)


@router.post("/sprak", dependencies=[allow(Access.PUBLIC)])
def choose_language(
    request: Request,
    actor: OptionalActorDep,
    session: SessionDep,
    lang: Annotated[str, Form(max_length=2)],
    next: Annotated[str, Form(max_length=NEXT_MAX)] = "/",
) -> Response:
    lang = lang if lang in i18n.LOCALES else i18n.DEFAULT_LOCALE
    request.session.update(lang=lang, lang_chosen=True)
    if actor is not None:
        service.save_locale(session, actor, lang)
    # Only local paths, so the switch can't be used to send people elsewhere.
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return redirect(target)


@router.get("/konto", dependencies=[allow(Access.LOGGED_IN)])
def account_page(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    return render(request, "accounts/account.html", service.account_overview(session, actor))


@router.post("/konto/passord", dependencies=[allow(Access.LOGGED_IN)])
def change_password(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        user = service.change_password(session, actor, current, new, client_ip(request))
    except DomainError as exc:
        field = exc.field if isinstance(exc, InvalidInput) else None  # marked and focused
        ctx = {**service.account_overview(session, actor), "error": exc.message}
        ctx["error_field"] = field
        return render(request, "accounts/account.html", ctx, status_code=exc.status_code)
    start_session(request, session, user, request.session.get("lang", i18n.DEFAULT_LOCALE))
    return redirect("/konto", _("Passordet er endret. Andre innlogginger er avsluttet."), request)


# A link that no longer makes an account: the invitation ended, or the address has one.
ENDED = (invitations.InvitationGone, invitations.AddressTaken)
# Pages that tell how things are, not that something went wrong: no «Feil:» in the title.
CALM: dict[str, object] = {"refused": False}


@router.get("/invitasjon/{token}", dependencies=[allow(Access.PUBLIC)])
def invitation_page(
    request: Request, token: str, session: SessionDep, actor: OptionalActorDep
) -> Response:
    try:
        invitation = invitations.find_invitation(session, token)
    except ENDED as exc:
        return _link_ended(request, actor, exc)
    _invitee_language(request, session, invitation)
    return render(
        request, "accounts/set_password.html", _invitation_context(token, invitation.email)
    )


@router.post("/invitasjon/{token}", dependencies=[allow(Access.PUBLIC)])
def accept_invitation(
    request: Request,
    token: str,
    session: SessionDep,
    actor: OptionalActorDep,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        invitation = invitations.find_invitation(session, token)
    except ENDED as exc:  # sent again once the account was made, or with an old link
        return _link_ended(request, actor, exc, refused=True)
    _invitee_language(request, session, invitation)  # its messages, too
    try:
        user = invitations.accept(session, token, password, client_ip(request))
    except ENDED as exc:  # another request used the link, or the address, meanwhile
        return _link_ended(request, actor, exc, refused=True)
    except DomainError as exc:
        ctx = {**_invitation_context(token, invitation.email), "error": exc.message}
        return render(request, "accounts/set_password.html", ctx, status_code=exc.status_code)
    start_session(
        request,
        session,
        user,
        service.default_locale(service.get_municipality(session, user.municipality_id)),
    )
    return redirect("/", _("Velkommen! Kontoen din er klar."), request)


def _link_ended(
    request: Request, actor: Actor | None, exc: DomainError, refused: bool = False
) -> Response:
    """An invitation link that makes no account (any more), on a calm page of the app's own.

    A used link opened again (people keep the mail as their bookmark) lets its owner in:
    logged in, the start page; logged out, the login with the address filled in, as the
    link's own page showed it. Someone else logged in learns only that it was for another
    address and is used. An expired, withdrawn, replaced or unknown link gets one page.
    `refused`: a form sent with the link, which did nothing (409 on the login page)."""
    if not isinstance(exc, invitations.AddressTaken):
        return render(request, "accounts/invitation_ended.html", CALM, status_code=exc.status_code)
    if actor is None:
        notice = _("Du har allerede en konto. Logg inn med passordet ditt.")
        ctx = _login_context(exc.email) | CALM | {"notice": notice}
        status = exc.status_code if refused else 200
        return render(request, "accounts/login.html", ctx, status_code=status)
    if actor.email.casefold() == exc.email.casefold():
        return redirect("/", _("Du har allerede en konto, og er logget inn."), request, "info")
    ctx = CALM | {"for_another": True}
    return render(request, "accounts/invitation_ended.html", ctx, status_code=exc.status_code)


def _invitee_language(request: Request, session: SessionDep, invitation: Invitation) -> None:
    """Until they choose one, the invitee reads their municipality's language, as the mail."""
    if "lang" not in request.session:
        municipality = service.get_municipality(session, invitation.municipality_id)
        i18n.set_locale(service.default_locale(municipality))


def _invitation_context(token: str, email: str) -> dict[str, object]:
    return {"action": f"/invitasjon/{token}", "email": email, "heading": _("Velg passord")}


@router.get("/glemt-passord", dependencies=[allow(Access.PUBLIC)])
def forgot_page(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {"sent": False})


@router.post("/glemt-passord", dependencies=[allow(Access.PUBLIC)])
def forgot(
    request: Request, session: SessionDep, email: Annotated[str, Form(max_length=254)]
) -> Response:
    invitations.request_reset(session, email, client_ip(request))
    # How long the link works, as the mail says it (the page is the same whoever asked).
    ctx = {"sent": True, "minutes": get_settings().reset_minutes}
    return render(request, "accounts/forgot.html", ctx)


@router.get("/nytt-passord/{token}", dependencies=[allow(Access.PUBLIC)])
def reset_page(request: Request, token: str, session: SessionDep) -> Response:
    return render(request, "accounts/set_password.html", _reset_context(session, token))


def _reset_context(session: SessionDep, token: str) -> dict[str, object]:
    """The set-password page for a reset link; an unused, unexpired link or a 404."""
    user = service.get_user(session, invitations.find_reset(session, token).user_id)
    return {
        "action": f"/nytt-passord/{token}",
        "email": user.email if user else "",
        "heading": _("Nytt passord"),
    }


@router.post("/nytt-passord/{token}", dependencies=[allow(Access.PUBLIC)])
def reset_password(
    request: Request,
    token: str,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    page = _reset_context(session, token)  # before the link is used up
    try:
        invitations.reset_password(session, token, password, client_ip(request))
    except DomainError as exc:
        ctx = {**page, "error": exc.message}
        return render(request, "accounts/set_password.html", ctx, status_code=exc.status_code)
    return redirect("/logg-inn", _("Passordet er endret. Logg inn med det nye passordet."), request)
