"""Password reset requests: limited, equally fast for every address, links that go stale.

(Parallel use of one link is in test_account_races.py, against the real server.)
"""

import logging
import re
import smtplib
import time

from app.mail import flush
from app.settings import get_settings
from tests.conftest import csrf_of, login
from tests.factories import PASSWORD
from tests.http.test_invitations import NEW_PASSWORD, link_in


def ask(client, email: str):
    return client.post("/glemt-passord", data={"email": email, "csrf_token": csrf_of(client)})


def neutral(response) -> str:
    return re.sub(r'value="[^"]+"', "", response.text)


def test_it_limits_requests_for_one_address(client, cast, mailbox):
    answers = [ask(client, cast.staff.email) for _ in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert len({neutral(a) for a in answers}) == 1  # past the limit it looks the same
    flush()
    assert [m.to for m in mailbox] == [cast.staff.email] * 3


def test_it_limits_requests_from_one_client_address(client, cast, mailbox):
    for n in range(20):
        assert ask(client, f"ingen{n}@a.no").status_code == 200
    late = ask(client, cast.staff.email)
    assert late.status_code == 200
    assert "Hvis adressen hører til en konto" in late.text
    flush()
    assert mailbox == []


def test_the_answer_does_not_wait_for_the_mail_server(client, cast, mailbox, monkeypatch):
    real = smtplib.SMTP

    class SlowSMTP(real):  # a mail server that takes two seconds to accept each message
        def send_message(self, *args, **kwargs):
            time.sleep(2)
            return super().send_message(*args, **kwargs)

    monkeypatch.setattr(smtplib, "SMTP", SlowSMTP)
    csrf_of(client)
    started = time.monotonic()
    known = ask(client, cast.staff.email)
    elapsed = time.monotonic() - started
    assert known.status_code == 200
    assert elapsed < 1.0
    flush()
    assert [m.to for m in mailbox] == [cast.staff.email]  # and the mail still arrives


def test_a_mail_that_cannot_be_sent_is_logged_not_shown(client, cast, mailbox, caplog, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_port", 1)  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="app.mail"):
        answer = ask(client, cast.staff.email)
        flush()
    assert answer.status_code == 200
    assert "Hvis adressen hører til en konto" in answer.text
    assert "could not send e-mail" in caplog.text


def use(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "csrf_token": csrf_of(client)})


def test_using_a_newer_link_voids_the_older_ones(client, cast, mailbox):
    ask(client, cast.staff.email)
    ask(client, cast.staff.email)
    flush()
    older, newer = (link_in(m, "nytt-passord") for m in mailbox)
    assert use(client, newer).status_code == 303
    assert client.get(older).status_code == 404
    stale = use(client, older, NEW_PASSWORD + " igjen")
    assert stale.status_code == 404
    assert "brukt, utløpt eller ugyldig" in stale.text


def test_changing_the_password_voids_open_links(client, cast, mailbox):
    ask(client, cast.staff.email)
    flush()
    path = link_in(mailbox[0], "nytt-passord")
    token = login(client, cast.staff)
    changed = client.post(
        "/konto/passord", data={"current": PASSWORD, "new": NEW_PASSWORD, "csrf_token": token}
    )
    assert changed.status_code == 303
    client.cookies.clear()
    assert client.get(path).status_code == 404
    assert use(client, path, NEW_PASSWORD + " igjen").status_code == 404


def test_a_new_password_from_a_reset_link_ends_the_lockout(client, cast, mailbox):
    # The lockout message says "wait a quarter of an hour, or ask for a new password".
    def attempt(password: str):
        data = {"email": cast.staff.email, "password": password, "csrf_token": csrf_of(client)}
        return client.post("/logg-inn", data=data)

    for _ in range(5):
        assert attempt("feil passord").status_code == 422
    locked = attempt(PASSWORD)
    assert locked.status_code == 429
    assert "be om nytt passord" in locked.text
    ask(client, cast.staff.email)
    flush()
    assert use(client, link_in(mailbox[0], "nytt-passord")).status_code == 303
    assert attempt(NEW_PASSWORD).status_code == 303


def test_the_page_says_how_long_the_link_works(client, cast, mailbox, monkeypatch):
    # «i kort tid» left people guessing; the page names the time the mail names.
    monkeypatch.setattr(get_settings(), "reset_minutes", 30)
    answer = ask(client, cast.staff.email)
    assert "Lenken virker én gang og i 30 minutter." in answer.text
    assert "kort tid" not in answer.text
    flush()
    assert "Bruk lenken innen 30 minutter" in mailbox[0].body
