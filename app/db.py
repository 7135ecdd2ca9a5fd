"""Database engine and the per-request session. No tables here (see app/models.py)."""

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Annotated, Any, TypeVar

from anyio import CancelScope, CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.expression import ColumnElement, Exists
from sqlmodel import Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import get_settings

T = TypeVar("T")
log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    # hide_parameters: an error message never carries what someone wrote (answers, comments,
    # e-mail addresses) into the logs.
    if url.startswith("sqlite"):
        # Pool as large as the worker threads (40), so a request never waits for a connection.
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 15},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No overflow connections: each new PostgreSQL connection is a new server process, and
    # under load the overflow ones were opened and closed all the time: two thirds of the
    # server's CPU in the autosave bench (65 % of a core at 500 saves/s; 20 % without). A
    # request past the twenty waits for a connection instead.
    return create_engine(
        url, hide_parameters=True, pool_size=20, max_overflow=0, pool_pre_ping=True
    )


# Per event loop, the engines of the autosave on the event loop (app.rounds.fastsave): an
# asyncio engine's connections belong to the loop that made them, and SQLite's one connection
# is used by the loop's thread alone. A server process has one loop; the tests' clients each
# run their own.
_async_engines: RunVar[dict[Engine, AsyncEngine]] = RunVar("async_engines")
_sqlite_engines: RunVar[dict[Engine, Engine]] = RunVar("sqlite_engines")
_async_turns: RunVar[dict[Engine, asyncio.Semaphore]] = RunVar("async_turns")
E = TypeVar("E", AsyncEngine, Engine, asyncio.Semaphore)
ASYNC_POOL_SIZE = 4


def _per_loop(made: RunVar[dict[Engine, E]], engine: Engine, make: Callable[[], E]) -> E:
    try:
        engines = made.get()
    except LookupError:  # the first in this event loop
        engines = {}
        made.set(engines)
    if engine not in engines:
        engines[engine] = make()
    return engines[engine]


def async_engine(engine: Engine) -> AsyncEngine | None:
    """An asyncio engine on the same PostgreSQL database as `engine` (None on SQLite), for
    the autosave on the event loop (app.rounds.fastsave); made once per event loop.

    Each statement is its own transaction (autocommit): that autosave writes one row, in one
    statement. Four connections: a save holds one only for its two statements, never while
    waiting for the GIL, as a worker thread's connection does. With two workers on two cores,
    four gave 6-9 % more saves than ten and 2 ÷ 1 workers 1.40-1.49× against 1.26-1.28×
    (tests/bench/autosave.py, two A/B pairs, one in each order): fewer saves at once in
    PostgreSQL cost it and the app less CPU each. One worker alone lost 2-6 %.

    No pre-ping: it cost every save a third trip (SELECT 1). A connection that died with a
    PostgreSQL restart fails its save instead; SQLAlchemy then drops the pool's connections,
    and fastsave hands that one save to the full path, whose pool does check. Without the
    ping: 695-751 against 650 saves/s with one worker, 1037-1066 against 967 with two
    (wrk, PostgreSQL, median of three; B-A-B on one machine, 2026-12-04)."""
    if engine.dialect.name != "postgresql":
        return None
    return _per_loop(
        _async_engines,
        engine,
        lambda: create_async_engine(
            engine.url,
            hide_parameters=True,
            pool_size=ASYNC_POOL_SIZE,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
        ),
    )


def async_turns(engine: Engine) -> asyncio.Semaphore:
    """Where saves on the event loop wait for one of `async_engine`'s connections, first
    come, first served; made once per event loop.

    The pool's own queue is not fair: a connection handed back goes to whichever save asks
    next, often one that has only just arrived, and a waiting save that finds it taken queues
    again at the back. Past the loop's capacity a few saves then waited seconds while the rest
    were served at once. Taking turns here, each waits about as long as the queue is. At
    saturation (tests/bench/autosave.py, wrk, PostgreSQL, median of three, 2026-12-05, the
    machine otherwise idle), p50/p95 with one worker went from 11/1728 ms to 160/164 ms (the
    bare handler's 109/163), with two from 96/310 to 110/133; saves per second unchanged."""
    return _per_loop(_async_turns, engine, lambda: asyncio.Semaphore(ASYNC_POOL_SIZE))


def loop_sqlite_engine(engine: Engine) -> Engine | None:
    """One connection to the same SQLite file as `engine` (None on PostgreSQL), for the
    autosave on the event loop (app.rounds.fastsave); made once per event loop.

    It never waits for the write lock (timeout 0): while another connection or process
    writes, SQLite answers "busy" at once, and the save tries again later or goes the full
    way, to the database thread, which waits. The loop must never sleep in SQLite's busy
    handler: every other request of the process would wait with it. One connection is
    enough: the loop uses it from start to commit without letting another request run in
    between. Its commits also run SQLite's automatic checkpoint when the WAL passes 1000
    pages (every few hundred saves): at most 6.5 ms in 3,000 commits on this machine's disk,
    longer on a slow one. Kept rather than a checkpointer of our own."""
    if engine.dialect.name != "sqlite":
        return None

    def make() -> Engine:
        made = create_engine(
            engine.url,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 0},
            poolclass=StaticPool,
        )
        event.listen(made, "connect", _sqlite_pragmas)
        return made

    return _per_loop(_sqlite_engines, engine, make)


def is_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked": another connection holds the write lock."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def dispose_loop_engines() -> None:
    """Close this event loop's engines and their connections (at shutdown)."""
    asyncio_engines = _async_engines.get({})
    while asyncio_engines:
        await asyncio_engines.popitem()[1].dispose()
    sqlite_engines = _sqlite_engines.get({})
    while sqlite_engines:
        sqlite_engines.popitem()[1].dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


