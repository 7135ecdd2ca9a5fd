"""The action plan's measures and the team's agreed readings, as the development page, the
report and the exports need them.

TODO(#7): the action plan (app/plan/) is built in parallel; once it is merged, return the
municipality's measures and agreed readings for these rounds from there (the lead wires it).
Until then there are none, and every page says so.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.authz import Actor


@dataclass(frozen=True)
class Measure:
    """One measure of an action plan, as shown on the time line and in the report."""

    round_id: int  # the round whose results the measure answers
    title: str
    area_id: str | None
    owner: str
    due: date | None
    status: str  # as the plan names it (planned, underway, done …)
    done_on: date | None  # where it is marked on the time line
    follow_up: str = ""  # how it went, written at the next round


def measures_for(session: Session, actor: Actor, round_ids: list[int]) -> list[Measure]:
    """The measures of the action plans made after these rounds (none until #7 is merged)."""
    del session, actor, round_ids  # TODO(#7): read app/plan's measures for these rounds
    return []


@dataclass(frozen=True)
class Reading:
    """The team's agreed reading of an area's results, kept beside the raw figures."""

    area_id: str | None
    text: str


def readings_for(session: Session, actor: Actor, round_id: int) -> list[Reading]:
    """The agreed readings recorded for a round (none until #7 is merged)."""
    del session, actor, round_id  # TODO(#7): read the agreed readings from app/plan
    return []
