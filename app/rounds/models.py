"""Rounds of the self-assessment, each respondent's response, and the autosaved answers.

Answers are linked to a response so a staff member can come back to exactly where they left;
results only ever show aggregates over responses, never who answered what.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Round(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=100)
    status: RoundStatus = Field(default=RoundStatus.OPEN, sa_type=String(10))
    content_version_id: int = Field(foreign_key="contentversion.id")
    participants: int | None = None  # programme participants, for context-dependent advice
    deadline: date | None = None
    # Optional modules chosen for the round, space-separated area ids (the core is always in).
    modules: str = Field(default="", max_length=400)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RoundRespondent(SQLModel, table=True):
    """Someone invited to answer a round. Respondents see each other's names, so an account
    nobody knows stands out; one added after the round opened is marked as such."""

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    added_late: bool = False


class RoundInvitee(SQLModel, table=True):
    """Someone new invited to a round as it was created, who has no account yet. An account is
    made only when a staff invitation is accepted; then these rows of the municipality's open
    rounds become RoundRespondent rows (app.rounds.respondents.join_invited_rounds)."""

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    email: str = Field(max_length=254, primary_key=True, index=True)  # lower-case, as User.email
    added_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Response(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    submitted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Answer(SQLModel, table=True):
    response_id: int = Field(foreign_key="response.id", primary_key=True)
    statement_id: str = Field(max_length=80, primary_key=True)
    level: int  # 1–4, or 0 for "Vet ikke"
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class AreaComment(SQLModel, table=True):
    response_id: int = Field(foreign_key="response.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    text: str = Field(max_length=4000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
