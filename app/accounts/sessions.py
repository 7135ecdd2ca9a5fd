"""Login sessions kept in the database, so that logging out ends a session everywhere.

The signed cookie carries a random id; only its SHA-256 is stored (a copy of the table cannot
be replayed as cookies). The table is shared by every app process.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, or_, select, update
from sqlmodel import Session, col

from app.accounts.models import LoginSession, User
from app.accounts.tokens import new_token, token_hash
from app.settings import get_settings


def cutoff(now: datetime) -> datetime:
    """Login sessions started at or before this moment have expired (GODEGREP_SESSION_MAX_HOURS).
    Every check of a login uses it: `active_login` here and the autosave's own query."""
    return now - timedelta(hours=get_settings().session_max_hours)


def start(session: Session, user: User, replacing: str | None = None) -> str:
    """Open a login session for the user (ending the one it replaces); returns the cookie's id."""
    if replacing:
        end(session, replacing, commit=False)
    now = datetime.now(UTC)
    # Prune the user's sessions that can never be used again, so the table stays small.
    session.execute(
        delete(LoginSession).where(
            col(LoginSession.user_id) == user.id,
            or_(
                col(LoginSession.ended_at).is_not(None),
                col(LoginSession.created_at) <= cutoff(now),
                col(LoginSession.epoch) != user.session_epoch,
            ),
        )
    )
    token, digest = new_token()
    assert user.id is not None
    session.add(
        LoginSession(token_hash=digest, user_id=user.id, epoch=user.session_epoch, created_at=now)
    )
    session.commit()
    return token


def end(session: Session, token: str, commit: bool = True) -> None:
    """End a login session at once: its cookie, and every copy of it, stops working."""
    session.execute(
        update(LoginSession)
        .where(col(LoginSession.token_hash) == token_hash(token))
        .where(col(LoginSession.ended_at).is_(None))
        .values(ended_at=datetime.now(UTC))
    )
    if commit:
        session.commit()


def active_login(session: Session, token: str, now: datetime) -> Row[Any] | None:
    """The user behind a session that is not ended, not too old, not outdated by an epoch bump.

    One query (the user joined to the session): this runs on every request, autosave included.
    """
    query = (
        select(col(User.id), col(User.role), col(User.municipality_id), col(User.email))
        .join(LoginSession, col(LoginSession.user_id) == col(User.id))
        .where(
            col(LoginSession.token_hash) == token_hash(token),
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.created_at) > cutoff(now),
            col(LoginSession.epoch) == col(User.session_epoch),
            col(User.active),
        )
    )
    return session.execute(query).first()
