"""Backup while people save, restore into a fresh database: every answer acknowledged before the
backup began is there, and the audit log and the results snapshots are intact (SQLite through
its online backup API, PostgreSQL through pg_dump/pg_restore: `python -m app.backup`, which
`make backup` and `make restore` run)."""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from app.content.service import guidance_for
from app.db import make_engine
from app.jobs import run_due_work
from app.rounds.models import Round
from tests.conftest import ROOT, fresh_database, sqlite_url
from tests.live import live_server, prepare

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
STAFF = ["ansatt1@demo.kommune.no", "ansatt2@demo.kommune.no", "ansatt3@demo.kommune.no"]


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A source database and an empty one to restore into, on the same backend."""
    with fresh_database(request.param) as source, fresh_database(request.param) as target:
        yield source, target


@pytest.fixture
def two_postgres() -> Iterator[tuple[str, str]]:
    with fresh_database("postgres") as first, fresh_database("postgres") as second:
        yield first, second


@dataclass
class Acks:
    """Saves the server acknowledged: (e-mail, statement) -> (level, when)."""

    saved: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def questionnaire(url: str) -> tuple[int, list[tuple[str, str]]]:
    """The demo round, (area, statement) for every statement; and the other municipality's
    round closed with its snapshot, as the scheduled jobs do at the deadline."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        rounds = session.exec(select(Round).where(Round.status == "open").order_by(Round.id)).all()
        demo, other = rounds[0], rounds[1]
        demo_id = demo.id
        guidance = guidance_for(session, demo.content_version_id)
        pairs = [(a.id, s.id) for a in guidance.areas for s in a.statements]
        other.deadline = other.created_at.date().replace(year=2026, month=1, day=1)
        session.add(other)
        session.commit()
        run_due_work(session)
    engine.dispose()
    assert demo_id is not None
    return demo_id, pairs


def keep_saving(base: str, email: str, round_id: int, pairs, acks: Acks, stop) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=base, timeout=10) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/logg-inn").text)
        form = {"email": email, "password": "demo", "csrf_token": token.group(1)}  # type: ignore[union-attr]
        assert browser.post("/logg-inn", data=form).status_code == 303
        page = browser.get(f"/runder/{round_id}/omrade/{pairs[0][0]}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for n, (area, statement) in enumerate(pairs):
            if stop.is_set():
                return
            level = (n + len(email)) % 5
            response = browser.post(
                f"/runder/{round_id}/omrade/{area}",
                data={"csrf_token": csrf, f"a.{statement}": str(level)},
                headers={"HX-Request": "true"},
            )
            if response.status_code == 200:
                with acks.lock:
                    acks.saved[(email, statement)] = (level, time.monotonic())
            else:
                acks.failures.append(f"{response.status_code}")
            time.sleep(0.02)


def run_backup(action: str, url: str, path) -> None:  # type: ignore[no-untyped-def]
    done = backup_command(action, url, str(path))
    assert done.returncode == 0, done.stderr


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(query))]
    engine.dispose()
    return found


SNAPSHOT_TABLES = ["roundsnapshot", "snapshotstatement", "snapshotarea", "snapshotcomment"]


def test_a_backup_taken_while_people_save_restores_every_acknowledged_save(databases, tmp_path):
    source, target = databases
    prepare(source)
    round_id, pairs = questionnaire(source)
    acks, stop = Acks(), threading.Event()
    with live_server(source) as base:
        savers = [
            threading.Thread(target=keep_saving, args=(base, e, round_id, pairs, acks, stop))
            for e in STAFF
        ]
        for saver in savers:
            saver.start()
        while len(acks.saved) < 30 and any(s.is_alive() for s in savers):
            time.sleep(0.05)
        audit_before = rows(source, "SELECT * FROM auditevent ORDER BY id")
        begun = time.monotonic()
        run_backup("backup", source, tmp_path / "backups" / "live.backup")
        ended = time.monotonic()
        time.sleep(0.3)
        stop.set()
        for saver in savers:
            saver.join(timeout=30)
    assert not acks.failures
    before = {k: level for k, (level, when) in acks.saved.items() if when < begun}
    during = [k for k, (_, when) in acks.saved.items() if begun <= when <= ended]
    assert len(before) >= 30
    print(f"acknowledged before the backup: {len(before)}, during it: {len(during)}")

    # It holds e-mail addresses, password hashes and answers: for its owner's eyes only.
    assert (tmp_path / "backups" / "live.backup").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    run_backup("restore", target, tmp_path / "backups" / "live.backup")
    restored = {
        (email, statement): level
        for email, statement, level in rows(
            target,
            "SELECT u.email, a.statement_id, a.level FROM answer a JOIN response r "
            'ON r.id = a.response_id JOIN "user" u ON u.id = r.user_id',
        )
    }
    missing = {k: v for k, v in before.items() if restored.get(k) != v}
    assert not missing, f"{len(missing)} acknowledged saves are not in the restored copy"
    audit_after = rows(target, "SELECT * FROM auditevent ORDER BY id")
    assert audit_after[: len(audit_before)] == audit_before
    for table in SNAPSHOT_TABLES:
        assert rows(target, f"SELECT * FROM {table} ORDER BY 1, 2") == rows(
            source, f"SELECT * FROM {table} ORDER BY 1, 2"
        ), table
    # Every closed round (the demo's own history and the one the jobs closed) has its snapshot.
    assert rows(source, "SELECT count(*) FROM roundsnapshot") == rows(
        source, "SELECT count(*) FROM round WHERE status = 'closed'"
    )
    assert rows(target, "SELECT version_num FROM alembic_version") == rows(
        source, "SELECT version_num FROM alembic_version"
    )
    # A logout made after the backup is not in it: every login in the copy is ended, and
    # everyone logs in again.
    open_logins = "SELECT count(*) FROM loginsession WHERE ended_at IS NULL"
    assert rows(source, open_logins)[0][0] >= len(STAFF)
    assert rows(target, open_logins) == [(0,)]


