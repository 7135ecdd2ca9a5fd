"""Every request hands its database connection back to the pool when it is done, also when
its route read and then failed. The other HTTP tests share one session in a rolled-back
transaction; this one runs the app's own per-request session (app.db.RequestSessions) on the
test database. The live-server tests (tests/live.py) run it under the autosave."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

import app.db
from app.accounts import invitations
from app.main import app as the_app


@pytest.fixture
def own_sessions(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(app.db, "get_engine", lambda: engine)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    return engine


def test_a_request_that_read_and_failed_hands_its_connection_back(own_sessions: Engine) -> None:
    with TestClient(the_app) as client:
        for _ in range(3):  # more than one: a leak would grow
            page = client.get("/invitasjon/ingen-slik-invitasjon")  # looked up, not found
            assert page.status_code in (404, 410)
            # The route left its read transaction open; the connection is back all the same.
            assert own_sessions.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_request_that_broke_hands_its_connection_back(
    own_sessions: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_then_break(session: Session, _token: str) -> None:
        session.execute(text("SELECT 1"))  # a connection checked out, a transaction open
        raise RuntimeError("a bug in the route")

    monkeypatch.setattr(invitations, "find_invitation", read_then_break)
    with TestClient(the_app, raise_server_exceptions=False) as client:
        assert client.get("/invitasjon/hva-som-helst").status_code == 500
        assert own_sessions.pool.checkedout() == 0  # type: ignore[attr-defined]
