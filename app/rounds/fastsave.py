"""The usual autosave, on the event loop: one answer or one comment for a response already
started, read and written without a worker thread.

Every click on a level is such a save. In a worker thread (`service.autosave`) each of its
trips to the database hands the GIL over and waits to get it back behind the event loop and
the other threads. On PostgreSQL the save goes through an asyncio connection: one app process
answered about a fifth more saves (tests/bench/autosave.py with wrk, one worker). On SQLite,
whose calls are short and local, it runs on the loop itself, on a connection that never waits
for the write lock (app.db.loop_sqlite_engine): while another connection writes, the loop
tries again a millisecond later, serving other requests meanwhile. One worker answered about
twice as many saves.

The checks are the full path's own (the same login query, access rule, `require` and
`service.check_save`), and so is the write: one INSERT … ON CONFLICT that holds only while
the response is unsubmitted (and a comment only over the text the page showed), a transaction
by itself. Everything else goes the full way: a save of several rows (written together or not
at all), the first save (it creates the response), a round whose guidance this process has not
read yet, a SQLite save that found another connection writing at every try, and the tests'
shared transaction. So does a save that wrote nothing: the full path says why.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from app.authz import Action, require
from app.content.service import loaded_guidance
from app.db import async_engine, async_turns, is_busy, loop_sqlite_engine
from app.errors import Conflict
from app.i18n import _
from app.rounds import hotpath, service
from app.rounds.forms import AnswerForm
from app.rounds.hotpath import Found
from app.rounds.service import Progress, SaveRow

Accept = Callable[[Found | None], None]
# SQLite: tries on the loop while another connection holds the write lock, a millisecond
# apart. With two workers one save in fourteen found the other's write under way; going the
# full way at once, those waited in SQLite's busy handler (p95 670 ms at saturation). With
# three tries, 6 in 15,000 went the full way (p95 84 ms) and 2 ÷ 1 workers rose 1.56 → 1.68×
# (one run each); the five-run benchmark with four: p95 92 ms, 1.74× (README, Benchmark).
BUSY_TRIES = 4


async def try_save(
    session: Session, token: str, now: float, round_id: int, form: AnswerForm, accept: Accept
) -> Progress | None:
    """Save the form on the event loop; None when it must go the full way (nothing written).

    `accept` takes the login the query found, as on the full path, and raises when it is
    not valid or may not save here."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or len(form.answers) + len(form.comments) != 1:
        return None
    params = hotpath.params(token, datetime.fromtimestamp(now, UTC), round_id)
    checks = Checks(str(bind.url), round_id, form, accept)
    if bind.dialect.name == "sqlite":
        return await _on_sqlite(bind, params, checks)
    return await _on_postgres(bind, params, checks)


@dataclass(frozen=True)
class Checks:
    """What the query's row is checked against, besides the rules themselves."""

    url: str  # the database's: guidance is cached per database
    round_id: int
    form: AnswerForm
    accept: Accept


async def _on_sqlite(bind: Engine, params: dict[str, Any], checks: Checks) -> Progress | None:
    engine = loop_sqlite_engine(bind)
    if engine is None:
        return None
    for attempt in range(BUSY_TRIES):
        # First behind the requests already waiting: with the whole save in one step of the
        # loop, a tenth of wrk's 100 connections waited over 2 s for an answer while the
        # others were served (p95 2.1 s, against 0.6 s with this line). Then, while another
        # connection writes, again a millisecond later, serving other requests meanwhile.
        await asyncio.sleep(0.001 if attempt else 0)
        try:
            return _save_on_sqlite(engine, params, checks)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
    return None  # a long write elsewhere (a round being closed): the full path waits its turn


def _save_on_sqlite(engine: Engine, params: dict[str, Any], checks: Checks) -> Progress | None:
    with engine.connect() as connection:
        checked = _checked(connection.execute(hotpath.query(), params).first(), checks)
        if checked is None:
            return None
        row, progress = checked
        written = service.write(connection, row)
        connection.commit()
    return _saved(written, progress)


async def _on_postgres(bind: Engine, params: dict[str, Any], checks: Checks) -> Progress | None:
    engine = async_engine(bind)
    if engine is None:
        return None
    try:
        async with async_turns(bind), engine.connect() as connection:
            found = (await connection.execute(hotpath.query(), params)).first()
            checked = _checked(found, checks)
            if checked is None:
                return None
            row, progress = checked
            written = await service.write_async(connection, row)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # The pooled connection had died (PostgreSQL restarted): SQLAlchemy has dropped the
        # pool's connections, and the full path, whose pool checks each one first, saves this
        # click. The same row again, so a write that got through before the loss does no harm.
        return None
    return _saved(written, progress)


def _checked(row: Any, checks: Checks) -> tuple[SaveRow, Progress] | None:
    """The query's row checked as the full path checks it: the row to write and the progress
    after it; None when the save must go the full way."""
    found = hotpath.found_in(row, checks.round_id)
    checks.accept(found)
    assert found is not None
    require(found.actor, Action.ANSWER_ROUND, found.municipality_id)
    guidance = loaded_guidance(checks.url, found.content_version_id, found.modules)
    if found.response_id is None or guidance is None:
        return None
    service.check_save(guidance, found.status, checks.form)
    if found.submitted:
        raise Conflict(_(service.SUBMITTED))
    (save,) = service.rows_to_save(found.response_id, checks.form)
    return save, service.tally(guidance, found.answered | set(checks.form.answers))


def _saved(written: bool, progress: Progress) -> Progress | None:
    # Not written: submitted, or the comment saved, from another tab or process since the
    # query read it. The full path writes nothing either, and says which.
    return progress if written else None
