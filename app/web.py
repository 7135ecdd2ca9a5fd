"""Web plumbing shared by every feature: render(), sessions, the actor, CSRF, locale (the
templates themselves: app.templating)."""

import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Receive, Scope, Send

from app import i18n
from app.accounts import sessions
from app.accounts.models import User
from app.authz import Access, Actor, Decision, may_enter
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from app.logs import REQUEST_ID
from app.settings import get_settings
from app.templating import env, templates

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Every integer in a path is a database id: bounded, so a huge number is a 422, not a 500.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
# Control characters other than tab, CR and LF: no one types them, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    blocks: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The whole page, or only the named blocks when htmx asks (the handler never checks)."""
    settings = get_settings()
    ctx = {
        "csrf_token": csrf_token(request),
        "demo": settings.demo,
        "locale": i18n.current_locale(),
        "actor": getattr(request.state, "actor", None),
        "nav_links": nav_links(getattr(request.state, "actor", None)),
        "flash": _take_flash(request),
        "request_id": REQUEST_ID.get(),
        # A page shown again with a refusal says so in its title, which a screen reader reads
        # first (the error page's own title says it already).
        "refused": 400 <= status_code < 500 and template != "error.html",
        **(context or {}),
    }
    if blocks and is_htmx(request):
        return render_blocks(request, template, blocks, ctx, status_code)
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response


BACKGROUND_READ = "X-Background-Read"  # autosave.js reading a page for its form token


Kind = Literal["success", "info", "warning"]  # Designsystemet's alert colours


@dataclass(frozen=True)
class Flash:
    """A message for the next page: what was done (success), a plain fact (info: log in
    first, nobody needed a reminder), or done with a catch (warning: a mail not sent)."""

    text: str
    kind: Kind = "success"
    # Where the page shows it instead of at the top: a redirect to a section further down
    # (`…#readings-heading`) lands there, and a message at the top would be out of sight.
    at: str | None = None


def _take_flash(request: Request) -> Flash | None:
    """The message for the page the person goes to next; a read in the background (not seen)
    leaves it for that page."""
    if request.headers.get(BACKGROUND_READ):
        return None
    kept = request.session.pop("flash", None)
    if isinstance(kept, list) and len(kept) in (2, 3, 4) and kept[1] in get_args(Kind):
        at = kept[2] if len(kept) >= 3 and isinstance(kept[2], str) else None
        # On another page than the one redirected to (a login between, say), the section may
        # not be there: the top of the page, where every page shows a message.
        if len(kept) == 4 and kept[3] != request.url.path:
            at = None
        return Flash(str(kept[0]), kept[1], at or None)
    return Flash(kept) if isinstance(kept, str) else None


def render_blocks(
    request: Request,
    name: str,
    blocks: list[str],
    ctx: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """The named blocks of a template, one after the other, rendered in one context with only
    the context given. render() gives it the page's context; the autosave, which answers every
    click with three blocks, only what they show (no menu, flash message or CSRF token)."""
    template = env.get_template(name)
    context = template.new_context({**ctx, "request": request})
    try:
        html = "".join(env.concat(template.blocks[block](context)) for block in blocks)
    except Exception:
        env.handle_exception()
        raise
    response = HTMLResponse(html, status_code)
    response.headers["Vary"] = "HX-Request"
    return response


def nav_links(actor: Actor | None) -> list[tuple[str, str]]:
    """The main menu: only the places the actor's role may enter."""
    places = [
        ("/runder", i18n._("Runder"), Access.MUNICIPALITY),
        ("/kommune", i18n._("Kommunen"), Access.MANAGER),
        ("/utvikling", i18n._("Utvikling"), Access.MANAGER),
        ("/ks", i18n._("Til gjennomgang"), Access.KS),
        ("/ks/oversikt", i18n._("Nasjonal oversikt"), Access.KS),
        ("/admin", i18n._("Administrasjon"), Access.ADMIN),
    ]
    return [
        (href, label)
        for href, label, access in places
        if may_enter(actor, access) is Decision.ALLOW
    ]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect(
    url: str,
    flash: str | None = None,
    request: Request | None = None,
    kind: Kind = "success",
    at: str | None = None,
) -> Response:
    """Redirect after POST (303), optionally leaving a message of that kind for the next page:
    at its top, or in the section `at` names (a template showing `flash_here(flash, at)`)."""
    if flash and request is not None:
        request.session["flash"] = [flash, kind, at or "", urlsplit(url).path]
    return RedirectResponse(url, status_code=303)


# --- sessions -------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    token: str | None = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def start_session(
    request: Request, db: Session, user: User, default_locale: str = i18n.DEFAULT_LOCALE
) -> None:
    """Log the user in with a fresh session: a new server-side session id and CSRF token, so
    nothing carries over (the session it replaces, if any, is ended).

    Language: the user's saved choice, else one made before logging in, else the default
    (the municipality's written standard).
    """
    lang = request.session.get("lang_chosen") and request.session.get("lang")
    sid = sessions.start(db, user, replacing=request.session.get("sid"))
    request.session.clear()
    request.session.update(
        sid=sid,
        csrf=secrets.token_urlsafe(32),
        seen=int(time.time()),
        lang=user.locale or lang or default_locale,
    )


