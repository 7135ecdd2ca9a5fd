"""Fixtures: a migrated database per backend (SQLite always, PostgreSQL too), a rolled-back
transaction per test, the app's own TestClient, and a fixed cast of users."""

import atexit
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.service import forget_rate_limits
from app.content import service as content_service
from app.db import get_session, make_engine
from app.mail import flush, start_local_server
from app.main import app
from app.rounds.models import Round
from app.settings import get_settings
from tests.factories import PASSWORD, make_municipality, make_round, make_user

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def migrate(url: str) -> None:
    """Build the schema the only way the app does: alembic upgrade head."""
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def sqlite_url() -> str:
    """A new SQLite file in its own temporary folder, removed when the test run ends."""
    folder = tempfile.mkdtemp(prefix="godegrep-test-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return f"sqlite:///{folder}/test.db"


def postgres_database() -> tuple[str, Engine]:
    """A fresh, empty database on the local PostgreSQL server, and an admin engine to drop it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"godegrep_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - only when the server is missing
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc}); run `make postgres`")
    return re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL), admin


def drop_postgres_database(url: str, admin: Engine) -> None:
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """A new, empty database on `backend` ("sqlite" or "postgres"), removed afterwards."""
    if backend == "sqlite":
        yield sqlite_url()  # its folder goes when the test run ends
        return
    url, admin = postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url, admin)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_database("postgres") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database, committed to; shared by the tests of one backend."""
    with fresh_database(request.param) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN")

    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session in a transaction that is rolled back after the test (services may commit)."""
    content_service._snapshots.clear()
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()
    content_service._snapshots.clear()


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture(scope="session")
def smtp_server():
    """A real local SMTP server (aiosmtpd) for the whole run; tests read what it received."""
    from tests.live import free_port

    controller, inbox = start_local_server("127.0.0.1", free_port())
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, monkeypatch):
    """The app sends to the test SMTP server; the list of received mail starts empty.

    Mail sent in the background (password resets) is in the list once `flush()` returns."""
    controller, inbox = smtp_server
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", controller.port)
    flush()  # nothing queued by an earlier test arrives in this one's list
    inbox.messages.clear()
    return inbox.messages


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Login and reset rate limits live in memory: every test starts with clean counts."""
    forget_rate_limits()
    yield
    forget_rate_limits()


@dataclass
class Cast:
    """Municipality A with three staff and a manager, municipality B with one staff member,
    a KS adviser, and an open round in each municipality."""

    a: Municipality
    b: Municipality
    staff: User
    staff2: User
    staff3: User
    manager: User
    other_staff: User
    other_manager: User
    ks_adviser: User
    admin: User
    round_a: Round
    round_b: Round


@pytest.fixture
def cast(db: Session) -> Cast:
    a = make_municipality(db, number="9991", name="Kommune A", size_class=SizeClass.SMALL)
    b = make_municipality(db, number="9992", name="Kommune B")
    return Cast(
        a=a,
        b=b,
        staff=make_user(db, "ansatt@a.no", Role.STAFF, a),
        staff2=make_user(db, "ansatt2@a.no", Role.STAFF, a),
        staff3=make_user(db, "ansatt3@a.no", Role.STAFF, a),
        manager=make_user(db, "leder@a.no", Role.MANAGER, a),
        other_staff=make_user(db, "ansatt@b.no", Role.STAFF, b),
        other_manager=make_user(db, "leder@b.no", Role.MANAGER, b),
        ks_adviser=make_user(db, "radgiver@ks.no", Role.KS_ADVISER),
        admin=make_user(db, "admin@ks.no", Role.ADMIN),
        round_a=make_round(db, a, participants=20),
        round_b=make_round(db, b),
    )


def four_staff(db: Session, cast: Cast) -> list[User]:
    """Municipality A's three staff and a fourth: what others read too (KS, the council report,
    exports, the meeting) needs the minimum (3) and one more behind a figure."""
    fourth = make_user(db, "ansatt4@a.no", Role.STAFF, cast.a)
    return [cast.staff, cast.staff2, cast.staff3, fourth]


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's session, as a page would embed it."""
    page = client.get("/logg-inn")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None:
        page = client.get("/runder")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


@contextmanager
def statements_run(db: Session) -> Iterator[list[str]]:
    """The SQL statements (SELECT, INSERT, UPDATE, DELETE) run on the test database inside the
    block, for tests that hold a page to a number of queries."""
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def login(client: TestClient, user: User, password: str = PASSWORD, fresh: bool = True) -> str:
    """Log in through the real form; returns the CSRF token to use for later posts."""
    if fresh:
        client.cookies.clear()
    token = csrf_of(client)
    response = client.post(
        "/logg-inn", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return csrf_of(client)
