"""The autosave's one query: the login behind the session cookie, the round, the user's
response to it and the statements it has answered already, found together.

Every click on a level is an autosave, so this is the app's busiest path. The login check,
the round, the response and the progress would otherwise be four queries (and the login check
its own trip to a worker thread); here they are one, built once, and its row is read into
plain values rather than ORM objects. The conditions on the login are the ones
`app.accounts.sessions.active_login` uses, so logging out or ending all sessions stops an
autosave exactly as it stops any other request, in every app process.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlmodel import Session, col

from app.accounts.models import LoginSession, User
from app.accounts.sessions import cutoff
from app.accounts.tokens import token_hash
from app.authz import Actor
from app.rounds.models import Answer, Response, Round

SEPARATOR = " "  # between the answered statement ids; ids are slugs, never with a space


@dataclass(frozen=True)
class Found:
    actor: Actor
    round_id: int
    municipality_id: int | None  # None: no such round (a 404 to come, as for any other id)
    status: str
    content_version_id: int
    modules: tuple[str, ...]
    response_id: int | None  # None: the user has not started a response yet
    submitted: bool
    answered: frozenset[str]  # the statements the response has an answer to already


def find(session: Session, token: str, now: datetime, round_id: int) -> Found | None:
    """The actor, round and response for an autosave; None when the login is not valid."""
    row = session.connection().execute(query(), params(token, now, round_id)).first()
    return found_in(row, round_id)


def params(token: str, now: datetime, round_id: int) -> dict[str, Any]:
    """The query's parameters: the cookie's login (by its hash), its age limit and the round."""
    return {"digest": token_hash(token), "cutoff": cutoff(now), "round_id": round_id}


def found_in(row: Any, round_id: int) -> Found | None:
    """The query's row as plain values; None (no row) when the login is not valid."""
    if row is None:
        return None
    return Found(
        actor=Actor(row.user_id, row.role, row.user_municipality_id, row.email),
        round_id=round_id,
        municipality_id=row.municipality_id,
        status=row.status or "",
        content_version_id=row.content_version_id or 0,
        modules=tuple((row.modules or "").split()),
        response_id=row.response_id,
        submitted=row.submitted_at is not None,
        answered=frozenset((row.answered or "").split(SEPARATOR)) - {""},
    )


@cache
def query() -> Any:
    """Built once: the statement is the same for every autosave."""
    answered = (
        select(func.aggregate_strings(col(Answer.statement_id), SEPARATOR))
        .where(col(Answer.response_id) == col(Response.id))
        .scalar_subquery()
    )
    return (
        select(
            col(User.id).label("user_id"),
            col(User.role),
            col(User.municipality_id).label("user_municipality_id"),
            col(User.email),
            col(Round.municipality_id),
            col(Round.status),
            col(Round.content_version_id),
            col(Round.modules),
            col(Response.id).label("response_id"),
            col(Response.submitted_at),
            answered.label("answered"),
        )
        .select_from(LoginSession)
        .join(User, col(User.id) == col(LoginSession.user_id))
        .outerjoin(Round, col(Round.id) == bindparam("round_id"))
        .outerjoin(
            Response,
            and_(col(Response.round_id) == col(Round.id), col(Response.user_id) == col(User.id)),
        )
        .where(
            col(LoginSession.token_hash) == bindparam("digest"),
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.created_at) > bindparam("cutoff"),
            col(LoginSession.epoch) == col(User.session_epoch),
            col(User.active),
        )
    )
