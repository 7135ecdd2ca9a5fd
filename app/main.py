"""create_app(): routers, static files, middleware and error handlers."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.oidc_routes import router as oidc_router
from app.accounts.routes import router as accounts_router
from app.admin.routes import router as admin_router
from app.authz import Access
from app.content.service import current_guidance
from app.devtools import router as dev_router
from app.errors import DomainError, Unauthorized
from app.i18n import _
from app.mail import start_local_server
from app.municipality.routes import router as municipality_router
from app.results.routes import router as results_router
from app.review.routes import router as review_router
from app.rounds.routes import router as rounds_router
from app.settings import ROOT, get_settings
from app.web import allow, csrf_protect, is_htmx, redirect, render

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Broken content stops start-up here, with the file, line and problem in the message.
    current_guidance()
    settings = get_settings()
    controller = None
    if settings.demo:
        try:
            controller, app.state.inbox = start_local_server(settings.smtp_host, settings.smtp_port)
        except (OSError, RuntimeError) as exc:
            logging.getLogger(__name__).warning("demo SMTP server not started: %s", exc)
    yield
    if controller is not None:
        controller.stop()


class SecurityHeaders:
    """Headers on every response: a strict CSP with no inline script, no framing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"server"]
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="Gode grep",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    app.include_router(accounts_router)
    app.include_router(oidc_router)
    app.include_router(rounds_router)
    app.include_router(results_router)
    app.include_router(review_router)
    app.include_router(admin_router)
    app.include_router(dev_router)
    app.include_router(municipality_router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_api_route("/helse", health, methods=["GET"], dependencies=[allow(Access.PUBLIC)])

    from app.web import LocaleMiddleware

    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="godegrep_session",
        max_age=12 * 60 * 60,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    return app


def health() -> Response:
    return PlainTextResponse("ok")


def error_response(request: Request, status: int, message: str) -> Response:
    """An error page for a full request, only the message for an htmx request."""
    ctx = {"status": status, "message": message}
    return render(request, "error.html", ctx, blocks=["message"], status_code=status)


def domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, Unauthorized) and request.method == "GET" and not is_htmx(request):
        return redirect("/logg-inn", exc.message, request)
    return error_response(request, exc.status_code, exc.message)


def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    message = _(
        "Noe av det som ble sendt inn, kan vi ikke ta imot (%(fields)s). Ingenting ble lagret."
    )
    return error_response(request, 422, message % {"fields": ", ".join(fields)})


def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    messages = {
        404: _("Vi fant ikke siden du ba om."),
        405: _("Denne adressen tar ikke imot denne typen forespørsel."),
    }
    return error_response(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))


app = create_app()
