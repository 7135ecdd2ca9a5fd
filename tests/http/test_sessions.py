"""Login sessions live in the database: logout ends every copy of the cookie, in every app
process, and a session ends after an absolute lifetime however busy it is."""

import base64
import hashlib
import json
import time

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import LoginSession
from app.db import get_session
from app.main import create_app
from tests.conftest import login, statements_run
from tests.factories import PASSWORD

COOKIE = "godegrep_session"


def cookie_data(cookie: str) -> dict:
    payload = cookie.split(".")[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_copied_cookie_stops_working_after_logout(client, cast):
    token = login(client, cast.staff)
    stolen = client.cookies.get(COOKIE)
    assert client.post("/logg-ut", data={"csrf_token": token}).status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE, stolen)
    response = client.get("/runder")
    assert response.status_code == 303
    assert response.headers["location"] == "/logg-inn"


def test_logout_in_one_app_process_ends_the_session_in_another(client, cast, db):
    token = login(client, cast.staff)
    stolen = client.cookies.get(COOKIE)
    other_process = create_app()  # nothing shared with the first but the database
    other_process.dependency_overrides[get_session] = lambda: db
    with TestClient(other_process, follow_redirects=False) as other:
        other.cookies.set(COOKIE, stolen)
        assert other.get("/runder").status_code == 200
        client.post("/logg-ut", data={"csrf_token": token})
        assert other.get("/runder").status_code == 303


def test_the_database_holds_only_a_hash_of_the_cookies_session_id(client, cast, db):
    login(client, cast.staff)
    sid = cookie_data(client.cookies.get(COOKIE))["sid"]
    stored = db.exec(select(LoginSession).where(LoginSession.user_id == cast.staff.id)).one()
    assert stored.token_hash == hashlib.sha256(sid.encode()).hexdigest()
    assert stored.ended_at is None
    assert sid not in stored.token_hash


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(client, cast, monkeypatch):
    login(client, cast.staff)
    start = time.time()
    for hours in (1.5, 3, 4.5, 6, 7.5, 9, 10.5, 11.9):  # never idle for long
        monkeypatch.setattr("app.web.time.time", lambda h=hours: start + h * 3600)
        assert client.get("/runder").status_code == 200, hours
    monkeypatch.setattr("app.web.time.time", lambda: start + 12.1 * 3600)
    assert client.get("/runder").status_code == 303


def test_a_new_login_ends_the_session_it_replaces(client, cast, db):
    login(client, cast.staff)
    first = client.cookies.get(COOKIE)
    login(client, cast.staff2, fresh=False)  # same browser, another account
    client.cookies.clear()
    client.cookies.set(COOKIE, first)
    assert client.get("/runder").status_code == 303


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(client, cast):
    token = login(client, cast.staff)
    elsewhere = client.cookies.get(COOKIE)
    token = login(client, cast.staff)
    data = {"current": PASSWORD, "new": "et helt nytt og langt passord"}
    response = client.post("/konto/passord", data={**data, "csrf_token": token})
    assert response.status_code == 303
    assert client.get("/runder").status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, elsewhere)
    assert client.get("/runder").status_code == 303


def test_the_actor_costs_one_query_per_request(client, cast, db):
    login(client, cast.staff)
    with statements_run(db) as statements:
        response = client.get("/")  # the home page only asks who is logged in
    assert response.status_code == 303
    assert len(statements) == 1, statements
