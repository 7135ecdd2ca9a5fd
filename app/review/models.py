"""Rounds a municipality shares with KS, KS's feedback on them, and the area figures of each
share computed once when it is made (so the national overview never re-aggregates)."""

from datetime import datetime

from sqlalchemy import DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class RoundShare(SQLModel, table=True):
    """One act of sharing a closed round with KS, until it is withdrawn."""

    # Each municipality's latest share is one backward index step (the national overview).
    __table_args__ = (
        Index("ix_roundshare_municipality_latest", "municipality_id", "round_closed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    # The round's id while the share stands, NULL once withdrawn: a unique column that allows
    # only one standing share per round on both databases (NULLs never clash).
    active_round_id: int | None = Field(default=None, unique=True)
    round_closed_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    include_comments: bool = False
    include_plan: bool = False  # the action plan (#7), once there is one to share
    shared_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    shared_by_id: int = Field(foreign_key="user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user.id")
    respondents: int = 0
    taken_by_id: int | None = Field(default=None, foreign_key="user.id")  # "jeg ser på denne"
    taken_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reviewed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")


class SharedArea(SQLModel, table=True):
    """An area's figures as KS may see them (as any respondent could; None where hidden)."""

    share_id: int = Field(foreign_key="roundshare.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    core: bool = False
    score: float | None = None
    spread: float | None = None
    dont_know_share: float | None = None  # per cent


class Feedback(SQLModel, table=True):
    """KS's feedback on a share, one per area ("" for the round as a whole), and the
    municipality's one reply. Sent feedback stays with the municipality after a withdrawal."""

    __table_args__ = (UniqueConstraint("share_id", "area_id"),)

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="roundshare.id", index=True)
    area_id: str = Field(default="", max_length=80)
    text: str = Field(sa_type=Text)
    author_id: int = Field(foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reply: str | None = Field(default=None, sa_type=Text)
    reply_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    reply_by_id: int | None = Field(default=None, foreign_key="user.id")
