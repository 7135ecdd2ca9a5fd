"""Closing a round while respondents submit and take back their answers: the snapshot holds
exactly the responses that were submitted at the moment of closing, and nobody can change
theirs afterwards. Before snapshots, the minimum was checked in one statement and the answers
read in another, so a page could show figures from two people.

Runs the real app (uvicorn) against SQLite and PostgreSQL with committed data.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, col, func, select

from app.content.service import current_guidance
from app.db import make_engine
from app.results.models import RoundSnapshot
from app.rounds.models import Response, Round
from tests.http.test_concurrent_saves import USERS, logged_in
from tests.live import served

STAFF = [u for u in USERS if u.startswith("ansatt")]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request):
    with served(request.param) as base_and_url:
        yield base_and_url


def answer_everything(client, token, round_id: int) -> None:
    for area in current_guidance().with_modules(()).areas:
        data = {f"a.{s.id}": "3" for s in area.statements}
        saved = client.post(
            f"/runder/{round_id}/omrade/{area.id}", data={**data, "csrf_token": token}
        )
        assert saved.status_code == 303


def test_the_snapshot_matches_what_was_submitted_when_the_round_closed(server):
    base, url = server
    engine = make_engine(url)
    with Session(engine) as session:
        round_id = session.exec(select(Round.id)).first()
    staff = [logged_in(base, email) for email in STAFF]
    for client, token in staff:
        answer_everything(client, token, round_id)
    stop = threading.Event()
    statuses: list[int] = []

    def flip(member):
        client, token = member
        while not stop.is_set():
            for action in ("send-inn", "gjenapne"):
                statuses.append(
                    client.post(
                        f"/runder/{round_id}/{action}", data={"csrf_token": token}
                    ).status_code
                )

    manager, manager_token = logged_in(base, "leder@demo.kommune.no")
    with ThreadPoolExecutor(max_workers=len(staff)) as pool:
        running = [pool.submit(flip, member) for member in staff]
        time.sleep(1.5)
        closed = manager.post(f"/runder/{round_id}/lukk", data={"csrf_token": manager_token})
        time.sleep(0.5)
        stop.set()
        for future in running:
            future.result()
    assert closed.status_code == 303
    # Before the close every flip went through; after it each one was refused, never a 500.
    assert set(statuses) <= {303, 409}
    assert 409 in statuses
    with Session(engine) as session:
        snapshot = session.get(RoundSnapshot, round_id)
        submitted = session.exec(
            select(func.count()).where(
                col(Response.round_id) == round_id, col(Response.submitted_at).is_not(None)
            )
        ).one()
    assert snapshot is not None
    assert snapshot.respondents == submitted
    page = manager.get(f"/runder/{round_id}/resultater").text
    if submitted < 3:
        assert "Poeng per område" not in page
    engine.dispose()
    for client, _ in [*staff, (manager, "")]:
        client.close()
