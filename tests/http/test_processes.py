"""Two app processes, one truth: the app runs as two uvicorn processes on one database (SQLite
and PostgreSQL) with the rate limits in Redis, and one client goes back and forth between them.
Logging out, ending every session, and the login lockout hold whichever process is asked; the
scheduled jobs are safe when two run at once."""

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from itertools import cycle
from unittest.mock import patch

import httpx2 as httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from app.accounts.service import counted_as
from app.settings import get_settings
from tests.conftest import ROOT, fresh_database
from tests.live import SECRET, demo_round, live_server, prepare

REDIS_URL = "redis://127.0.0.1:6379/0"
HX = {"HX-Request": "true"}
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Apps:
    url: str  # the database
    bases: list[str]  # the two processes
    prefix: str  # their keys in Redis

    def client(self) -> "Alternating":
        return Alternating(self.bases)


class Alternating:
    """One browser (one cookie jar) whose requests go to the processes in turn, as behind a
    load balancer; `.via(n)` pins the next request to process n."""

    def __init__(self, bases: list[str]) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=10)
        self.turn = cycle(range(len(bases)))
        self.bases = bases
        self.pinned: int | None = None
        self.seen: list[int] = []

    def via(self, n: int) -> "Alternating":
        self.pinned = n
        return self

    def _base(self) -> str:
        n = self.pinned if self.pinned is not None else next(self.turn)
        self.pinned = None
        self.seen.append(n)
        return self.bases[n]

    def get(self, path: str) -> httpx.Response:
        return self.http.get(self._base() + path)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(self._base() + path, data=data)

    def csrf(self, path: str = "/logg-inn") -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email: str, password: str = "demo") -> httpx.Response:
        form = {"email": email, "password": password, "csrf_token": self.csrf()}
        return self.post("/logg-inn", form)


@pytest.fixture(scope="module", params=BACKENDS)
def apps(request: pytest.FixtureRequest) -> Iterator[Apps]:
    prefix = f"godegrep-test-{uuid.uuid4().hex[:10]}"
    store = redis.Redis.from_url(REDIS_URL)
    try:
        with fresh_database(request.param) as url:
            prepare(url)
            env = {"GODEGREP_RATE_LIMIT_STORAGE": REDIS_URL, "GODEGREP_REDIS_KEY_PREFIX": prefix}
            with ExitStack() as stack:
                bases = [stack.enter_context(live_server(url, extra_env=env)) for _ in range(2)]
                yield Apps(url, bases, prefix)
    finally:
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
        store.close()


def logged_in(client: Alternating, n: int) -> bool:
    return client.via(n).get("/konto").status_code == 200


def test_both_processes_serve_one_login_and_are_ready_with_redis(apps: Apps):
    client = apps.client()
    assert client.log_in("ansatt3@demo.kommune.no").status_code == 303
    assert logged_in(client, 0)
    assert logged_in(client, 1)
    for base in apps.bases:
        assert httpx.get(f"{base}/helse/klar").status_code == 200


def test_logging_out_in_one_process_ends_the_session_in_the_other(apps: Apps):
    browser = apps.client()
    assert browser.log_in("ansatt1@demo.kommune.no").status_code == 303
    copy = apps.client()  # a copy of the cookie, as someone who took it would have
    copy.http.cookies = httpx.Cookies(browser.http.cookies)
    assert logged_in(copy, 1)
    round_id, area_id, statements = demo_round(apps.url)
    path = f"/runder/{round_id}/omrade/{area_id}"
    token = browser.via(1).csrf("/konto")
    save = {"csrf_token": token, f"a.{statements[0]}": "2"}
    assert copy.http.post(apps.bases[1] + path, data=save, headers=HX).status_code == 200
    stolen = httpx.Cookies(copy.http.cookies)
    assert browser.via(0).post("/logg-ut", {"csrf_token": token}).status_code == 303
    assert not logged_in(copy, 1)
    assert not logged_in(copy, 0)
    assert not logged_in(browser, 1)
    # The autosave checks the login in its own query: it is refused in both processes too.
    for base in apps.bases:
        copy.http.cookies = httpx.Cookies(stolen)  # the cookie as it was before the logout
        assert copy.http.post(base + path, data=save, headers=HX).status_code == 401


