"""The audit log: an append-only record of sensitive actions.

The app only ever inserts into this table (see `record`); no route updates or deletes it, and
on PostgreSQL a trigger refuses UPDATE and DELETE outright.
"""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlmodel import Field, Session, SQLModel

from app.accounts.models import utcnow
from app.authz import Actor


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)
    actor_id: int | None = None  # no foreign key: the log outlives deleted users
    actor_email: str = Field(default="", max_length=254)
    event: str = Field(max_length=50, index=True)
    target: str = Field(default="", max_length=200)
    municipality_id: int | None = Field(default=None, index=True)
    ip: str = Field(default="", max_length=64)
    detail: str = Field(default="{}", sa_type=Text)


def record(
    session: Session,
    actor: Actor | None,
    event: str,
    target: str = "",
    *,
    municipality_id: int | None = None,
    ip: str = "",
    email: str = "",
    **detail: Any,
) -> None:
    """Add an event to the log; it is written with the caller's transaction."""
    session.add(
        AuditEvent(
            actor_id=actor.user_id if actor else None,
            actor_email=actor.email if actor else email,
            event=event,
            target=target[:200],
            municipality_id=municipality_id,
            ip=ip[:64],
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )
