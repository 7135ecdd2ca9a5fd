"""Login rate limits, the audit log, sessions ending, and the municipality's language."""

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import select

from app.audit import AuditEvent
from tests.conftest import csrf_of, login
from tests.factories import PASSWORD

LOCKED = "For mange mislykkede innlogginger"


def attempt(client, email, password="feil passord"):
    token = csrf_of(client)
    return client.post(
        "/logg-inn", data={"email": email, "password": password, "csrf_token": token}
    )


def test_an_account_is_locked_after_five_failures_and_says_nothing_about_existence(client, cast):
    for _ in range(5):
        assert attempt(client, cast.staff.email).status_code == 422
    known = attempt(client, cast.staff.email, PASSWORD)  # even the right password waits
    for _ in range(5):
        attempt(client, "ingen@a.no")
    unknown = attempt(client, "ingen@a.no")
    assert known.status_code == unknown.status_code == 429
    assert LOCKED in known.text
    assert LOCKED in unknown.text


def test_the_limit_is_per_account(client, cast):
    for _ in range(5):
        attempt(client, cast.staff.email)
    assert attempt(client, cast.staff2.email, PASSWORD).status_code == 303


def test_one_address_cannot_flood_many_accounts(client, cast):
    for n in range(30):
        attempt(client, f"bruker{n}@a.no")
    assert attempt(client, cast.staff.email, PASSWORD).status_code == 429


def test_logins_and_failures_are_audited(client, cast, db):
    attempt(client, cast.staff.email)
    login(client, cast.staff)
    events = [(e.event, e.target) for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert ("login_failed", cast.staff.email) in events
    assert ("login", cast.staff.email) in events


def test_a_password_typed_as_the_address_never_reaches_the_audit_log(client, cast, db):
    # «Sommer@2024» passes the browser's check for an address; the log can never be emptied.
    attempt(client, "Sommer@2024")
    client.post("/glemt-passord", data={"email": "Sommer@2024", "csrf_token": csrf_of(client)})
    login(client, cast.admin)
    page = client.get("/admin/logg").text
    assert "sommer@2024" not in page.lower()
    assert "Gyldig e-postadresse: nei" in page
    stored = [(e.event, e.target, e.actor_email, e.detail) for e in db.exec(select(AuditEvent))]
    assert not [row for row in stored if "sommer" in str(row).lower()]
    kinds = {e for e, target, *_ in stored if target == ""}
    assert {"login_failed", "password_reset_requested"} <= kinds


@pytest.mark.parametrize(
    "statement", ["UPDATE auditevent SET event = 'x'", "DELETE FROM auditevent"]
)
def test_the_audit_log_cannot_be_changed_even_in_the_database(client, cast, db, statement):
    login(client, cast.staff)
    with pytest.raises((IntegrityError, OperationalError, DBAPIError)), db.begin_nested():
        db.connection().exec_driver_sql(statement)


def test_deactivating_a_user_ends_their_sessions_at_once(client, cast, db):
    login(client, cast.staff)
    staff_cookie = client.cookies.get("godegrep_session")
    token = login(client, cast.admin)
    data = {
        "role": "staff",
        "municipality_number": cast.a.number,
        "csrf_token": token,
    }  # no "active"
    assert client.post(f"/admin/brukere/{cast.staff.id}", data=data).status_code == 303
    client.cookies.clear()
    client.cookies.set("godegrep_session", staff_cookie)
    assert client.get("/runder").status_code == 303
    events = [e.event for e in db.exec(select(AuditEvent))]
    assert "user_deactivated" in events


def test_a_role_change_ends_sessions_and_is_audited(client, cast, db):
    login(client, cast.staff)
    staff_cookie = client.cookies.get("godegrep_session")
    token = login(client, cast.admin)
    data = {
        "role": "manager",
        "municipality_number": cast.a.number,
        "active": "on",
        "csrf_token": token,
    }
    client.post(f"/admin/brukere/{cast.staff.id}", data=data)
    client.cookies.clear()
    client.cookies.set("godegrep_session", staff_cookie)
    assert client.get("/runder").status_code == 303
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "role_changed")).one()
    assert event.actor_email == cast.admin.email
    assert '"role": "manager"' in event.detail


def test_sessions_expire_after_idle_time(client, cast, monkeypatch):
    login(client, cast.staff)
    import time as real_time

    later = real_time.time() + 3 * 60 * 60
    monkeypatch.setattr("app.web.time.time", lambda: later)
    assert client.get("/runder").status_code == 303


def test_a_nynorsk_municipality_gets_nynorsk_by_default(client, cast, db):
    cast.a.written_standard = "nn"
    db.add(cast.a)
    db.commit()
    login(client, cast.staff)
    assert 'lang="nn"' in client.get("/runder").text


def test_the_users_own_choice_overrides_the_municipality(client, cast, db):
    cast.a.written_standard = "nn"
    db.add(cast.a)
    db.commit()
    token = login(client, cast.staff)
    client.post("/sprak", data={"lang": "en", "next": "/runder", "csrf_token": token})
    login(client, cast.staff)  # a fresh login remembers the saved choice
    assert 'lang="en"' in client.get("/runder").text


def test_a_flood_of_failed_external_logins_cannot_fill_the_audit_log(db):
    from app.accounts import oidc

    for _ in range(50):
        oidc.refused(db, oidc.LoginRefused("mismatching_state", ""), "203.0.113.9")
    rows = db.exec(select(AuditEvent).where(AuditEvent.event == "login_oidc_failed")).all()
    assert len(rows) == 30  # the per-address login limit (30 per 15 minutes)


def test_a_deactivated_user_with_the_right_password_is_told_why(client, cast, db):
    cast.staff.active = False
    db.add(cast.staff)
    db.commit()
    wrong = attempt(client, cast.staff.email)
    assert "E-postadressen eller passordet er feil" in wrong.text
    assert "ikke aktiv" not in wrong.text  # a guess learns nothing about the account
    right = attempt(client, cast.staff.email, PASSWORD)
    assert right.status_code == 422
    assert "Kontoen din er ikke aktiv lenger" in right.text
    assert "godegrep_session" not in right.headers.get("set-cookie", "")
    assert client.get("/runder").status_code == 303  # still not logged in
    query = select(AuditEvent).where(AuditEvent.event == "login_inactive")
    [event] = db.exec(query).all()
    assert (event.target, event.municipality_id) == (cast.staff.email, cast.a.id)