def test_ending_all_sessions_in_one_process_ends_them_in_every_process(apps: Apps):
    laptop, phone = apps.client(), apps.client()
    for device in (laptop, phone):
        assert device.log_in("ansatt2@demo.kommune.no").status_code == 303
    assert logged_in(phone, 0)
    assert logged_in(laptop, 1)
    token = laptop.via(0).csrf("/konto")
    ended = laptop.via(1).post("/konto/logg-ut-overalt", {"csrf_token": token})
    assert ended.status_code == 303
    assert not logged_in(phone, 0)
    assert not logged_in(phone, 1)
    assert not logged_in(laptop, 0)
    # A new login works again at once.
    assert phone.log_in("ansatt2@demo.kommune.no").status_code == 303
    assert logged_in(phone, 0)
    assert logged_in(phone, 1)


def test_the_login_lockout_counts_attempts_across_processes(apps: Apps):
    client = apps.client()
    statuses = [client.log_in("leder@nabo.kommune.no", "wrong").status_code for _ in range(5)]
    assert statuses == [422] * 5
    assert set(client.seen[-10:]) == {0, 1}  # the attempts went to both processes
    # Five failures in all: the sixth attempt is refused by either process, right password or not.
    assert client.via(0).post("/logg-inn", login_form(client, 0)).status_code == 429
    assert client.via(1).post("/logg-inn", login_form(client, 1)).status_code == 429
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{apps.prefix}*"))
    assert keys, "the counts are in Redis, under the configured prefix"
    # Redis holds counts, never an e-mail address: the account's key is its hash.
    assert not [key for key in keys if b"@" in key]
    with_the_apps_key = get_settings().model_copy(update={"secret_key": SECRET})
    with patch("app.accounts.service.get_settings", return_value=with_the_apps_key):
        counted = counted_as("leder@nabo.kommune.no").encode()
    assert any(counted in key for key in keys)


def login_form(client: Alternating, n: int) -> dict[str, str]:
    token = client.via(n).csrf()
    return {"email": "leder@nabo.kommune.no", "password": "demo", "csrf_token": token}


def run_jobs(url: str) -> subprocess.Popen[str]:
    env = {"GODEGREP_DATABASE_URL": url, "GODEGREP_ENVIRONMENT": "test", "PATH": ""}
    command = [sys.executable, "-m", "app.jobs"]
    return subprocess.Popen(command, env=env, cwd=ROOT, text=True, stderr=subprocess.PIPE)


def make_due(url: str) -> int:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE round SET deadline = :d WHERE status = 'open'"), {"d": date(2026, 1, 5)}
        )
        count = conn.execute(text("SELECT count(*) FROM round WHERE status = 'open'")).scalar_one()
    engine.dispose()
    return int(count)


def test_two_runs_of_the_scheduled_jobs_at_once_close_each_round_once(apps: Apps):
    engine = create_engine(apps.url)
    with engine.connect() as conn:  # the demo has closed rounds with snapshots of its own
        before = len(conn.execute(text("SELECT round_id FROM roundsnapshot")).scalars().all())
    engine.dispose()
    due = make_due(apps.url)
    assert due >= 1
    runs = [run_jobs(apps.url) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    engine = create_engine(apps.url)
    with engine.connect() as conn:
        snapshots = conn.execute(text("SELECT round_id FROM roundsnapshot")).scalars().all()
        still_open = conn.execute(text("SELECT count(*) FROM round WHERE status = 'open'")).scalar()
    engine.dispose()
    assert still_open == 0
    assert len(snapshots) == len(set(snapshots)) == before + due
    assert all('"level": "INFO"' in out for out in outputs)  # JSON log lines


@pytest.mark.postgres
def test_a_run_of_the_jobs_waits_for_none_and_does_nothing_while_another_holds_the_lock(
    postgres_url,
):
    from app.jobs import JOBS_LOCK_KEY

    url = postgres_url
    prepare(url)
    due = make_due(url)
    holder = create_engine(url)
    with holder.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": JOBS_LOCK_KEY})
        conn.commit()
        run = run_jobs(url)
        err = run.communicate(timeout=120)[1]
        assert run.returncode == 0, err
        assert "another run of the scheduled work is busy" in err
        left = conn.execute(text("SELECT count(*) FROM round WHERE status = 'open'")).scalar()
        assert left == due
    holder.dispose()
    run = run_jobs(url)  # the lock is free again: this run does the work
    assert run.wait(timeout=120) == 0
    check = create_engine(url)
    with check.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM round WHERE status = 'open'")).scalar() == 0
    check.dispose()
