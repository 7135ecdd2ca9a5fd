"""Never a bare 500: control characters, huge ids and huge bodies get a clear 4xx and change
nothing; a bug gets the app's own error page; a database out of reach gets a calm 503."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session, func, select

from app.audit import AuditEvent
from app.authz import Access
from app.content.service import guidance_for
from app.db import get_session
from app.main import create_app
from app.rounds.models import AreaComment
from app.settings import Settings
from app.web import allow
from tests.conftest import csrf_of, login
from tests.factories import PASSWORD
from tests.http.test_authz_matrix import api_routes
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
CONTROL = "kontrolltegn"
HX = {"HX-Request": "true"}


def audit_count(db) -> int:
    return db.exec(select(func.count()).select_from(AuditEvent)).one()


def alert(response) -> str:
    return BeautifulSoup(response.text, "html.parser").select_one("[role=alert]").get_text()


# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x0b", "\x85"])
def test_a_control_character_in_the_login_form_is_refused(client, cast, db, char):
    token, before = csrf_of(client), audit_count(db)
    data = {"email": f"ansatt{char}@a.no", "password": PASSWORD, "csrf_token": token}
    response = client.post("/logg-inn", data=data)
    assert response.status_code == 422
    assert CONTROL in alert(response)
    assert audit_count(db) == before


def test_a_nul_in_the_forgotten_password_form_is_refused(client, cast, db, mailbox):
    token = csrf_of(client)
    response = client.post("/glemt-passord", data={"email": "\x00", "csrf_token": token})
    assert response.status_code == 422
    assert CONTROL in alert(response)
    assert mailbox == []


def test_a_nul_in_a_multipart_field_is_refused_but_a_file_may_hold_any_byte(client, cast, db):
    token, before = csrf_of(client), audit_count(db)
    data = {"email": cast.staff.email + "\x00", "password": PASSWORD, "csrf_token": token}
    response = client.post("/logg-inn", data=data, files={"f": ("a.bin", b"\x00\x01")})
    assert response.status_code == 422
    assert CONTROL in alert(response)
    data["email"] = cast.staff.email
    assert client.post("/logg-inn", data=data, files={"f": ("a.bin", b"\x00")}).status_code == 303
    assert audit_count(db) == before + 1  # the login only


def test_a_nul_in_a_query_value_is_refused(client, cast):
    login(client, cast.admin)
    response = client.get("/admin/brukere", params={"q": "a\x00b"})
    assert response.status_code == 422
    assert CONTROL in alert(response)


def test_tab_and_line_breaks_are_ordinary_text(client, cast, db):
    token = login(client, cast.staff)
    area = guidance_for(db, cast.round_a.content_version_id).areas[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    comment = "Første linje\r\nAndre linje\tmed tabulator"
    response = client.post(url, data={f"c.{area.id}": comment, "csrf_token": token}, headers=HX)
    assert response.status_code == 200
    stored = db.exec(select(AreaComment)).one()
    assert stored.text.replace("\r\n", "\n") == comment.replace("\r\n", "\n")


# --- ids in the path --------------------------------------------------------------------------


def routes_with_ids() -> list[tuple[str, str]]:
    """(method, path) of every route with a number in its path: all of them, so a new one is
    checked without anyone adding it here."""
    found = []
    for route in api_routes():
        if re.search(r"\{\w*_id\}", route.path):
            found += [(method, route.path) for method in sorted(route.methods)]
    return found


IDS = routes_with_ids()


@pytest.mark.parametrize("number", ["99999999999999999999", "2147483648", "0", "-1"])
def test_an_id_out_of_range_is_refused_on_every_route(client, cast, number):
    # A number past PostgreSQL's integer (or SQLite's 64 bits) gave a 500 on 5 routes.
    assert len(IDS) > 30
    for person in (cast.admin, cast.manager, cast.ks_adviser):
        token = login(client, person)
        for method, path in IDS:
            url = re.sub(r"\{\w*_id\}", number, path.replace("{area_id}", "tillit"))
            url = re.sub(r"\{\w+\}", "x", url)
            response = client.request(method, url, data={"csrf_token": token})
            assert response.status_code in (403, 404, 405, 422), (person.role, method, url)
            assert response.headers["content-type"].startswith("text/html"), url
        client.cookies.clear()


# --- a bug: the app's own 500 page ------------------------------------------------------------


def broken_app():
    app = create_app()

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/feil", boom, methods=["GET"], dependencies=[allow(Access.PUBLIC)])
    return TestClient(app, raise_server_exceptions=False)


def test_a_bug_gives_the_apps_own_error_page_with_its_headers():
    with broken_app() as client:
        response = client.get("/feil")
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in alert(response)
    assert "a bug" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_a_bug_in_an_htmx_request_gives_only_the_message():
    with broken_app() as client:
        response = client.get("/feil", headers=HX)
    assert response.status_code == 500
    assert "<html" not in response.text
    assert "Noe gikk galt hos oss" in response.text


# --- the database out of reach ----------------------------------------------------------------


@pytest.fixture
def database_down(client):
    """From now on the app's database is a closed port: every query fails to connect."""
    engine = create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere",
        connect_args={"connect_timeout": 2},
    )

    def unreachable():
        with Session(engine) as session:
            yield session

    def cut() -> None:
        client.app.dependency_overrides[get_session] = unreachable

    yield cut
    engine.dispose()