_SESSIONS = "godegrep.sessions"  # the scope key of the request's session, once made


class RequestSessions:
    """ASGI middleware: closes the request's database session (made by `get_session` on first
    use) once the response is done, background tasks included.

    A dependency with `yield` would do the same, but FastAPI wraps each in an exit stack and a
    shielded cancel scope: a tenth of the autosave's time in the event loop (py-spy, one
    worker on PostgreSQL). Making a session needs no I/O; closing it needs a trip to a worker
    thread only when a connection is still checked out (a route that committed has handed
    its connection back already, as the autosave does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        made: list[Session] = []
        scope[_SESSIONS] = made
        try:
            await self.app(scope, receive, send)
        finally:
            # Shielded, as FastAPI shields a dependency's exit: a request cancelled (a server
            # stopping past its grace period) still hands its connection back.
            with CancelScope(shield=True):
                for session in made:
                    await _close(session)


async def _close(session: Session) -> None:
    try:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()
    except Exception:  # never hide the route's own error behind a failed close
        log.exception("closing the request's database session failed")


async def get_session(request: Request) -> Session:
    """The request's session, made on first use and closed by `RequestSessions`."""
    made: list[Session] | None = request.scope.get(_SESSIONS)
    if made is None:
        raise RuntimeError("get_session needs app.db.RequestSessions among the middleware")
    if not made:
        made.append(Session(get_engine(), expire_on_commit=False))
    return made[0]


SessionDep = Annotated[Session, Depends(get_session)]


_sqlite_writes = threading.Lock()
_sqlite_thread: RunVar[CapacityLimiter] = RunVar("sqlite_thread")


async def in_database_thread(session: Session, work: Callable[[], T]) -> T:
    """Run a request's database work in a worker thread (the autosave's full path).

    On SQLite such work takes turns on one thread: the database has one writer at a time
    anyway, and one thread does not fight the event loop for the GIL. With up to 40 threads
    saving at once, one app process answered 12-20 % fewer autosaves (tests/bench/autosave.py).
    On PostgreSQL, which works on many rows at once, it runs in the shared pool of threads.
    """
    if session.get_bind().dialect.name != "sqlite":
        return await run_in_threadpool(work)
    try:
        limiter = _sqlite_thread.get()
    except LookupError:  # the first in this event loop
        limiter = CapacityLimiter(1)
        _sqlite_thread.set(limiter)
    return await to_thread.run_sync(work, limiter=limiter)


@contextmanager
def serialized_writes(session: Session) -> Iterator[None]:
    """Queue this process's SQLite write transactions on a lock.

    SQLite has one writer at a time; the others wait in its busy handler, which sleeps and
    retries (1, 2, 5 … 100 ms). Under a burst of autosaves threads then sleep while the
    database is free: the profile showed three quarters of the time there. A lock wakes the
    next writer the moment the last one commits. PostgreSQL locks rows, not the database:
    nothing to do there.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    with _sqlite_writes:
        yield


def upsert(
    session: Session | Connection,
    model: type[SQLModel],
    values: dict[str, Any],
    keys: list[str],
    when: Exists | None = None,
    over: ColumnElement[bool] | None = None,
    params: dict[str, Any] | None = None,
) -> bool:
    """INSERT … ON CONFLICT DO UPDATE: atomic, so concurrent saves of one row never collide.

    With `when`, the row is written only if that condition holds, checked in the same
    statement as the write (it may use the values as bind parameters by their names). With
    `over` (which needs `when`), a row already there is replaced only if that condition on it
    holds (… DO UPDATE … WHERE); `params` are its bind parameters. Returns whether the row was
    written. The conditions are module constants: statements are cached by them.
    """
    connection = session.connection() if isinstance(session, Session) else session
    stmt = _upsert_statement(connection.dialect.name, model, tuple(values), tuple(keys), when, over)
    # Core, not the ORM: this is the autosave's hot path, and the statement is built once.
    result = connection.execute(stmt, values | (params or {}))
    return when is None or result.first() is not None


async def upsert_async(
    connection: AsyncConnection,
    model: type[SQLModel],
    values: dict[str, Any],
    keys: list[str],
    when: Exists | None = None,
    over: ColumnElement[bool] | None = None,
    params: dict[str, Any] | None = None,
) -> bool:
    """`upsert` through an asyncio connection."""
    dialect = connection.dialect.name
    stmt = _upsert_statement(dialect, model, tuple(values), tuple(keys), when, over)
    result = await connection.execute(stmt, values | (params or {}))
    return when is None or result.first() is not None


@cache
def _upsert_statement(
    dialect: str,
    model: type[SQLModel],
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    when: Exists | None,
    over: ColumnElement[bool] | None,
) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model)
    if when is not None:  # INSERT … SELECT <the values> WHERE <when> ON CONFLICT …
        table = stmt.table
        row = select(*(bindparam(c, type_=table.c[c].type) for c in columns)).where(when)
        stmt = stmt.from_select(list(columns), row)
    assert over is None or when is not None, "RETURNING says whether `over` held"
    updates = {c: stmt.excluded[c] for c in columns if c not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates, where=over)
    # RETURNING says whether the row was written (rowcount is -1 here with psycopg).
    return stmt if when is None else stmt.returning(stmt.table.c[keys[0]])


def insert_ignore(
    session: Session, model: type[SQLModel], values: dict[str, Any], keys: list[str]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: create a row once, whoever gets there first."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=keys))
