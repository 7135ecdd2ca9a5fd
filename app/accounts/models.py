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
    population: int | None = None
    size_class: SizeClass = Field(default=SizeClass.MEDIUM, sa_type=String(20))
    # True once an administrator has set the size class; the register import then leaves it.
    size_class_manual: bool = False
    # The municipality's chosen written standard: nb (bokmål), nn (nynorsk) or neutral.
    written_standard: str = Field(default="nb", max_length=7)
    active: bool = True


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=String(20))
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    active: bool = True
    locale: str | None = Field(default=None, max_length=2)
    # Bumped to end every session of the user at once (each login session records the epoch).
    session_epoch: int = 0
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Invitation(SQLModel, table=True):
    """A single-use link to join with a role; only a hash of the token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    role: Role = Field(sa_type=String(20))
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class PasswordReset(SQLModel, table=True):
    """A single-use, short-lived link to set a new password; only a hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class LoginSession(SQLModel, table=True):
    """One login, ended server-side at logout; the cookie holds a random id, we only its hash.

    A session is valid while it is not ended, younger than the absolute lifetime, and its
    epoch still matches the user's (bumping User.session_epoch ends all of them at once).
    """

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    epoch: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
