"""Login with an external identity provider (OpenID Connect): out to the provider and back.

Async, because Authlib's Starlette client is; the database work runs in the thread pool.
Every failure, whatever the cause, gives the same message on the login page (the reason
goes to the audit log), so nobody learns whether an e-mail address has an account here.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.accounts import oidc
from app.accounts.routes import destination
from app.authz import Access
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.settings import get_settings
from app.web import OptionalActorDep, allow, client_ip, redirect, render, start_session

router = APIRouter()


@router.get(oidc.START_PATH, dependencies=[allow(Access.PUBLIC)])
async def oidc_start(request: Request, actor: OptionalActorDep, session: SessionDep) -> Response:
    provider = _provider()
    if actor is not None:
        return redirect("/")
    try:
        response: Response = await provider.authorize_redirect(request, oidc.redirect_uri())
    except Exception as exc:  # discovery failed: the provider is down or misconfigured
        oidc.log.warning("OIDC discovery failed", exc_info=True)
        refusal = oidc.LoginRefused(f"discovery:{type(exc).__name__}")
        return await _refuse(request, session, refusal)
    return response


@router.get(oidc.CALLBACK_PATH, dependencies=[allow(Access.PUBLIC)])
async def oidc_callback(request: Request, session: SessionDep) -> Response:
    provider = _provider()
    try:
        claims = await oidc.verified_claims(provider, request)
        login = await run_in_threadpool(oidc.finish_login, session, claims, client_ip(request))
    except oidc.LoginRefused as refusal:
        return await _refuse(request, session, refusal)
    target = destination(request)  # a page opened before logging in; the new session forgets it
    await run_in_threadpool(start_session, request, session, login.user, login.locale)
    return redirect(target)


def _provider() -> Any:
    provider = oidc.client()
    if provider is None:
        raise NotFound(_("Vi fant ikke siden du ba om."))
    return provider


async def _refuse(request: Request, session: SessionDep, refusal: oidc.LoginRefused) -> Response:
    oidc.forget_pending(request)
    await run_in_threadpool(oidc.refused, session, refusal, client_ip(request))
    settings = get_settings()
    message = _(
        "Innloggingen hos %(provider)s gikk ikke, eller kontoen din er ikke registrert her. "
        "Kontakt lederen din eller KS for å få tilgang."
    ) % {"provider": settings.oidc_name}
    context = {
        "email": "",
        "error": message,
        "oidc_enabled": settings.oidc_enabled,
        "oidc_name": settings.oidc_name,
    }
    return render(request, "accounts/login.html", context, status_code=400)
