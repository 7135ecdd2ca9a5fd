"""Tables for municipalities and the people who use the service."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    KS_ADVISER = "ks_adviser"
    ADMIN = "admin"


class SizeClass(StrEnum):
    SMALL = "liten"  # under 5 000 inhabitants
    MEDIUM = "mellomstor"  # 5 000 – 19 999
    LARGE = "stor"  # 20 000 and more


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=4, unique=True)  # kommunenummer
    name: str = Field(max_length=100)
    county: str | None = Field(default=None, max_length=100)
    size_class: SizeClass = Field(default=SizeClass.MEDIUM, sa_type=String(20))
    written_standard: str = Field(default="nb", max_length=2)
    active: bool = True


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=String(20))
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    active: bool = True
    locale: str | None = Field(default=None, max_length=2)
    # Bumped to end every session of the user at once (signed cookies carry the epoch).
    session_epoch: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
