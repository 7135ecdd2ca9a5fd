"""Login with an external identity provider over OpenID Connect (ID-porten, Entra ID, Feide …).

The provider only proves who someone is. Access is still granted here: a login succeeds only
when the provider vouches for an e-mail address (`email_verified`) that belongs to an existing,
active user. Nobody is ever created by logging in this way.

When the settings name no provider (`oidc_enabled` is false) nothing is registered, `client()`
returns None and the routes answer 404. Authlib is imported only then: it is 13.5 MB of every
app process's memory (a fifth of the headroom under the benchmark's 150 MB per process).
"""

import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlmodel import Session, select
from starlette.requests import Request

from app.accounts.models import User
from app.accounts.service import default_locale, get_municipality, login_limiter, normalise_email
from app.audit import record
from app.settings import get_settings

log = logging.getLogger(__name__)

NAME = "oidc"
START_PATH = "/logg-inn/ekstern"
CALLBACK_PATH = "/logg-inn/ekstern/tilbake"
SCOPE = "openid email profile"
HTTP_TIMEOUT = 10.0  # seconds, for discovery, JWKS, token and userinfo calls to the provider


class LoginRefused(Exception):
    """The provider's answer could not be used; `reason` goes to the audit log, never the user."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


class Login(NamedTuple):
    user: User
    locale: str


def client() -> Any | None:
    """The provider's OAuth client (Authlib), registered from the settings on first use."""
    settings = get_settings()
    issuer, client_id, secret = (
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret,
    )
    if not (issuer and client_id and secret):  # not settings.oidc_enabled
        return None
    return _register(issuer, client_id, secret)


@cache
def _register(issuer: str, client_id: str, client_secret: str) -> Any:
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": HTTP_TIMEOUT},
    )
    return oauth.create_client(NAME)


def reset() -> None:
    """Forget the registered client (and the provider metadata and keys it has cached)."""
    _register.cache_clear()


def redirect_uri() -> str:
    """Where the provider sends the user back; must be registered with the provider as is."""
    return get_settings().base_url.rstrip("/") + CALLBACK_PATH


def forget_pending(request: Request) -> None:
    """Drop any login in progress, so its state can't be used later."""
    for key in [k for k in request.session if k.startswith(f"_state_{NAME}_")]:
        del request.session[key]


async def verified_claims(provider: Any, request: Request) -> dict[str, Any]:
    """Exchange the callback's code for tokens; return the checked ID token's claims.

    Authlib checks the state against the session, sends the PKCE verifier, verifies the ID
    token's signature with the provider's JWKS, and checks nonce, expiry and the claims we name
    here: the issuer we are configured with (not merely the one in the discovery document) and
    our client id as audience. If the ID token has no e-mail, the userinfo endpoint is asked.
    """
    from authlib.integrations.starlette_client import OAuthError  # a provider is configured
    from joserfc.errors import JoseError

    settings = get_settings()
    options = {
        "iss": {"essential": True, "value": settings.oidc_issuer},
        "aud": {"essential": True, "value": settings.oidc_client_id},
    }
    try:
        token = await provider.authorize_access_token(request, claims_options=options)
        claims = token.get("userinfo")
        if not claims:  # Authlib skips every ID token check when the response has none
            raise LoginRefused("no_id_token")
        claims = dict(claims)
        if "email" not in claims and (await provider.load_server_metadata()).get(
            "userinfo_endpoint"
        ):
            info = await provider.userinfo(token=token)
            if info.get("sub") == claims["sub"]:  # OIDC core 5.3.2: must be the same person
                claims = {**info, **claims}
    except OAuthError as exc:  # provider error (?error=…), state mismatch, token endpoint error
        raise LoginRefused(f"oauth:{exc.error}") from exc
    except JoseError as exc:  # bad signature, unknown key, wrong iss/aud/nonce, expired
        raise LoginRefused(f"id_token:{exc.error or type(exc).__name__}") from exc
    except LoginRefused:
        raise
    except Exception as exc:  # the provider unreachable, slow or answering nonsense
        log.warning("OIDC token exchange failed", exc_info=True)
        raise LoginRefused(f"exchange:{type(exc).__name__}") from exc
    return claims


def identify(session: Session, claims: dict[str, Any]) -> tuple[User | None, str]:
    """The active user the claims point to, or None and the reason (for the audit log)."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return None, "no_email"
    if claims.get("email_verified") is not True:
        return None, "email_not_verified"
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        return None, "unknown_email"
    if not user.active:
        return None, "inactive"
    return user, ""


def match_user(session: Session, claims: dict[str, Any]) -> User | None:
    """The existing, active user with the claims' verified e-mail address; never creates one."""
    return identify(session, claims)[0]


def finish_login(session: Session, claims: dict[str, Any], ip: str) -> Login:
    """Match the verified claims to a user and log the outcome; raises LoginRefused."""
    user, reason = identify(session, claims)
    email = claims.get("email")
    if user is None:
        raise LoginRefused(reason, normalise_email(email) if isinstance(email, str) else "")
    user.last_login_at = datetime.now(UTC)
    session.add(user)
    record(
        session,
        None,
        "login_oidc",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
        issuer=claims.get("iss"),
        sub=claims.get("sub"),
    )
    session.commit()
    return Login(user, default_locale(get_municipality(session, user.municipality_id)))


def refused(session: Session, refusal: LoginRefused, ip: str) -> None:
    # Failed callbacks count against the address's login limit; past it, they are no longer
    # written to the audit log, so a flood of forged callbacks cannot fill it.
    limiter, _per_account, per_address = login_limiter()
    if not limiter.hit(per_address, "address", ip):
        return
    record(
        session,
        None,
        "login_oidc_failed",
        refusal.email,
        ip=ip,
        email=refusal.email,
        reason=refusal.reason,
    )
    session.commit()
