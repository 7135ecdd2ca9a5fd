"""A new installation gets its first administrator from the command line, and only its first."""

import pytest
from sqlmodel import select

from app.accounts.first_admin import AdminExists, invite_first_admin, main
from app.accounts.models import Invitation, Role, User
from app.audit import AuditEvent
from app.errors import InvalidInput
from tests.conftest import PASSWORD, csrf_of


def test_the_link_lets_the_first_administrator_choose_a_password_and_log_in(client, db):
    link = invite_first_admin(db, "IT-drift@Kommune.no ")
    path = "/invitasjon/" + link.rsplit("/", 1)[1]
    assert "it-drift@kommune.no" in client.get(path).text
    accepted = client.post(path, data={"password": PASSWORD, "csrf_token": csrf_of(client)})
    assert accepted.status_code == 303
    user = db.exec(select(User).where(User.email == "it-drift@kommune.no")).one()
    assert user.role == Role.ADMIN
    assert client.get("/admin").status_code == 200
    [event] = db.exec(select(AuditEvent).where(AuditEvent.event == "invitation_sent")).all()
    assert event.target == "it-drift@kommune.no"


def test_once_an_administrator_exists_the_command_refuses(db):
    invite_first_admin(db, "forste@kommune.no")
    db.add(User(email="forste@kommune.no", password_hash="x", role=Role.ADMIN))
    db.commit()
    with pytest.raises(AdminExists):
        invite_first_admin(db, "andre@kommune.no")
    assert len(db.exec(select(Invitation)).all()) == 1


def test_a_bad_address_is_refused_and_nothing_is_stored(db):
    with pytest.raises(InvalidInput):
        invite_first_admin(db, "ikke en adresse")
    assert db.exec(select(Invitation)).all() == []


def test_the_command_prints_the_link(db, capsys, monkeypatch):
    monkeypatch.setattr("app.accounts.first_admin.get_engine", lambda: db.get_bind())
    monkeypatch.setattr("app.accounts.first_admin.Session", lambda _engine: _Borrowed(db))
    assert main(["drift@kommune.no"]) == 0
    assert "/invitasjon/" in capsys.readouterr().out


class _Borrowed:
    """The test's own session, lent to the command (its transaction is rolled back after)."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        return False
