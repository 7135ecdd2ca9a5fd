"""Snapshots of guidance content, so a round renders with the version it started with."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class ContentVersion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=40)
    checksum: str = Field(max_length=64, unique=True)
    body: str = Field(sa_type=Text)  # the validated content as JSON
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
