"""The usual autosave runs on the event loop (app/rounds/fastsave.py): after a staff member's
first save, each click is read and written without a worker thread, through the asyncio engine
on PostgreSQL and on the loop's own connection on SQLite. It must save exactly what the full
path saves and refuse what it refuses, on both databases.

The other HTTP tests share one session in a rolled-back transaction, which always takes the
full path; here the app runs its own sessions on a database of its own with the demo data
committed, as in production."""

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

import app.db
from app.db import make_engine
from app.main import app as the_app
from app.rounds import fastsave, hotpath, routes
from tests.conftest import BACKENDS, POSTGRES_URL, fresh_database
from tests.live import demo_round, prepare
from tests.unit.test_pii import make_valid

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HX = {"HX-Request": "true"}


@dataclass
class Staff:
    client: TestClient
    engine: Engine
    path: str
    statements: list[str]
    email: str
    token: str
    threads: list[str] = field(default_factory=list)  # saves that went to a worker thread

    def save(self, **fields: str) -> Any:
        data = {"csrf_token": self.token, **fields}
        return self.client.post(self.path, data=data, headers=HX)

    @property
    def round(self) -> dict[str, int]:
        return {"id": int(self.path.split("/")[2])}

    def set_round_status(self, status: str) -> None:
        with self.engine.begin() as conn:
            query = text("UPDATE round SET status = :status WHERE id = :id")
            conn.execute(query, {**self.round, "status": status})

    def change(self, update: str) -> None:
        """Change this person's response to the round in the database (as another tab would)."""
        query = text(
            f'{update} FROM "user" u WHERE u.id = response.user_id'
            " AND u.email = :email AND response.round_id = :round"
        )
        with self.engine.begin() as conn:
            conn.execute(query, {"email": self.email, "round": self.round["id"]})

    def comment(self, area: str) -> str | None:
        return self._stored("SELECT x.text FROM areacomment x", "x.area_id", area)

    def level(self, statement: str) -> int | None:
        return self._stored("SELECT x.level FROM answer x", "x.statement_id", statement)

    def _stored(self, select: str, key: str, value: str) -> Any:
        """A value in this person's response to the round, as the database has it."""
        query = text(
            f"{select} JOIN response r ON r.id = x.response_id"
            ' JOIN "user" u ON u.id = r.user_id'
            f" WHERE u.email = :email AND r.round_id = :round AND {key} = :value"
        )
        values = {"email": self.email, "round": self.path.split("/")[2], "value": value}
        with self.engine.connect() as conn:
            return conn.execute(query, values).scalar_one_or_none()


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    with fresh_database(request.param) as url:
        prepare(url)
        yield url


