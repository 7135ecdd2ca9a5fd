"""Structured logs and request ids: JSON lines an operator can search, that never hold what
people wrote or their e-mail addresses; a request id in a header and on every error page, so
users can quote it; and the app's own error page for every 4xx and 5xx."""

import json
import re

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.authz import Access
from app.main import create_app
from app.web import allow
from tests.conftest import csrf_of, login, sqlite_url
from tests.http.test_robustness import BIG
from tests.live import demo_round, live_server, prepare

HX = {"HX-Request": "true"}


def reference_on(response: httpx.Response) -> str:
    """The request id the page shows, which must be the one in the header."""
    match = re.search(r'class="ds-paragraph request-id">[^<]*<code>([^<]+)</code>', response.text)
    assert match, f"no error reference on the {response.status_code} page"
    assert match.group(1) == response.headers["x-request-id"]
    return match.group(1)


def assert_own_error_page(response: httpx.Response, status: int, form: bool = False) -> None:
    """The app's page with its headers; an error page shows the reference, a form that is
    shown again with its message (a wrong password, too many attempts) has it in the header."""
    assert response.status_code == status
    assert "<html" in response.text
    assert 'class="ds-alert"' in response.text
    assert "content-security-policy" in response.headers
    if form:
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    else:
        reference_on(response)


def test_every_error_status_gets_the_apps_own_page_with_a_reference(client, cast, db):
    assert_own_error_page(client.get("/finnes-ikke"), 404)
    assert_own_error_page(client.put("/logg-inn"), 405)
    assert_own_error_page(client.post("/logg-inn", content=b"x" * BIG), 413)
    for _ in range(5):
        form = {"email": cast.staff3.email, "password": "feil", "csrf_token": csrf_of(client)}
        assert_own_error_page(client.post("/logg-inn", data=form), 422, form=True)
    form = {"email": cast.staff3.email, "password": "feil", "csrf_token": csrf_of(client)}
    assert_own_error_page(client.post("/logg-inn", data=form), 429, form=True)
    login(client, cast.staff)
    assert_own_error_page(client.get("/runder/0"), 422)
    assert_own_error_page(client.post("/runder", data={"csrf_token": "feil"}), 403)


def test_a_page_not_found_is_told_calmly_and_a_refusal_as_an_error(client, cast):
    """A link that no longer leads anywhere (a cancelled round, an old bookmark) is no fault of
    the reader's: an information box, not the red one a refusal gets."""

    def colour(response) -> str:
        return BeautifulSoup(response.text, "html.parser").select_one(".ds-alert")["data-color"]

    assert colour(client.get("/finnes-ikke")) == "info"
    assert colour(client.post("/runder", data={"csrf_token": "feil"})) == "danger"


def test_an_error_page_points_a_logged_out_person_to_the_login(client, cast):
    # Logged out, the front page is the login page: say so. Logged in, also where no route
    # answers (and so no actor is known), the way on is the front page.
    assert 'id="to-login"' in client.get("/finnes-ikke").text
    login(client, cast.staff)
    page = client.get("/finnes-ikke").text
    assert 'id="to-login"' not in page
    assert "Gå til forsiden" in page


