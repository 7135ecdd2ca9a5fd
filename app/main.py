"""create_app(): routers, static files, middleware and error handlers."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from app.about.routes import router as about_router
from app.accounts.oidc_routes import router as oidc_router
from app.accounts.routes import remember_destination
from app.accounts.routes import router as accounts_router
from app.admin.routes import router as admin_router
from app.authz import Access
from app.content.service import current_guidance
from app.db import RequestSessions, dispose_loop_engines
from app.devtools import router as dev_router
from app.errors import DomainError, Unauthorized
from app.health import router as health_router
from app.i18n import _
from app.jobs import run_in_background
from app.logs import RequestLog
from app.mail import start_local_server
from app.meeting.routes import router as meeting_router
from app.middleware import BodyLimit, ErrorPages, SecurityHeaders
from app.municipality.routes import router as municipality_router
from app.plan.routes import router as plan_router
from app.results.routes import router as results_router
from app.review.routes import router as review_router
from app.rounds.ending_routes import router as ending_router
from app.rounds.routes import router as rounds_router
from app.rounds.routes import save_router
from app.settings import get_settings
from app.static_files import static_app, static_url
from app.trend.routes import router as trend_router
from app.web import (
    LocaleMiddleware,
    allow,
    check_request,
    error_page,
    is_htmx,
    redirect,
    round_page,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Broken content stops start-up here, with the file, line and problem in the message.
    current_guidance()
    settings = get_settings()
    controller = None
    jobs = None
    if settings.demo:
        try:
            controller, app.state.inbox = start_local_server(settings.smtp_host, settings.smtp_port)
        except (OSError, RuntimeError) as exc:
            logging.getLogger(__name__).warning("demo SMTP server not started: %s", exc)
        if settings.demo_jobs_every > 0:
            jobs = run_in_background(settings.demo_jobs_every)
    # What start-up made (modules, content, templates) lives as long as the process: move it out
    # of the collector's sight, so full collections stop walking it mid-request (the KS
    # overview's p95 went from about 300 to 130 ms in tests/bench/national.py).
    gc.freeze()
    try:
        yield
    finally:
        if jobs is not None:
            jobs.set()
        if controller is not None:
            controller.stop()
        await dispose_loop_engines()


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_may_serve()
    app = FastAPI(
        title="Gode grep",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # No OpenTelemetry here (logs are JSON lines, app/logs.py): skip FastAPI's check for
        # a configured provider on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Routes are matched in order: the autosave (every click on a level, by far the busiest)
    # comes first. It makes the request checks itself, in its one function; every other route
    # has them as a dependency.
    app.include_router(save_router)
    checks = [Depends(check_request)]
    for router in (
        rounds_router,
        ending_router,
        accounts_router,
        about_router,
        oidc_router,
        results_router,
        plan_router,
        meeting_router,
        review_router,
        admin_router,
        dev_router,
        municipality_router,
        trend_router,
    ):
        app.include_router(router, dependencies=checks)
    app.mount("/static", static_app(), name="static")
    app.add_api_route(
        "/favicon.ico", favicon, methods=["GET"], dependencies=[allow(Access.PUBLIC), *checks]
    )
    app.include_router(health_router, dependencies=checks)
    # Innermost first: the error pages need the cookie session and the locale set up outside
    # them; the database session is closed innermost, once the route and its background
    # tasks are done (error pages do not use it).
    app.add_middleware(RequestSessions)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ErrorPages)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="godegrep_session",
        max_age=settings.session_max_hours * 60 * 60,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production")
    app.add_middleware(RequestLog)  # outermost: its request id is in every log line and page
    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    return app


def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own; send them to the versioned icon."""
    return RedirectResponse(static_url("favicon.svg"), status_code=301)


def domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, Unauthorized) and request.method == "GET" and not is_htmx(request):
        remember_destination(request)
        # A link from an e-mail opened before any login is not an expired session.
        if getattr(request.state, "login_ended", False):
            msg = _(
                "Innloggingen din er avsluttet (du har vært borte en stund, eller logget ut et "
                "annet sted). Logg inn igjen, så kommer du tilbake til siden."
            )
        else:
            msg = _("Logg inn for å se siden. Du kommer dit når du har logget inn.")
        return redirect("/logg-inn", msg, request, kind="info")
    return error_page(request, exc.status_code, exc.message)


def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    message = _(
        "Noe av det som ble sendt inn, kan vi ikke ta imot (%(fields)s). Ingenting ble lagret."
    )
    return error_page(request, 422, message % {"fields": ", ".join(fields)})


def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 405 and request.method == "GET" and not is_htmx(request):
        # A refused form's page stays at the form's address (…/send-inn); reloaded or opened
        # again from the history, that address takes only POST: go to the round instead.
        page = round_page(request.url.path)
        if page:
            return redirect(page)
    messages = {
        404: _("Vi fant ikke siden du ba om."),
        405: _("Denne adressen tar ikke imot denne typen forespørsel."),
    }
    return error_page(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))


app = create_app()