def assert_calm_503(response) -> None:
    assert response.status_code == 503
    assert "midlertidig utilgjengelig" in alert(response)
    assert "content-security-policy" in response.headers
    assert response.headers["retry-after"] == "60"


def test_login_with_the_database_down_gives_a_calm_503(client, cast, database_down):
    token = csrf_of(client)
    database_down()
    data = {"email": cast.staff.email, "password": PASSWORD, "csrf_token": token}
    assert_calm_503(client.post("/logg-inn", data=data))


def test_pages_with_the_database_down_give_a_calm_503(client, cast, database_down):
    login(client, cast.staff)
    database_down()
    assert_calm_503(client.get("/runder"))


def test_health_checks_tell_alive_from_ready(client, database_down):
    assert client.get("/helse/live").text == "ok"
    assert client.get("/helse/klar").status_code == 200
    assert client.get("/helse").text == "ok"
    database_down()
    assert client.get("/helse/live").status_code == 200
    assert client.get("/helse/klar").status_code == 503
    assert client.get("/helse").status_code == 503


def test_a_database_behind_the_code_is_not_ready(client, db):
    db.execute(text("UPDATE alembic_version SET version_num = 'b1ecafe65b3e'"))
    assert client.get("/helse/klar").status_code == 503


# --- request bodies ---------------------------------------------------------------------------

BIG = 2 * 1024 * 1024


def assert_too_large(response) -> None:
    assert response.status_code == 413
    assert "for stort" in alert(response)
    assert "content-security-policy" in response.headers


def test_a_declared_large_body_is_refused(client, cast, db):
    token, before = csrf_of(client), audit_count(db)
    data = {"email": "x" * BIG, "password": PASSWORD, "csrf_token": token}
    assert_too_large(client.post("/logg-inn", data=data))
    assert audit_count(db) == before


def test_a_large_multipart_upload_is_refused(client, cast):
    token = csrf_of(client)
    files = {"f": ("stor.bin", b"\x00" * BIG)}
    assert_too_large(client.post("/logg-inn", data={"csrf_token": token}, files=files))


def test_a_large_streamed_body_without_a_length_is_refused(client, cast, db):
    token, before = csrf_of(client), audit_count(db)

    def chunks():
        yield f"csrf_token={token}&password=x&email=".encode()
        for _ in range(BIG // 65536):
            yield b"a" * 65536

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/logg-inn", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert_too_large(response)
    assert audit_count(db) == before


# --- the secret -------------------------------------------------------------------------------


def test_the_app_refuses_to_start_with_the_public_secret_outside_demo_and_tests():
    env = {**os.environ, "GODEGREP_ENVIRONMENT": "development", "GODEGREP_DEMO": "0"}
    env.pop("GODEGREP_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import app.main"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "GODEGREP_SECRET_KEY" in done.stderr


def register_with(**settings: str) -> subprocess.CompletedProcess[str]:
    """A migrate step (loading the register) run in production with these settings."""
    env = {**os.environ, "GODEGREP_ENVIRONMENT": "production", **settings}
    return subprocess.run(
        [sys.executable, "-m", "app.accounts.register"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_refused_settings_stop_a_command_with_the_reason_in_one_line():
    # An operator runs the migrate steps after each change to .env: the reason, not 40 lines of
    # traceback with part of the settings (a refused secret among them) in it.
    done = register_with(GODEGREP_SECRET_KEY="kort-zq7")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Gode grep: settings refused: "
        "GODEGREP_SECRET_KEY must be set to at least 32 random characters"
    ]
    # A value of the wrong kind is named by its variable, and the value is not repeated.
    done = register_with(GODEGREP_SECRET_KEY="k" * 40, GODEGREP_SESSION_MAX_HOURS="tolv-zq8")
    assert done.stderr.startswith("Gode grep: settings refused: GODEGREP_SESSION_MAX_HOURS: ")
    assert "tolv-zq8" not in done.stderr


@pytest.mark.parametrize(
    ("settings", "starts"),
    [
        ({"environment": "development"}, False),
        ({"environment": "development", "secret_key": "short"}, False),
        ({"environment": "development", "secret_key": "k" * 32}, True),
        ({"environment": "development", "demo": True}, True),
        ({"environment": "test"}, True),
        ({"environment": "production", "secret_key": "k" * 32}, True),
    ],
)
def test_only_demo_and_tests_may_keep_the_development_secret(settings, starts):
    if starts:
        Settings(**settings).check_may_serve()
    else:
        with pytest.raises(RuntimeError, match="GODEGREP_SECRET_KEY"):
            Settings(**settings).check_may_serve()
