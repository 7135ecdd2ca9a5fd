"""The action plan of a closed round: measures, each linked to the statements it should move.

The next closed round's results open with how each measure went ("Hvordan gikk det?").
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


OPEN_STATUSES = (MeasureStatus.PLANNED.value, MeasureStatus.IN_PROGRESS.value)


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """A measure is overdue once its due date has passed (the due day itself is not) while it
    is still planned or in progress; done or dropped measures never are."""
    return due is not None and due < today and status in OPEN_STATUSES


class Measure(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    title: str = Field(max_length=200)
    # The owner is a user of the municipality, or a free-text name such as "Nav-kontoret".
    owner_user_id: int | None = Field(default=None, foreign_key="user.id")
    owner_text: str = Field(default="", max_length=100)
    due: date | None = None
    status: MeasureStatus = Field(default=MeasureStatus.PLANNED, sa_type=String(12))
    note: str = Field(default="", max_length=1000)
    advice_id: str | None = Field(default=None, max_length=80)  # the advice it was made from
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class MeasureStatement(SQLModel, table=True):
    """A statement of the round's content version that the measure is meant to move."""

    measure_id: int = Field(foreign_key="measure.id", primary_key=True)
    statement_id: str = Field(max_length=80, primary_key=True)