def end_session(request: Request, db: Session | None = None) -> None:
    """Forget the login in the cookie and, given the database, end it server-side too."""
    sid = request.session.get("sid")
    if db is not None and isinstance(sid, str):
        sessions.end(db, sid)
    if isinstance(sid, str):  # a login there was, now over: the login page says so
        request.state.login_ended = True
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session.update(lang=lang, lang_chosen=True)


def client_ip(request: Request) -> str:
    """The client's address: the peer's, unless the peer is a proxy we trust
    (GODEGREP_TRUSTED_PROXIES); then the right-most address in X-Forwarded-For that is not one
    of our proxies, since everything left of it may be forged by the client."""
    peer = request.client.host if request.client else ""
    networks = get_settings().proxy_networks
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def _is_trusted(address: str, networks: Any) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def optional_actor(request: Request, session: SessionDep) -> Actor | None:
    """The logged-in actor, or None if there is no valid, active, recent session."""
    now = time.time()
    sid = session_token(request, now)
    if sid is None:
        return None
    row = sessions.active_login(session, sid, datetime.fromtimestamp(now, UTC))
    # Hand the connection back before the route runs. This dependency runs on a worker thread
    # of its own; holding a pooled connection while the route waits for a free thread
    # deadlocks under a burst of saves (every thread waiting for a connection that a waiting
    # request holds). The benchmark found this at 100 simultaneous savers.
    session.commit()
    return accept_login(request, None if row is None else row_actor(row), now)


def session_token(request: Request, now: float) -> str | None:
    """The login session id in the cookie, unless the session has been idle too long (that
    ends it here). Only the cookie: whether the login is still valid is the database's word."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        return None
    if now - int(request.session.get("seen", 0)) > get_settings().session_idle_minutes * 60:
        end_session(request)
        return None
    return sid


def row_actor(row: Any) -> Actor:
    return Actor(row.id, row.role, row.municipality_id, row.email)


def accept_login(request: Request, actor: Actor | None, now: float) -> Actor | None:
    """Take the database's answer about the cookie's login: forget a login that is no longer
    valid, else note the activity and make the actor the request's."""
    if actor is None:
        end_session(request)
        return None
    if now - request.session["seen"] > 60:
        request.session["seen"] = int(now)
    request.state.actor = actor
    return actor


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthorized(
            i18n._("Du er ikke logget inn, eller økten din er utløpt. Logg inn igjen.")
        )
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]


class Allow:
    """A route's declared access rule, enforced before anything else the route does.

    Every route states one (`dependencies=[allow(Access.X)]`); a test enumerates the app's
    routes and fails for any route without one.
    """

    def __init__(self, access: Access) -> None:
        self.access = access

    async def __call__(self, actor: OptionalActorDep) -> None:
        # async: no I/O here, so FastAPI need not hop to a worker thread for it
        if self.access is Access.DEVELOPER and not get_settings().demo:
            raise NotFound(i18n._("Vi fant ikke siden du ba om."))
        decision = may_enter(actor, self.access)
        if decision is Decision.NOT_LOGGED_IN:
            raise Unauthorized(
                i18n._("Du er ikke logget inn, eller økten din er utløpt. Logg inn igjen.")
            )
        if decision is Decision.FORBIDDEN:
            raise Forbidden(i18n._("Du har ikke tilgang til denne siden med rollen din."))


