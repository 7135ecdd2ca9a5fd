"""Logins, reset links and invitations tried many times at once against the real app.

An attacker does not wait for one answer before sending the next: each limit and each
single-use link must hold when the attempts arrive together. Runs uvicorn on SQLite and
PostgreSQL with committed data and fires the requests from threads behind one barrier.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest
from sqlmodel import Session, select

from app.accounts.models import Invitation, Municipality, PasswordReset, Role, User
from app.accounts.tokens import new_token
from app.audit import AuditEvent
from app.db import make_engine
from tests.live import served

NEW_PASSWORD = "en lang setning som er lett å huske"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request):
    with served(request.param) as (base, url):
        engine = make_engine(url)
        yield base, engine
        engine.dispose()


def at_once(base: str, n: int, path, password) -> list[httpx.Response]:
    """POST from n fresh clients at the same moment: client i to path(i) with password(i)."""
    clients = [httpx.Client(base_url=base, timeout=60) for _ in range(n)]
    tokens = []
    for client in clients:
        page = client.get("/logg-inn")
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1))
    barrier = threading.Barrier(n)

    def post(i: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return clients[i].post(path(i), data={**password(i), "csrf_token": tokens[i]})

    with ThreadPoolExecutor(max_workers=n) as pool:
        responses = list(pool.map(post, range(n)))
    for client in clients:
        client.close()
    return responses


def new_password(i: int) -> dict[str, str]:
    return {"password": f"{NEW_PASSWORD} {i}"}


def events(engine, name: str, target: str) -> int:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent.id).where(AuditEvent.event == name, AuditEvent.target == target)
        ).all()
    return len(rows)


def test_parallel_guesses_check_no_more_passwords_than_the_limit(server):
    base, engine = server
    email = "ansatt2@demo.kommune.no"
    responses = at_once(
        base, 16, lambda i: "/logg-inn", lambda i: {"email": email, "password": f"gjetning {i}"}
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [422] * 5 + [429] * 11, str(statuses)
    assert events(engine, "login_failed", email) == 5


def add_reset(engine, email: str) -> str:
    token, digest = new_token()
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        session.add(
            PasswordReset(
                user_id=user.id,
                token_hash=digest,
                expires_at=datetime.now(UTC) + timedelta(minutes=30),
            )
        )
        session.commit()
    return token


def test_one_reset_link_used_four_times_at_once_works_once(server):
    base, engine = server
    email = "ansatt3@demo.kommune.no"
    token = add_reset(engine, email)
    responses = at_once(base, 4, lambda i: f"/nytt-passord/{token}", new_password)
    assert sorted(r.status_code for r in responses) == [303, 404, 404, 404]
    assert all("brukt, utløpt eller ugyldig" in r.text for r in responses if r.status_code == 404)
    assert events(engine, "password_reset", email) == 1


def test_two_reset_links_of_one_user_used_at_once_work_once(server):
    base, engine = server
    email = "ansatt1@demo.kommune.no"
    tokens = [add_reset(engine, email), add_reset(engine, email)]
    responses = at_once(base, 4, lambda i: f"/nytt-passord/{tokens[i % 2]}", new_password)
    assert sorted(r.status_code for r in responses) == [303, 404, 404, 404]
    assert events(engine, "password_reset", email) == 1


def add_invitation(engine, email: str) -> str:
    token, digest = new_token()
    with Session(engine) as session:
        municipality = session.exec(select(Municipality).where(Municipality.number == "9901")).one()
        session.add(
            Invitation(
                email=email,
                role=Role.STAFF,
                municipality_id=municipality.id,
                token_hash=digest,
                expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
        session.commit()
    return token


def test_one_invitation_accepted_four_times_at_once_creates_one_user(server):
    base, engine = server
    email = "samtidig@demo.kommune.no"
    token = add_invitation(engine, email)
    responses = at_once(base, 4, lambda i: f"/invitasjon/{token}", new_password)
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 303
    # Used up while checking the password, or (arriving after) the account is there: log in.
    assert set(statuses[1:]) <= {404, 409}
    assert all(
        "Invitasjonen gjelder ikke lenger" in r.text for r in responses if r.status_code == 404
    )
    assert all("Du har allerede en konto" in r.text for r in responses if r.status_code == 409)
    assert events(engine, "invitation_accepted", email) == 1


def test_two_invitations_to_one_address_accepted_at_once_create_one_user(server):
    base, engine = server
    email = "dobbel@demo.kommune.no"
    tokens = [add_invitation(engine, email), add_invitation(engine, email)]
    responses = at_once(base, 4, lambda i: f"/invitasjon/{tokens[i % 2]}", new_password)
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 303
    assert set(statuses[1:]) <= {404, 409}  # the link is used up, or the address is taken
    assert events(engine, "invitation_accepted", email) == 1
