"""The team's agreed reading of an area, recorded in the meeting beside the raw figures."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class AgreedReading(SQLModel, table=True):
    round_id: int = Field(foreign_key="round.id", primary_key=True)
    area_id: str = Field(max_length=80, primary_key=True)
    note: str = Field(default="", max_length=1000)
    level: int | None = None  # 1–4, the level the team agrees it is at, if it agreed on one
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