def test_restore_refuses_to_write_over_an_existing_sqlite_database(tmp_path):
    url = sqlite_url()
    prepare(url)
    run_backup("backup", url, tmp_path / "copy.backup")
    done = backup_command("restore", url, str(tmp_path / "copy.backup"))
    assert done.returncode != 0
    assert "exists" in done.stderr.decode()


def backup_command(action: str, url: str, file: str, **streams) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def,type-arg]
    env = {**os.environ, "GODEGREP_DATABASE_URL": url}
    command = [sys.executable, "-m", "app.backup", action, file]
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **streams}
    return subprocess.run(command, env=env, cwd=ROOT, timeout=120, **streams)


@pytest.mark.postgres
def test_restore_refuses_a_postgresql_database_that_is_not_empty(tmp_path, two_postgres):
    source, other = two_postgres
    prepare(source)
    prepare(other)
    run_backup("backup", source, tmp_path / "x.backup")
    count = "SELECT count(*) FROM auditevent"
    before = rows(other, count)
    done = backup_command("restore", other, str(tmp_path / "x.backup"))
    assert done.returncode != 0
    assert "is not empty" in done.stderr.decode()
    assert "nothing was changed" in done.stderr.decode()
    assert rows(other, count) == before


@pytest.mark.postgres
def test_a_postgresql_backup_streams_through_standard_output_and_input(tmp_path, two_postgres):
    """As in a container: `docker compose exec -T app python -m app.backup backup - > x`."""
    source, target = two_postgres
    prepare(source)
    done = backup_command("backup", source, "-")  # into a pipe, as through docker exec
    assert done.returncode == 0, done.stderr
    (tmp_path / "x.backup").write_bytes(done.stdout)
    with (tmp_path / "x.backup").open("rb") as into:
        done = backup_command("restore", target, "-", stdin=into)
    assert done.returncode == 0, done.stderr
    query = 'SELECT email FROM "user" ORDER BY id'
    assert rows(target, query) == rows(source, query)


def test_a_backup_over_an_older_file_is_for_its_owner_only_too(tmp_path):
    url = sqlite_url()
    prepare(url)
    older = tmp_path / "x.backup"
    older.write_bytes(b"an older backup")
    older.chmod(0o644)
    run_backup("backup", url, older)
    assert older.stat().st_mode & 0o777 == 0o600
    assert older.read_bytes().startswith(b"SQLite format 3")


def test_a_backup_that_fails_leaves_the_older_file_as_it_was(tmp_path):
    older = tmp_path / "x.backup"
    older.write_bytes(b"last night's backup")
    done = backup_command("backup", f"sqlite:///{tmp_path / 'no-such.db'}", str(older))
    assert done.returncode != 0
    assert older.read_bytes() == b"last night's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["x.backup"]  # no half-written file left


def test_sqlite_backs_up_into_a_file_only(tmp_path):
    done = backup_command("backup", sqlite_url(), "-")
    assert done.returncode != 0
    assert "SQLite needs a file" in done.stderr.decode()


def test_a_backup_of_a_missing_sqlite_file_asks_whether_the_url_is_set(tmp_path):
    # As from cron without the settings exported: the default SQLite file is not there.
    missing = f"sqlite:///{tmp_path / 'gode_grep.db'}"
    done = backup_command("backup", missing, str(tmp_path / "x.backup"))
    assert done.returncode != 0
    assert "is GODEGREP_DATABASE_URL set" in done.stderr.decode()
    assert not (tmp_path / "gode_grep.db").exists()  # nothing made by asking
    assert not (tmp_path / "x.backup").exists()