def allow(access: Access) -> Any:
    return Depends(Allow(access))


class AllowInHandler(Allow):
    """The same rule for the autosave hot path, where the handler checks the login in the one
    query it makes anyway (`app.rounds.hotpath`) and then calls `enforce`. Here, before the
    handler, only what needs no database: without a live login cookie the answer is the same
    401 as Allow gives."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        if may_enter(None, self.access) is Decision.ALLOW:
            return
        if session_token(request, time.time()) is None:
            raise Unauthorized(
                i18n._("Du er ikke logget inn, eller økten din er utløpt. Logg inn igjen.")
            )

    def enforce(self, actor: Actor | None) -> None:
        """The decision Allow makes, for the actor the handler found."""
        decision = may_enter(actor, self.access)
        if decision is Decision.NOT_LOGGED_IN:
            raise Unauthorized(
                i18n._("Du er ikke logget inn, eller økten din er utløpt. Logg inn igjen.")
            )
        if decision is Decision.FORBIDDEN:
            raise Forbidden(i18n._("Du har ikke tilgang til denne siden med rollen din."))


async def check_request(request: Request) -> None:
    """What every request passes before a route sees it: no control characters in the path, the
    query or a form field, and on a state-changing request the session's CSRF token."""
    form = await request.form() if request.method in UNSAFE_METHODS else None
    reject_control_characters(request, form)
    csrf_protect(request, form)


def csrf_protect(request: Request, form: FormData | None) -> None:
    """Every state-changing request must carry the session's CSRF token (form field or header)."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    if not expected:
        raise Unauthorized(
            i18n._(
                "Du er ikke logget inn, eller økten din er utløpt, så vi kunne ikke ta imot "
                "skjemaet. Logg inn igjen. Svar som allerede er lagret, er tatt vare på."
            )
        )
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and form is not None:
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, expected):
        raise Forbidden(
            i18n._(
                "Skjemaet var utløpt eller kom ikke fra denne siden. Last inn siden og prøv igjen."
            )
        )


def reject_control_characters(request: Request, form: FormData | None) -> None:
    """Refuse control characters in the path, the query and any form field (uploaded files are
    not text and are left alone): one search over all of them, joined."""
    pairs = [*request.query_params.multi_items(), *(form.multi_items() if form else [])]
    texts = [*request.path_params.values(), *(text for pair in pairs for text in pair)]
    if CONTROL_CHARACTERS.search("".join(t for t in texts if isinstance(t, str))):
        raise InvalidInput(
            i18n._(
                "Det du sendte inn, inneholder kontrolltegn vi ikke kan ta imot. "
                "Fjern dem og prøv igjen. Ingenting ble lagret."
            )
        )


# What a control character in typed text stood for, as autosave.js reads it: vertical tab,
# form feed and next line are line breaks; the others show as nothing.
LINE_BREAKS = re.compile(r"[\x0b\x0c\x85]")


def without_control_characters(value: object) -> object:
    """A form value with its control characters gone (line breaks kept as line breaks)."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", LINE_BREAKS.sub("\n", value))


def error_page(request: Request, status: int, message: str) -> Response:
    """An error page for a full request, only the message for an htmx request."""
    ctx = {"status": status, "message": message, "back": way_back(request.url.path, status)}
    return render(request, "error.html", ctx, blocks=["message"], status_code=status)


ROUND_PAGE = re.compile(r"^(/ks)?/runder/\d+(?=/)")


def round_page(path: str) -> str | None:
    """The round's own page for an address under it (/runder/7/… → /runder/7), else None."""
    found = ROUND_PAGE.match(path)
    return found.group(0) if found else None


def way_back(path: str, status: int) -> str | None:
    """For a refusal on a round's page (409: not now, e.g. the round is still open), the
    round's own page: the way on is there, not at the front page."""
    return round_page(path) if status == 409 else None


class LocaleMiddleware:
    """Choose each request's locale: the choice kept in the session, else bokmål."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            session = scope.get("session") or {}
            i18n.set_locale(session.get("lang", i18n.DEFAULT_LOCALE))
        await self.app(scope, receive, send)
