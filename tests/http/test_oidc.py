"""Login with an external identity provider (OpenID Connect), against a real provider.

The provider (tests/oidc_provider.py) runs on a loopback port; the app calls its discovery,
JWKS, token and userinfo endpoints over real HTTP, and the test plays the browser between them.
"""

from collections.abc import Iterator

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts import oidc
from app.accounts.models import User
from app.accounts.oidc_routes import router
from app.audit import AuditEvent
from app.main import app
from app.settings import get_settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, new_key

MESSAGE = (
    "Innloggingen hos Test-ID gikk ikke, eller kontoen din er ikke registrert her. "
    "Kontakt lederen din eller KS for å få tilgang."
)


@pytest.fixture(scope="module", autouse=True)
def oidc_routes() -> Iterator[None]:
    """Include the routes unless main.py already does; take away only what was added here."""
    if any(getattr(r, "path", None) == oidc.START_PATH for r in app.routes):
        yield
        return
    before = list(app.router.routes)
    app.include_router(router)
    yield
    app.router.routes[:] = before


@pytest.fixture(scope="module")
def running_provider() -> Iterator[Provider]:
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """The provider, and the app's settings pointed at it (a fresh client registration)."""
    settings = get_settings()
    monkeypatch.setattr(settings, "oidc_issuer", running_provider.issuer)
    monkeypatch.setattr(settings, "oidc_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "oidc_client_secret", CLIENT_SECRET)
    monkeypatch.setattr(settings, "oidc_name", "Test-ID")
    monkeypatch.setattr(settings, "base_url", "http://testserver")
    running_provider.reset()
    oidc.reset()
    yield running_provider
    oidc.reset()


def as_user(provider: Provider, email: str, verified: object = True) -> None:
    provider.next_login = {"sub": f"sub-{email.lower()}", "email": email}
    if verified is not None:
        provider.next_login["email_verified"] = verified


def callback_url(client) -> str:
    """Start the login at the app and let the provider send the browser back: the callback."""
    start = client.get(oidc.START_PATH)
    assert start.status_code == 302, start.text
    provider_response = httpx.get(start.headers["location"], timeout=5, follow_redirects=False)
    assert provider_response.status_code == 302, provider_response.text
    return provider_response.headers["location"]


def log_in(client) -> object:
    return client.get(callback_url(client))


def assert_refused(response, client, db, reason: str) -> None:
    assert response.status_code == 400
    alert = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")
    assert alert is not None
    assert alert.get_text(strip=True) == MESSAGE
    assert client.get("/runder").headers.get("location") == "/logg-inn"  # nobody logged in
    event = db.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.event, event.actor_id) == ("login_oidc_failed", None)
    assert reason in event.detail


def test_a_known_user_logs_in_with_a_verified_email(client, cast, db, provider):
    as_user(provider, "ansatt@a.no")
    response = log_in(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = client.get("/runder")
    assert page.status_code == 200
    assert cast.staff.email in page.text
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "login_oidc")).one()
    assert event.actor_email == cast.staff.email
    assert cast.staff.last_login_at is not None