def test_a_bug_and_a_database_outage_get_pages_with_a_reference():
    app = create_app()

    def boom() -> None:
        raise RuntimeError("a bug")

    def down() -> None:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_api_route("/feil", boom, methods=["GET"], dependencies=[allow(Access.PUBLIC)])
    app.add_api_route("/nede", down, methods=["GET"], dependencies=[allow(Access.PUBLIC)])
    with TestClient(app, raise_server_exceptions=False) as client:
        assert_own_error_page(client.get("/feil"), 500)
        assert_own_error_page(client.get("/nede"), 503)
        partial = client.get("/feil", headers=HX)
        assert "<html" not in partial.text
        assert reference_on(partial)


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client):
    kept = client.get("/helse/live", headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept.headers["x-request-id"] == "proxy-1234abcd"
    for bad in ["kort", "x" * 65, "to ord her", '{"level":"x"}', "a\tb-cdefgh"]:
        made = client.get("/helse/live", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"]), bad
    assert client.get("/helse/live").headers["x-request-id"] != made.headers["x-request-id"]


def test_the_log_is_json_lines_without_answers_comments_or_e_mail_addresses(tmp_path):
    url = sqlite_url()
    prepare(url)
    round_id, area_id, statements = demo_round(url)
    comment = "Hemmelig kommentar om Kari zq42"
    email = "ansatt1@demo.kommune.no"
    log = tmp_path / "app.log"
    with live_server(url, log=log) as base, httpx.Client(base_url=base) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/logg-inn").text)
        assert token
        form = {"email": email, "password": "demo", "csrf_token": token.group(1)}
        assert browser.post("/logg-inn", data=form).status_code == 303
        path = f"/runder/{round_id}/omrade/{area_id}"
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(path).text)
        assert token
        save = {"csrf_token": token.group(1), f"a.{statements[0]}": "3", f"c.{area_id}": comment}
        saved = browser.post(path, data=save, headers={**HX, "X-Request-ID": "save-0001abcd"})
        assert saved.status_code == 200
        stranger = {"email": "ukjent.person@example.org", "password": "hemmelig-passord-123"}
        browser.post("/logg-inn", data={**stranger, "csrf_token": "feil"})
        browser.get("/finnes-ikke")
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [line for line in lines if line["message"] == "request"]
    assert all({"time", "level", "message", "logger"} <= set(line) for line in lines)
    assert all(
        {"request_id", "method", "route", "status", "duration_ms", "user_id"} <= set(line)
        for line in requests
    )
    (save_line,) = [line for line in requests if line["request_id"] == "save-0001abcd"]
    assert save_line["route"] == "/runder/{round_id}/omrade/{area_id}"
    assert save_line["status"] == 200
    assert isinstance(save_line["user_id"], int)
    assert save_line["duration_ms"] >= 0
    assert any(line["status"] == 404 and line["route"] is None for line in requests)
    # Only what an operator reads: not alembic's plugin set-up at every worker start.
    assert [line for line in lines if line["logger"].startswith("alembic")] == []
    for secret in (comment, "zq42", email, "ukjent.person@example.org", "hemmelig-passord"):
        assert secret not in text
    assert "@" not in text


@pytest.mark.parametrize(
    "message",
    ["could not send to kari.nordmann@nav.no", "(ansatt1@demo.kommune.no) refused"],
)
def test_e_mail_addresses_that_reach_a_log_message_are_masked(message):
    import logging

    from app.logs import JsonFormatter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, message, None, None)
    line = json.loads(JsonFormatter().format(record))
    assert "@" not in line["message"]
    assert "[e-post]" in line["message"]


def test_a_mail_server_out_of_reach_is_logged_for_the_operator_without_addresses(caplog):
    from app import mail
    from app.settings import get_settings
    from tests.live import free_port

    settings = get_settings().model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port()}
    )
    message = mail.EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = "leder@kommune.no"
    message["Subject"] = "Invitasjon"
    with pytest.raises(mail.MailError):
        mail._deliver(message, settings)
    (record,) = [r for r in caplog.records if r.name == "app.mail"]
    assert record.levelname == "WARNING"
    text = record.getMessage()
    assert f"127.0.0.1:{settings.smtp_port} did not take a message" in text
    assert "refused" in text.lower()
    assert "@" not in text


def test_a_mail_server_refusing_an_address_is_logged_without_it(caplog, monkeypatch):
    import smtplib

    from app import mail
    from app.settings import get_settings

    class Refusing:  # a mail server that refuses the recipient, quoting the address
        def __init__(self, *args, **kwargs): ...
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def send_message(self, message):
            raise smtplib.SMTPRecipientsRefused({"leder@kommune.no": (550, b"rejected")})

    monkeypatch.setattr(mail.smtplib, "SMTP", Refusing)
    message = mail.EmailMessage()
    message["To"] = "leder@kommune.no"
    with pytest.raises(mail.MailError) as refused:
        mail._deliver(message, get_settings())
    assert "@" not in str(refused.value)  # for those who log the error they are given
    (record,) = [r for r in caplog.records if r.name == "app.mail"]
    assert "SMTPRecipientsRefused" in record.getMessage()
    assert "@" not in record.getMessage()
