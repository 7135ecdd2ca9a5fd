"""The local demo's scheduled work: `make run` closes rounds at their deadline by itself, and
`python -m app.jobs --as-of DAY` lets a tester see a deadline pass without waiting (demo only)."""

import subprocess
import sys
import time
from datetime import date

import pytest
from sqlmodel import Session

from app import jobs
from app.db import make_engine
from app.results.models import RoundSnapshot
from app.rounds.models import Round, RoundStatus
from tests.conftest import ROOT, migrate, sqlite_url
from tests.factories import make_municipality, make_round


@pytest.fixture
def due_round():
    """A migrated SQLite database with one open round whose deadline is 10 January 2030."""
    url = sqlite_url()
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        rnd = make_round(session, make_municipality(session), deadline=date(2030, 1, 10))
        round_id = rnd.id
    yield url, engine, round_id
    engine.dispose()


def status_of(engine, round_id: int) -> RoundStatus:
    with Session(engine) as session:
        rnd = session.get(Round, round_id)
        assert rnd is not None
        return rnd.status


def run_jobs(url: str, *args: str, demo: bool) -> subprocess.CompletedProcess[str]:
    env = {"GODEGREP_DATABASE_URL": url, "GODEGREP_ENVIRONMENT": "test", "PATH": ""}
    if demo:
        env["GODEGREP_DEMO"] = "1"
    command = [sys.executable, "-m", "app.jobs", *args]
    return subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True, timeout=120)


def test_as_of_closes_a_round_once_its_deadline_day_has_passed_in_the_demo(due_round):
    url, engine, round_id = due_round
    assert run_jobs(url, "--as-of", "2030-01-10", demo=True).returncode == 0
    assert status_of(engine, round_id) == RoundStatus.OPEN  # the deadline day itself counts
    assert run_jobs(url, "--as-of", "2030-01-11", demo=True).returncode == 0
    assert status_of(engine, round_id) == RoundStatus.CLOSED
    with Session(engine) as session:
        assert session.get(RoundSnapshot, round_id) is not None


def test_as_of_is_refused_outside_the_demo_and_changes_nothing(due_round):
    url, engine, round_id = due_round
    result = run_jobs(url, "--as-of", "2030-01-11", demo=False)
    assert result.returncode == 2
    assert "demo" in result.stderr
    assert status_of(engine, round_id) == RoundStatus.OPEN


def test_jobs_without_the_database_say_so_and_make_no_empty_one(tmp_path):
    """Cron runs without the service's environment more often than not: the jobs then looked
    for the default SQLite file, made an empty one and failed with a traceback."""
    missing = tmp_path / "gode_grep.db"
    result = run_jobs(f"sqlite:///{missing}", demo=False)
    assert result.returncode == 1
    assert f"no database at {missing}: is GODEGREP_DATABASE_URL set" in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.exists()


def test_the_demo_scheduler_closes_a_due_round_without_anyone_acting(due_round, monkeypatch):
    url, engine, round_id = due_round
    with Session(engine) as session:
        rnd = session.get(Round, round_id)
        assert rnd is not None
        rnd.deadline = date(2026, 1, 5)  # long past
        session.add(rnd)
        session.commit()
    monkeypatch.setattr(jobs, "get_engine", lambda: engine)
    stop = jobs.run_in_background(0.05)
    try:
        deadline = time.monotonic() + 10
        while status_of(engine, round_id) == RoundStatus.OPEN and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert status_of(engine, round_id) == RoundStatus.CLOSED
