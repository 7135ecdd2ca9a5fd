"""Autosave under concurrency: a team and two tabs saving at once lose nothing, never a 500.

Runs the real app with uvicorn (one worker, its thread pool) against SQLite and PostgreSQL
with committed data, and hammers it from many threads over loopback.
"""

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from sqlmodel import Session, select

from app.accounts.models import User
from app.content.service import current_guidance
from app.db import make_engine
from app.rounds.models import Answer, Response, Round
from tests.live import served

USERS = [
    "ansatt1@demo.kommune.no",
    "ansatt2@demo.kommune.no",
    "ansatt3@demo.kommune.no",
    "leder@demo.kommune.no",
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request):
    with served(request.param) as base_and_url:
        yield base_and_url


def open_round_id(session: Session) -> int:
    """The demo's open round (the demo also has earlier, closed rounds with answers)."""
    query = select(Round.id).where(Round.status == "open").order_by(Round.id)
    return session.exec(query).first()


def logged_in(base: str, email: str) -> tuple[httpx.Client, str]:
    # No idle keep-alive connections: logging in every tab can take longer than uvicorn keeps an
    # idle connection open (5 s) on a loaded machine, and a POST on a connection the server has
    # just closed fails as "Server disconnected" without reaching the app.
    no_idle = httpx.Limits(max_keepalive_connections=0)
    client = httpx.Client(base_url=base, timeout=30, limits=no_idle)
    page = client.get("/logg-inn")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/logg-inn", data={"email": email, "password": "demo", "csrf_token": token}
    )
    assert response.status_code == 303
    page = client.get("/runder")
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_a_team_and_two_tabs_saving_at_once_lose_nothing(server):
    base, url = server
    engine = make_engine(url)
    with Session(engine) as session:
        round_id = open_round_id(session)
    guidance = current_guidance().with_modules(())
    statements = [(a.id, s.id) for a in guidance.areas for s in a.statements]
    # Each user saves from two "tabs" (two clients sharing nothing but the login).
    tabs = [logged_in(base, email) for email in USERS for _ in range(2)]
    rng = random.Random(7)
    jobs = [(tab, *rng.choice(statements), rng.randint(0, 4)) for tab in tabs for _ in range(40)]
    last_acknowledged: dict[tuple[str, str], set[int]] = {}

    def save(job):
        (client, token), area_id, statement_id, level = job
        response = client.post(
            f"/runder/{round_id}/omrade/{area_id}",
            data={f"a.{statement_id}": str(level), "csrf_token": token},
            headers={"HX-Request": "true"},
        )
        return job, response.status_code, "Lagret" in response.text

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(save, jobs))

    assert [status for _, status, _ in results if status != 200] == []
    assert all(ok for _, _, ok in results)
    for job, _, _ in results:
        (client, _), _, statement_id, level = job
        email = USERS[tabs.index(job[0]) // 2]
        last_acknowledged.setdefault((email, statement_id), set()).add(level)

    with Session(engine) as session:
        rows = session.exec(
            select(User.email, Answer.statement_id, Answer.level)
            .join(Response, Response.id == Answer.response_id)
            .join(User, User.id == Response.user_id)
            .where(Response.round_id == round_id)
        ).all()
        responses = session.exec(select(Response).where(Response.round_id == round_id)).all()
    stored = {(email, sid): level for email, sid, level in rows}
    # Every acknowledged answer is there, holding one of the values that was acknowledged.
    assert set(stored) == set(last_acknowledged)
    for key, level in stored.items():
        assert level in last_acknowledged[key]
    assert len(responses) == len(USERS)  # one response per person, however many tabs
    engine.dispose()
    for client, _ in tabs:
        client.close()


def test_a_burst_larger_than_the_thread_pool_does_not_stall(server):
    """300 saves at once, far more than worker threads plus pooled connections: all must finish.

    Before the fix, the login check held a connection while the route waited for a thread,
    and this burst stalled until the pool timed out (checked: it fails on that code).
    """
    base, url = server
    engine = make_engine(url)
    with Session(engine) as session:
        round_id = open_round_id(session)
    engine.dispose()
    area = current_guidance().with_modules(()).areas[0]
    tabs = [logged_in(base, email) for email in USERS for _ in range(3)]
    barrier = threading.Barrier(300)

    def save(n):
        client, token = tabs[n % len(tabs)]
        barrier.wait(timeout=30)
        response = client.post(
            f"/runder/{round_id}/omrade/{area.id}",
            data={
                f"a.{area.statements[n % len(area.statements)].id}": str(n % 5),
                "csrf_token": token,
            },
            headers={"HX-Request": "true"},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=300) as pool:
        statuses = list(pool.map(save, range(300)))
    assert statuses == [200] * 300
    for client, _ in tabs:
        client.close()