def test_it_returns_to_the_page_opened_before_logging_in(client, cast, provider):
    assert client.get("/konto").headers["location"] == "/logg-inn"
    as_user(provider, "ansatt@a.no")
    response = log_in(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/konto"


def test_the_email_matches_whatever_its_case(client, cast, provider):
    as_user(provider, " Ansatt@A.NO")
    assert log_in(client).status_code == 303
    assert cast.staff.email in client.get("/runder").text


def test_the_email_may_come_from_userinfo(client, cast, provider):
    as_user(provider, "ansatt@a.no")
    provider.email_in_id_token = False
    assert log_in(client).status_code == 303
    assert cast.staff.email in client.get("/runder").text


def test_an_unknown_email_is_refused_and_nobody_is_created(client, cast, db, provider):
    as_user(provider, "ny@a.no")
    assert_refused(log_in(client), client, db, "unknown_email")
    assert db.exec(select(User).where(User.email == "ny@a.no")).first() is None


@pytest.mark.parametrize("verified", [False, None, "true"])
def test_an_unverified_email_is_refused(client, cast, db, provider, verified):
    as_user(provider, "ansatt@a.no", verified=verified)
    assert_refused(log_in(client), client, db, "email_not_verified")


def test_an_inactive_user_is_refused(client, cast, db, provider):
    cast.staff.active = False
    db.add(cast.staff)
    db.commit()
    as_user(provider, "ansatt@a.no")
    assert_refused(log_in(client), client, db, "inactive")


def test_the_same_message_whatever_went_wrong(client, cast, db, provider):
    as_user(provider, "ny@a.no")
    unknown = log_in(client)
    as_user(provider, "ansatt@a.no", verified=False)
    unverified = log_in(client)
    assert unknown.text.count(MESSAGE) == unverified.text.count(MESSAGE) == 1


def test_a_replayed_callback_is_refused(client, cast, db, provider):
    as_user(provider, "ansatt@a.no")
    url = callback_url(client)
    client.cookies.clear()  # another browser, without the login in progress
    assert_refused(client.get(url), client, db, "oauth:mismatching_state")


def test_a_callback_is_used_only_once(client, cast, db, provider):
    as_user(provider, "ny@a.no")
    url = callback_url(client)
    assert client.get(url).status_code == 400
    assert_refused(client.get(url), client, db, "oauth:mismatching_state")


def test_a_wrong_state_is_refused(client, cast, db, provider):
    as_user(provider, "ansatt@a.no")
    url = callback_url(client).replace("state=", "state=x")
    assert_refused(client.get(url), client, db, "oauth:mismatching_state")


def test_a_provider_error_is_refused(client, cast, db, provider):
    provider.next_error = "access_denied"
    assert_refused(log_in(client), client, db, "oauth:access_denied")


@pytest.mark.parametrize(
    ("tampered", "reason"),
    [
        ({"aud": "someone-else"}, "id_token:invalid_claim"),
        ({"iss": "http://127.0.0.1:1"}, "id_token:invalid_claim"),
        ({"nonce": "another-nonce"}, "id_token:invalid_claim"),
        ({"exp": 1_000_000_000}, "id_token:expired_token"),
    ],
)
def test_a_bad_id_token_is_refused(client, cast, db, provider, tampered, reason):
    as_user(provider, "ansatt@a.no")
    provider.id_token_extra = tampered
    assert_refused(log_in(client), client, db, reason)


def test_an_id_token_signed_with_another_key_is_refused(client, cast, db, provider):
    as_user(provider, "ansatt@a.no")
    provider.signing_key = new_key()  # same key id, not the key the JWKS publishes
    assert_refused(log_in(client), client, db, "id_token:bad_signature")


def test_a_provider_that_is_down_is_refused(client, cast, db, provider, monkeypatch):
    monkeypatch.setattr(get_settings(), "oidc_issuer", "http://127.0.0.1:1")
    oidc.reset()
    assert_refused(client.get(oidc.START_PATH), client, db, "discovery:")


def test_the_login_page_offers_the_provider(client, provider):
    button = BeautifulSoup(client.get("/logg-inn").text, "html.parser").select_one(
        f'a[href="{oidc.START_PATH}"]'
    )
    assert button is not None
    assert button.get_text(strip=True) == "Logg inn med Test-ID"


def test_the_routes_are_not_found_when_oidc_is_not_configured(client, cast, monkeypatch):
    monkeypatch.setattr(get_settings(), "oidc_issuer", None)
    oidc.reset()
    assert oidc.client() is None
    assert client.get(oidc.START_PATH).status_code == 404
    assert client.get(oidc.CALLBACK_PATH + "?code=x&state=y").status_code == 404
    assert f'href="{oidc.START_PATH}"' not in client.get("/logg-inn").text
