"""Health checks for whatever runs the app: alive (the process answers, no I/O) and ready (the
database answers and its schema is the one this code was written for, and Redis answers when
the app is configured to use it)."""

import logging
from functools import cache

import redis
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.authz import Access
from app.db import SessionDep
from app.settings import ROOT, get_settings
from app.web import allow

router = APIRouter()
log = logging.getLogger(__name__)


@router.get("/helse/live", dependencies=[allow(Access.PUBLIC)])
async def alive() -> Response:
    return PlainTextResponse("ok")


# /helse is kept for existing callers; like /helse/klar it now asks the database.
@router.get("/helse", dependencies=[allow(Access.PUBLIC)])
@router.get("/helse/klar", dependencies=[allow(Access.PUBLIC)])
def ready(session: SessionDep) -> Response:
    if not database_ready(session) or not redis_ready():
        return PlainTextResponse("ikke klar", status_code=503)
    return PlainTextResponse("ok")


def database_ready(session: Session) -> bool:
    """True when the database answers and has every migration this code expects, no other."""
    try:
        applied = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
        session.rollback()
    except SQLAlchemyError as exc:
        log.warning("not ready: %s", exc)
        return False
    if applied != expected_revisions():
        log.warning("not ready: database at %s, code expects %s", applied, expected_revisions())
        return False
    return True


def redis_ready() -> bool:
    """True when no Redis is configured, or when the configured one answers a PING."""
    url = get_settings().redis_url
    if url is None:
        return True
    try:
        return bool(_redis(url).ping())
    except redis.RedisError as exc:
        log.warning("not ready: Redis: %s", exc)
        return False


@cache
def _redis(url: str) -> "redis.Redis":
    # Short timeouts: a health check must answer quickly, whatever Redis does.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


@cache
def expected_revisions() -> set[str]:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    return set(ScriptDirectory.from_config(config).get_heads())
