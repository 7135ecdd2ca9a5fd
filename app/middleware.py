"""ASGI middleware: security headers, a limit on request bodies, and the app's own error pages
for what nothing else caught (a bug: 500; the database out of reach: 503)."""

import contextlib
import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _
from app.web import error_page

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
HSTS = b"max-age=63072000; includeSubDomains"
# The database refused or dropped the connection, or the pool had none to give, or Redis (the
# rate-limit store) is out of reach: temporary.
DATABASE_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    RedisConnectionError,
    RedisTimeout,
)


class SecurityHeaders:
    """Headers on every response: a strict CSP with no inline script, no framing, nothing
    stored by caches except static files, and HSTS in production."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                drop = {b"server"} if static else {b"server", b"cache-control"}
                headers = [(k, v) for k, v in message.get("headers", []) if k not in drop]
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if not static:
                    # Results, exports and account pages must not linger in a shared cache.
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over the limit with 413, whether the size is declared up front
    (Content-Length) or only found while reading (chunked), forms and uploads alike."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        state = {"read": 0, "over": False, "started": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > self.max_bytes:
                    state["over"] = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Once the body is too large, whatever the app makes of the cut-off body is dropped.
            if not state["over"]:
                state["started"] = True
                await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if state["over"] and not state["started"]:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = _("Det som ble sendt inn, er for stort. Ingenting ble lagret.")
        await _page(scope, 413, message)(scope, _no_body, send)


class ErrorPages:
    """The app's own page, with its headers, for what escaped every handler: 503 when the
    database cannot be reached (a calm message, nothing for anyone to fix), 500 otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = message["type"] == "http.response.start" or started
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except DATABASE_UNAVAILABLE as exc:
            store = "Redis" if isinstance(exc, RedisConnectionError | RedisTimeout) else "database"
            log.warning("%s unavailable: %s", store, exc)
            if started:
                raise
            page = _page(scope, 503, unavailable_message())
            page.headers["Retry-After"] = "60"
            await page(scope, receive, send)
        except Exception:
            if not started:
                await _page(scope, 500, broken_message())(scope, receive, send)
            raise  # the server logs it with its traceback


def unavailable_message() -> str:
    return _(
        "Tjenesten er midlertidig utilgjengelig. Prøv igjen om noen minutter. "
        "Svar som allerede er lagret, er tatt vare på."
    )


def broken_message() -> str:
    return _("Noe gikk galt hos oss. Feilen er registrert. Prøv igjen om litt.")


def _page(scope: Scope, status: int, message: str) -> Response:
    try:
        return error_page(Request(scope), status, message)
    except Exception:  # the page itself failed: still answer, plainly
        log.exception("error page failed")
        return PlainTextResponse(message, status_code=status)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
