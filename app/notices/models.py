"""E-mail notices already sent, so the scheduled job never sends one twice (even when two
runs overlap: the row is inserted once, whoever gets there first)."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class SentNotice(SQLModel, table=True):
    kind: str = Field(max_length=30, primary_key=True)  # round_opened, deadline_soon, …
    key: str = Field(max_length=100, primary_key=True)  # what it was about, e.g. "12:7"
    sent_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
