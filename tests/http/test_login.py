"""Login, logout, sessions, CSRF and security headers."""

import time

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.service import hasher
from app.audit import AuditEvent
from app.main import create_app
from tests.conftest import csrf_of, login
from tests.factories import PASSWORD


def test_it_logs_in_and_shows_the_rounds(client, cast):
    login(client, cast.staff)
    page = client.get("/runder")
    assert page.status_code == 200
    assert cast.staff.email in page.text


def test_it_gives_one_neutral_message_for_any_login_failure(client, cast):
    token = csrf_of(client)
    wrong_password = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": "feil", "csrf_token": token}
    )
    unknown = client.post(
        "/logg-inn", data={"email": "ingen@a.no", "password": PASSWORD, "csrf_token": token}
    )
    assert wrong_password.status_code == unknown.status_code == 422
    message = (
        BeautifulSoup(wrong_password.text, "html.parser")
        .select_one("[role=alert]")
        .get_text(strip=True)
    )
    assert message == BeautifulSoup(unknown.text, "html.parser").select_one(
        "[role=alert]"
    ).get_text(strip=True)
    assert message == "E-postadressen eller passordet er feil."


def test_it_keeps_the_typed_email_after_a_failure(client, cast):
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": "feil", "csrf_token": token}
    )
    assert (
        BeautifulSoup(response.text, "html.parser").select_one("#email")["value"]
        == cast.staff.email
    )


def test_an_inactive_user_cannot_log_in(client, cast, db):
    cast.staff.active = False
    db.add(cast.staff)
    db.commit()
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 422


def test_login_needs_the_csrf_token(client, cast):
    csrf_of(client)
    response = client.post("/logg-inn", data={"email": cast.staff.email, "password": PASSWORD})
    assert response.status_code == 403


def test_the_session_cookie_is_httponly_and_samesite(client, cast):
    client.get("/logg-inn")
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_login_rotates_the_csrf_token(client, cast):
    before = csrf_of(client)
    after = login(client, cast.staff)
    assert before != after


def test_logout_ends_the_session(client, cast):
    token = login(client, cast.staff)
    assert client.post("/logg-ut", data={"csrf_token": token}).status_code == 303
    assert client.get("/runder").headers["location"] == "/logg-inn"


def test_ending_all_sessions_logs_the_user_out_at_once(client, cast, db):
    login(client, cast.staff)
    cast.staff.session_epoch += 1
    db.add(cast.staff)
    db.commit()
    assert client.get("/runder").status_code == 303
    # Told why, not as if they had never logged in.
    assert "Innloggingen din er avsluttet" in client.get("/logg-inn").text


def test_a_page_opened_without_a_login_asks_for_one_without_talk_of_an_expired_session(client):
    """A link in the first e-mail from the service, say: there was no session to expire."""
    client.cookies.clear()
    assert client.get("/runder").headers["location"] == "/logg-inn"
    page = client.get("/logg-inn").text
    assert "Logg inn for å se siden. Du kommer dit når du har logget inn." in page
    assert "avsluttet" not in page
    assert "utløpt" not in page


def test_pages_need_a_login(client):
    response = client.get("/runder")
    assert response.status_code == 303
    assert response.headers["location"] == "/logg-inn"


def flash_of(page: str) -> tuple[str, str]:
    """The colour and text of the message a redirect left for the page."""
    alert = BeautifulSoup(page, "html.parser").select_one("main > .ds-alert[role=status]")
    return alert["data-color"], alert.get_text(strip=True)


def test_a_message_is_coloured_as_what_it_says(client, cast, db, mailbox):
    # «Log in first» is a fact, not a success with a green tick.
    client.get("/runder")
    colour, text = flash_of(client.get("/logg-inn").text)
    assert colour == "info"
    assert "logge inn" in text or "logget inn" in text
    token = login(client, cast.manager)
    sent = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    assert flash_of(client.get(sent.headers["location"]).text)[0] == "success"
    again = client.post(f"/runder/{cast.round_a.id}/paminnelse", data={"csrf_token": token})
    assert flash_of(client.get(again.headers["location"]).text) == (
        "info",
        "Ingen fikk påminnelse nå: alle er ferdige, eller de har alt fått en i dag.",
    )


def test_security_headers_are_on_every_page(client):
    response = client.get("/logg-inn")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "server" not in response.headers


def test_no_page_has_inline_script(client, cast):
    login(client, cast.staff)
    for url in ("/logg-inn", "/runder", f"/runder/{cast.round_a.id}"):
        page = BeautifulSoup(client.get(url).text, "html.parser")
        assert all(script.get("src") for script in page.select("script"))


def test_broken_content_stops_start_up(tmp_path, monkeypatch):
    (tmp_path / "v1").mkdir()
    from app.content import service
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "guidance_dir", tmp_path)
    service.current_guidance.cache_clear()
    try:
        with pytest.raises(Exception, match="meta.yaml: file is missing"), TestClient(create_app()):
            pass
    finally:
        service.current_guidance.cache_clear()


def test_it_returns_to_the_page_opened_before_logging_in(client, cast):
    # A link in an e-mail opened without a login: after logging in, the person is there.
    client.cookies.clear()
    opened = client.get("/konto?fra=epost", follow_redirects=False)
    assert opened.headers["location"] == "/logg-inn"
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/konto?fra=epost"


def test_a_page_opened_long_ago_or_before_a_logout_is_not_where_the_login_goes(
    client, cast, monkeypatch
):
    # A shared computer: the next person to log in, later, starts at their own start page.
    client.cookies.clear()
    start = time.time()
    client.get("/kommune")
    monkeypatch.setattr("app.accounts.routes.time.time", lambda: start + 16 * 60)
    form = {"email": cast.staff.email, "password": PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/logg-inn", data=form).headers["location"] == "/"
    # Logged in, a logout forgets everything; an htmx request is no page opened either.
    monkeypatch.undo()
    client.post("/logg-ut", data={"csrf_token": csrf_of(client)})
    client.get("/kommune", headers={"HX-Request": "true"})
    form = {"email": cast.staff.email, "password": PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/logg-inn", data=form).headers["location"] == "/"


def test_a_login_without_an_earlier_page_goes_to_the_start_page(client, cast):
    client.cookies.clear()
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["location"] == "/"


def test_a_read_in_the_background_is_not_where_the_login_goes(client, cast):
    # autosave.js reads its page for a new form token; that is no page the person opened.
    client.cookies.clear()
    client.get("/konto", headers={"X-Background-Read": "1"})
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("current", "new", "field", "other"),
    [
        ("feil passord", "et helt nytt og langt passord", "current", "new"),
        (PASSWORD, "passwordpassword", "new", "current"),
    ],
)
def test_a_refused_password_change_marks_the_field_it_is_about(
    client, cast, current, new, field, other
):
    token = login(client, cast.staff)
    response = client.post(
        "/konto/passord", data={"current": current, "new": new, "csrf_token": token}
    )
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    marked = page.select_one(f"#{field}")
    assert marked["aria-invalid"] == "true"
    assert marked.has_attr("autofocus")
    reason = page.select_one("#pw-error")
    assert "pw-error" in marked["aria-describedby"].split()
    assert reason.get_text(strip=True)
    assert not page.select_one(f"#{other}").has_attr("aria-invalid")


def test_the_current_password_cannot_be_guessed_without_limit(client, cast, db):
    # Someone at a session left open could try passwords on «Min konto» for ever; the tries
    # count with the account's logins, and the right password is refused once they run out.
    token = login(client, cast.staff)
    data = {"new": "et helt nytt og langt passord", "csrf_token": token}
    statuses = [
        client.post("/konto/passord", data={**data, "current": f"gjett {i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    locked = db.exec(select(AuditEvent).where(AuditEvent.event == "login_locked")).all()
    assert [e.target for e in locked] == [cast.staff.email]
    locked = client.post("/konto/passord", data={**data, "current": PASSWORD})
    assert locked.status_code == 429
    assert "For mange forsøk med feil passord" in locked.text
    db.refresh(cast.staff)
    assert hasher().verify(PASSWORD, cast.staff.password_hash)  # unchanged
    client.cookies.clear()
    form = {"email": cast.staff.email, "password": PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/logg-inn", data=form).status_code == 429  # the same count


def test_the_right_current_password_clears_the_count(client, cast):
    token = login(client, cast.staff)
    data = {"new": "et helt nytt og langt passord", "csrf_token": token}
    for i in range(4):
        client.post("/konto/passord", data={**data, "current": f"gjett {i}"})
    changed = client.post("/konto/passord", data={**data, "current": PASSWORD})
    assert changed.status_code == 303
