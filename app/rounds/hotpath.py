"""The autosave's one query: the login behind the session cookie, the round and the user's
response to it, found together.

Every click on a level is an autosave, so this is the app's busiest path. The login check,
the round and the response would otherwise be three queries (and the login check its own trip
to a worker thread); here they are one. The conditions on the login are the ones
`app.accounts.sessions.active_login` uses, so logging out or ending all sessions stops an
autosave exactly as it stops any other request, in every app process.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlmodel import Session, col

from app.accounts.models import LoginSession, User
from app.accounts.sessions import cutoff
from app.accounts.tokens import token_hash
from app.authz import Actor
from app.rounds.models import Response, Round


@dataclass(frozen=True)
class Found:
    actor: Actor
    round: Round | None  # None: no such round (a 404 to come, as for any other id)
    response_id: int | None  # None: the user has not started a response yet
    submitted: bool


def find(session: Session, token: str, now: datetime, round_id: int) -> Found | None:
    """The actor, round and response for an autosave; None when the login is not valid."""
    params = {"digest": token_hash(token), "cutoff": cutoff(now), "round_id": round_id}
    row = session.connection().execute(_query(), params).first()
    if row is None:
        return None
    actor = Actor(row.user_id, row.role, row.user_municipality_id, row.email)
    rnd = None
    if row.id is not None:
        rnd = Round(**{c: getattr(row, c) for c in ROUND_COLUMNS})
    return Found(actor, rnd, row.response_id, row.submitted_at is not None)


ROUND_COLUMNS = [c.name for c in Round.__table__.columns]  # type: ignore[attr-defined]


@cache
def _query() -> Any:
    """Built once: the statement is the same for every autosave."""
    rounds = Round.__table__  # type: ignore[attr-defined]
    return (
        select(
            col(User.id).label("user_id"),
            col(User.role),
            col(User.municipality_id).label("user_municipality_id"),
            col(User.email),
            *rounds.columns,
            col(Response.id).label("response_id"),
            col(Response.submitted_at),
        )
        .select_from(LoginSession)
        .join(User, col(User.id) == col(LoginSession.user_id))
        .outerjoin(rounds, rounds.c.id == bindparam("round_id"))
        .outerjoin(
            Response,
            and_(col(Response.round_id) == rounds.c.id, col(Response.user_id) == col(User.id)),
        )
        .where(
            col(LoginSession.token_hash) == bindparam("digest"),
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.created_at) > bindparam("cutoff"),
            col(LoginSession.epoch) == col(User.session_epoch),
            col(User.active),
        )
    )
