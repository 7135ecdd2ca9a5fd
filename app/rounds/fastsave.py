"""The usual autosave on PostgreSQL, on the event loop: one answer or one comment for a
response already started, read and written through an asyncio connection.

Every click on a level is such a save. In a worker thread (`service.autosave`) each of its
trips to the database hands the GIL over and waits to get it back behind the event loop and
the other threads, holding its connection all the while. On the event loop one app process
answered about a fifth more saves (tests/bench/autosave.py with wrk, one worker).

The checks are the full path's own (the same login query, access rule, `require` and
`service.check_save`), and so is the write: one INSERT … ON CONFLICT that holds only while
the response is unsubmitted, a transaction by itself. Everything else goes the full way:
SQLite, a save of several rows (written together or not at all), the first save (it creates
the response), a round whose guidance this process has not read yet, and the tests' shared
transaction.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Session

from app.authz import Action, require
from app.content.service import loaded_guidance
from app.db import async_engine, upsert_async
from app.errors import Conflict
from app.i18n import _
from app.rounds import hotpath, service
from app.rounds.forms import AnswerForm
from app.rounds.hotpath import Found

Accept = Callable[[Found | None], None]


async def try_save(
    session: Session, token: str, now: float, round_id: int, form: AnswerForm, accept: Accept
) -> service.Progress | None:
    """Save the form on the event loop; None when it must go the full way (nothing written).

    `accept` takes the login the query found, as on the full path, and raises when it is
    not valid or may not save here."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or len(form.answers) + len(form.comments) != 1:
        return None
    engine = async_engine(bind)
    if engine is None:
        return None
    async with engine.connect() as connection:
        found = await _find(connection, token, now, round_id)
        accept(found)
        assert found is not None
        require(found.actor, Action.ANSWER_ROUND, found.municipality_id)
        guidance = loaded_guidance(str(bind.url), found.content_version_id, found.modules)
        if found.response_id is None or guidance is None:
            return None
        service.check_save(guidance, found.status, form)
        await _write(connection, found, form)
    return service.tally(guidance, found.answered | set(form.answers))


async def _find(connection: AsyncConnection, token: str, now: float, round_id: int) -> Found | None:
    at = datetime.fromtimestamp(now, UTC)
    result = await connection.execute(hotpath.query(), hotpath.params(token, at, round_id))
    return hotpath.found_in(result.first(), round_id)


async def _write(connection: AsyncConnection, found: Found, form: AnswerForm) -> None:
    assert found.response_id is not None
    if found.submitted:
        raise Conflict(_(service.SUBMITTED))
    (row,) = service.rows_to_save(found.response_id, form)
    written = await upsert_async(
        connection, row.model, row.values, row.keys, when=service.UNSUBMITTED
    )
    if not written:  # submitted since the query read it (another tab or process)
        raise Conflict(_(service.SUBMITTED))