@pytest.fixture
def log_in_as(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    engine = make_engine(database)
    monkeypatch.setattr(app.db, "get_engine", lambda: engine)
    round_id, area_id, statements = demo_round(database)
    threads: list[str] = []
    full_path = routes.in_database_thread

    async def counted(session: Any, work: Any) -> Any:
        threads.append("thread")
        return await full_path(session, work)

    monkeypatch.setattr(routes, "in_database_thread", counted)

    def log_in(email: str) -> Staff:
        client = stack.enter_context(TestClient(the_app, follow_redirects=False))
        path = f"/runder/{round_id}/omrade/{area_id}"
        token = CSRF.search(client.get("/logg-inn").text).group(1)  # type: ignore[union-attr]
        form = {"email": email, "password": "demo", "csrf_token": token}
        assert client.post("/logg-inn", data=form).status_code == 303
        token = CSRF.search(client.get("/konto").text).group(1)  # type: ignore[union-attr]
        client.get(path)  # the page a click is made on
        return Staff(client, engine, path, statements, email, token, threads)

    with ExitStack() as stack:
        yield log_in
    engine.dispose()


def test_after_the_first_save_a_click_is_saved_without_a_worker_thread(log_in_as):
    person = log_in_as("ansatt1@demo.kommune.no")
    first, second = person.statements[:2]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    assert len(person.threads) == 1  # the first save creates the response: the full path
    page = person.save(**{f"a.{second}": "4"})
    assert page.status_code == 200
    assert "Lagret kl." in page.text
    assert "Du har svart på 2 av" in page.text  # the progress counts both
    assert len(person.threads) == 1  # the second went on the event loop
    assert (person.level(first), person.level(second)) == (2, 4)
    assert person.save(**{f"a.{second}": "1"}).status_code == 200
    assert person.level(second) == 1
    assert len(person.threads) == 1


def test_a_save_of_several_answers_keeps_the_full_path(log_in_as):
    person = log_in_as("ansatt2@demo.kommune.no")
    first, second = person.statements[:2]
    assert person.save(**{f"a.{first}": "1"}).status_code == 200
    assert person.save(**{f"a.{first}": "3", f"a.{second}": "3"}).status_code == 200
    assert len(person.threads) == 2  # written together or not at all, in one transaction
    assert (person.level(first), person.level(second)) == (3, 3)


def test_the_event_loop_save_refuses_what_the_full_path_refuses(log_in_as):
    person = log_in_as("ansatt3@demo.kommune.no")
    first = person.statements[0]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200

    unknown = person.save(**{"a.ingen-slik-pastand": "2"})
    assert unknown.status_code == 422
    assert "Påstanden finnes ikke i denne runden" in unknown.text

    area = person.path.rsplit("/", 1)[1]
    national_id = person.save(**{f"c.{area}": f"Gjelder {make_valid('010101123')} i gruppa"})
    assert national_id.status_code == 422
    assert "fødselsnummer" in national_id.text
    assert person.comment(area) is None  # never stored
    assert person.save(**{f"c.{area}": "Vi møtes hver uke."}).status_code == 200
    assert person.comment(area) == "Vi møtes hver uke."
    assert len(person.threads) == 1  # all but the first save were decided on the event loop


def test_a_submitted_response_is_not_changed_on_the_event_loop(log_in_as, monkeypatch):
    person = log_in_as("ansatt5@demo.kommune.no")
    first = person.statements[0]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    person.change("UPDATE response SET submitted_at = CURRENT_TIMESTAMP")
    submitted = person.save(**{f"a.{first}": "4"})
    assert submitted.status_code == 409
    assert "Du har sendt inn svaret ditt" in submitted.text
    assert person.level(first) == 2

    # Submitted after the query read the response (another tab, another process): the write
    # itself checks, in the same statement.
    read = hotpath.found_in
    monkeypatch.setattr(
        hotpath, "found_in", lambda row, rid: replace(read(row, rid), submitted=False)
    )
    assert person.save(**{f"a.{first}": "4"}).status_code == 409
    assert person.level(first) == 2
    assert len(person.threads) == 2  # refused on the loop; the full path said why


def test_a_closed_round_is_not_changed_on_the_event_loop(log_in_as):
    person = log_in_as("ansatt6@demo.kommune.no")
    first = person.statements[0]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    person.set_round_status("closed")
    try:
        closed = person.save(**{f"a.{first}": "4"})
    finally:
        person.set_round_status("open")
    assert closed.status_code == 409
    assert "Runden er lukket" in closed.text
    assert person.level(first) == 2
    assert len(person.threads) == 1


def test_a_logged_out_or_foreign_login_cannot_save_on_the_event_loop(log_in_as):
    person = log_in_as("ansatt4@demo.kommune.no")
    first = person.statements[0]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    cookies = dict(person.client.cookies)
    assert person.client.post("/logg-ut", data={"csrf_token": person.token}).status_code == 303
    person.client.cookies.update(cookies)  # the cookie as it was before the logout
    assert person.save(**{f"a.{first}": "4"}).status_code == 401
    assert person.level(first) == 2

    neighbour = log_in_as("ansatt1@nabo.kommune.no")
    neighbour.path, neighbour.statements = person.path, person.statements
    assert neighbour.save(**{f"a.{first}": "4"}).status_code == 404
    assert person.level(first) == 2
    assert len(person.threads) == 1  # both refused on the event loop


def test_a_save_while_another_connection_writes_on_sqlite(database, log_in_as):
    """The event loop never waits for SQLite's write lock: every request of the process would
    wait with it. A click while another connection holds the lock longer than the loop's few
    tries goes the full way, which waits its turn; the answer is saved all the same."""
    if not database.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    person = log_in_as("leder@demo.kommune.no")
    first = person.statements[0]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    assert person.save(**{f"a.{first}": "3"}).status_code == 200
    assert len(person.threads) == 1  # the second on the event loop

    writer = person.engine.raw_connection()
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a round being closed would
    release = threading.Timer(0.5, writer.rollback)
    release.start()
    try:
        assert person.save(**{f"a.{first}": "4"}).status_code == 200
    finally:
        release.join()
        writer.close()
    assert len(person.threads) == 2  # waited for the lock in the database thread
    assert person.level(first) == 4
    assert person.save(**{f"a.{first}": "1"}).status_code == 200
    assert len(person.threads) == 2  # back on the event loop
    assert person.level(first) == 1


def answered_once(person: Staff, index: int) -> tuple[Staff, str, int]:
    """The person's response started with a 1 for their `index`th statement, that statement,
    and how many of their saves have gone to a worker thread so far."""
    statement = person.statements[index]
    assert person.save(**{f"a.{statement}": "1"}).status_code == 200
    return person, statement, len(person.threads)


def sqlite_error(code: int) -> OperationalError:
    """An error as SQLAlchemy raises it from Python's sqlite3, with SQLite's error code."""
    orig = sqlite3.OperationalError(
        "database is locked" if code == sqlite3.SQLITE_BUSY else "disk I/O error"
    )
    orig.sqlite_errorcode = code  # type: ignore[attr-defined]
    return OperationalError("INSERT INTO answer …", {}, orig)


def test_the_loops_sqlite_connection_never_waits_while_the_others_do(database, log_in_as):
    if not database.startswith("sqlite"):
        pytest.skip("SQLite's busy timeout")
    person, _statement, _threads = answered_once(log_in_as("ansatt3@demo.kommune.no"), -1)

    async def on_the_loop() -> int:  # the connection the app's event loop saves on
        loop_engine = app.db.loop_sqlite_engine(person.engine)
        assert loop_engine is not None
        with loop_engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA busy_timeout").scalar()

    with person.engine.connect() as pooled:
        in_threads = pooled.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert (person.client.portal.call(on_the_loop), in_threads) == (0, 15000)  # ms


def test_a_busy_sqlite_is_tried_again_on_the_loop(database, log_in_as, monkeypatch):
    if not database.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    person, statement, threads = answered_once(log_in_as("ansatt1@demo.kommune.no"), 4)
    save = fastsave._save_on_sqlite
    tries: list[int] = []

    def busy_once(*args: Any) -> Any:
        tries.append(1)
        if len(tries) == 1:
            raise sqlite_error(sqlite3.SQLITE_BUSY)
        return save(*args)

    monkeypatch.setattr(fastsave, "_save_on_sqlite", busy_once)
    assert person.save(**{f"a.{statement}": "3"}).status_code == 200
    assert len(tries) == 2
    assert len(person.threads) == threads  # saved on the loop at the second try
    assert person.level(statement) == 3


def test_another_sqlite_error_on_the_loop_is_the_apps_503(database, log_in_as, monkeypatch):
    if not database.startswith("sqlite"):
        pytest.skip("SQLite's error codes")
    person, statement, threads = answered_once(log_in_as("ansatt2@demo.kommune.no"), 5)

    def broken(*_args: Any) -> Any:
        raise sqlite_error(sqlite3.SQLITE_IOERR)

    monkeypatch.setattr(fastsave, "_save_on_sqlite", broken)
    page = person.save(**{f"a.{statement}": "3"})
    assert page.status_code == 503
    assert "midlertidig utilgjengelig" in page.text
    assert len(person.threads) == threads  # not sent the full way: that would fail alike
    assert person.level(statement) == 1


def test_a_save_after_the_database_restarted_or_went_away(database, log_in_as):
    """PostgreSQL restarted: the connections the app holds are dead, and the next click must
    still be saved. PostgreSQL out of reach: the app's own 503 page, and nothing lost once it
    is back."""
    if not database.startswith("postgresql"):
        pytest.skip("a PostgreSQL server to restart")
    person = log_in_as("leder@demo.kommune.no")
    first, second = person.statements[:2]
    assert person.save(**{f"a.{first}": "2"}).status_code == 200
    assert person.save(**{f"a.{first}": "3"}).status_code == 200  # the event loop's connection
    name = person.engine.url.database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    cut = text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name")
    try:
        with admin.connect() as conn:
            assert conn.execute(cut, {"name": name}).all()  # as a restart would
        assert person.save(**{f"a.{first}": "4"}).status_code == 200
        assert person.level(first) == 4
        threads = len(person.threads)
        assert person.save(**{f"a.{first}": "1"}).status_code == 200
        assert person.level(first) == 1
        assert len(person.threads) == threads  # back on the event loop, on new connections

        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(cut, {"name": name})
        away = person.save(**{f"a.{second}": "1"})
        assert away.status_code == 503
        assert "midlertidig utilgjengelig" in away.text
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert person.save(**{f"a.{second}": "1"}).status_code == 200
    assert (person.level(first), person.level(second)) == (1, 1)


def test_a_comment_saved_elsewhere_is_not_written_over_on_the_event_loop(log_in_as):
    """A tab that showed an older comment sends that text along (`was.c.…`): its save is
    refused, and the comment saved from the other tab stays."""
    person, _statement, threads = answered_once(log_in_as("ansatt4@demo.kommune.no"), 3)
    area = person.path.rsplit("/", 1)[1]
    comment, shown = f"c.{area}", f"was.c.{area}"
    assert person.save(**{comment: "Fra fanen", shown: ""}).status_code == 200
    assert len(person.threads) == threads  # on the event loop
    old_tab = person.save(**{comment: "Fra den gamle fanen", shown: ""})
    assert old_tab.status_code == 412
    assert 'data-saved="Fra fanen"' in old_tab.text
    assert person.comment(area) == "Fra fanen"
    assert len(person.threads) == threads + 1  # the full path said why
    # The same text as the one saved is no conflict; the saved text as the base replaces it.
    assert person.save(**{comment: "Fra fanen", shown: ""}).status_code == 200
    assert person.save(**{comment: "Begge", shown: "Fra fanen"}).status_code == 200
    assert person.comment(area) == "Begge"
    assert len(person.threads) == threads + 1
