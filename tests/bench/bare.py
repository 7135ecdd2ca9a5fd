"""The baseline for tests/bench/autosave.py: one autosave with nothing else around it.

A bare Starlette app with a single route, POST /save, that does what the autosave must do at
the least: parse the form (`response_id`, `a.<statement id>=<level 0-4>`), upsert each answer
into the `answer` table with INSERT … ON CONFLICT DO UPDATE (the same statement app/db.py
builds, here with SQLAlchemy Core), commit, and answer with a tiny text. No session cookie,
CSRF, login check, ORM, template or progress query.

As the real route did when the aim was set (its usual save now runs on the event loop,
app/rounds/fastsave.py), the database work runs in Starlette's thread pool on one pooled
connection per request. Served by uvicorn, one worker:

    GODEGREP_DATABASE_URL=sqlite:///... python -m uvicorn bare:app --app-dir tests/bench
"""

import os
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.db import make_engine  # the same engine and pool settings as the app

LEVELS = {"0", "1", "2", "3", "4"}

answer = Table(
    "answer",
    MetaData(),
    Column("response_id", Integer, primary_key=True),
    Column("statement_id", String(80), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


ENGINE = make_engine(os.environ["GODEGREP_DATABASE_URL"])
INSERT = postgresql.insert if ENGINE.dialect.name == "postgresql" else sqlite.insert


def save_answers(response_id: int, answers: dict[str, int]) -> None:
    now = datetime.now(UTC)
    with ENGINE.connect() as connection:
        for statement_id, level in answers.items():
            stmt = INSERT(answer).values(
                response_id=response_id, statement_id=statement_id, level=level, updated_at=now
            )
            updates = {"level": stmt.excluded.level, "updated_at": stmt.excluded.updated_at}
            connection.execute(
                stmt.on_conflict_do_update(
                    index_elements=["response_id", "statement_id"], set_=updates
                )
            )
        connection.commit()


async def save(request: Request) -> PlainTextResponse:
    form = await request.form()
    response_id = form.get("response_id")
    answers = {k[2:]: v for k, v in form.items() if k.startswith("a.")}
    if not isinstance(response_id, str) or not response_id.isdigit():
        return PlainTextResponse("response_id mangler", status_code=422)
    if not all(isinstance(v, str) and v in LEVELS for v in answers.values()):
        return PlainTextResponse("ugyldig nivå", status_code=422)
    levels = {k: int(v) for k, v in answers.items() if isinstance(v, str)}
    await run_in_threadpool(save_answers, int(response_id), levels)
    return PlainTextResponse("Lagret")


app = Starlette(routes=[Route("/save", save, methods=["POST"])])
