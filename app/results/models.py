"""The snapshot of a closed round's results: aggregates only, written once when it closes.

Every view, export, report and shared page of a round's team results reads these tables,
never the answers, so two readings can never be differenced against each other.
"""

from datetime import datetime

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class RoundSnapshot(SQLModel, table=True):
    round_id: int = Field(foreign_key="round.id", primary_key=True)
    respondents: int  # submitted responses behind the snapshot
    invited: int  # respondents invited to the round when it closed
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class SnapshotStatement(SQLModel, table=True):
    round_id: int = Field(foreign_key="round.id", primary_key=True)
    statement_id: str = Field(max_length=80, primary_key=True)
    area_id: str = Field(max_length=80)
    position: int  # the statement's place in the questionnaire
    answered: int
    level_1: int
    level_2: int
    level_3: int
    level_4: int
    dont_know: int
    score_sum: float
    spread: float | None = None


class SnapshotArea(SQLModel, table=True):
    round_id: int = Field(foreign_key="round.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    respondents: int
    spread: float | None = None


class SnapshotComment(SQLModel, table=True):
    """A comment, word for word, without its author; `position` is its sorted place."""

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    position: int = Field(primary_key=True)
    text: str = Field(max_length=4000)


class SnapshotAreaScore(SQLModel, table=True):
    """An area's score under the plain minimum (statements with at least the minimum giving a
    level), written with the snapshot, so peer medians over every municipality read one row
    per round and area. It carries the municipality and close time so that query needs no
    join beyond the municipality's size class."""

    # Peer medians seek each municipality's rounds within the last 24 months.
    __table_args__ = (
        Index("ix_snapshotareascore_municipality_closed", "municipality_id", "closed_at"),
    )

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    closed_at: datetime = Field(sa_type=DateTime(timezone=True))
    score: float | None = None  # None when no statement reached the minimum
    scored: int  # statements the score is made from
