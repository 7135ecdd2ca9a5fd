"""The usual autosave on PostgreSQL, on the event loop: one answer or one comment for a
response already started, read and written through an asyncio connection.

Every click on a level is such a save. In a worker thread (`service.autosave`) each of its
trips to the database hands the GIL over and waits to get it back behind the event loop and
the other threads, holding its connection all the while; one app process answered about a
quarter fewer saves that way (tests/bench/autosave.py, one worker on PostgreSQL). Here the
two statements, `hotpath.query` and the write, are awaited on the event loop instead.

The checks are the full path's own (`service.check_save`, the same login query and access
rule), and so is the write: one INSERT … ON CONFLICT that holds only while the response is
unsubmitted, a transaction by itself. Everything else goes the full way: SQLite, a save of
several rows (written together or not at all), the first save (it creates the response), a
round whose guidance this process has not read yet, and the tests' shared transaction.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Session

from app.authz import Action, require
from app.content.service import loaded_guidance
from app.db import async_engine, upsert_async
from app.errors import Conflict
from app.i18n import _
from app.rounds import hotpath, service
from app.rounds.forms import AnswerForm
from app.rounds.hotpath import Found


def engine_for(session: Session, form: AnswerForm) -> AsyncEngine | None:
    """The asyncio engine for this save, or None when it goes the full way."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or len(form.answers) + len(form.comments) != 1:
        return None
    return async_engine(bind)


async def save(
    engine: AsyncEngine,
    token: str,
    now: float,
    round_id: int,
    form: AnswerForm,
    accept: Callable[[Found | None], None],
) -> service.Progress | None:
    """Save the form; None when it must go the full way after all (nothing written then).

    `accept` takes the login the query found, as the full path does, and raises when it
    is not valid or may not save."""
    at = datetime.fromtimestamp(now, UTC)
    async with engine.connect() as connection:
        row = (
            await connection.execute(hotpath.query(), hotpath.params(token, at, round_id))
        ).first()
        found = hotpath.found_in(row, round_id)
        accept(found)
        assert found is not None
        require(found.actor, Action.ANSWER_ROUND, found.municipality_id)
        database = str(engine.url)
        guidance = loaded_guidance(database, found.content_version_id, found.modules)
        if found.response_id is None or guidance is None:
            return None
        service.check_save(guidance, found.status, form)
        if found.submitted:
            raise Conflict(_(service.SUBMITTED))
        (write,) = service.rows_to_save(found.response_id, form)
        written = await upsert_async(
            connection, write.model, write.values, write.keys, when=service.UNSUBMITTED
        )
        if not written:  # submitted since the query read it (another tab or process)
            raise Conflict(_(service.SUBMITTED))
    return service.tally(guidance, found.answered | set(form.answers))
