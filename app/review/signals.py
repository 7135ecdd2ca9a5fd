"""Attention signals and group medians for KS's national overview (pure: no I/O).

Each signal has its rule in words beside it, so an adviser can see why a municipality is on
the list and judge it; the thresholds mirror the advice rules' language (DESIGN.md).
"""

from enum import StrEnum
from statistics import median
from typing import NamedTuple

LOW_CORE_SCORE = 40.0  # a core area under this is weak enough to ask about
HIGH_SPREAD = 30.0  # standard deviation in points: the team sees the area very differently
HIGH_DONT_KNOW = 30.0  # per cent "Vet ikke": staff may not know the practice
STALE_DAYS = 548  # about 18 months without a new shared round, after an earlier one
PERIOD_DAYS = 730  # the overview reads shares of rounds closed in the last 24 months
MIN_MUNICIPALITIES = 5  # a group median only where at least this many stand behind it


class Kind(StrEnum):
    LOW_CORE = "low_core"
    SPREAD = "spread"
    DONT_KNOW = "dont_know"
    STALE = "stale"
    OVERDUE = "overdue"  # measures overdue in a shared action plan


class Cell(NamedTuple):
    """One area's figures in a shared round (None where too few stood behind it). A named
    tuple: the overview makes thousands per view, and a frozen dataclass is slower to make."""

    area_id: str
    core: bool
    score: float | None
    spread: float | None
    dont_know_share: float | None


class Signal(NamedTuple):
    kind: Kind
    area_id: str | None
    value: float | None


def signals_for(cells: list[Cell], overdue_measures: int = 0) -> list[Signal]:
    """Every signal one shared round raises: its area figures in area order, then the
    number of overdue measures in its action plan (counted only where the plan is shared)."""
    out: list[Signal] = []
    for c in cells:
        if c.core and c.score is not None and c.score < LOW_CORE_SCORE:
            out.append(Signal(Kind.LOW_CORE, c.area_id, c.score))
        if c.spread is not None and c.spread > HIGH_SPREAD:
            out.append(Signal(Kind.SPREAD, c.area_id, c.spread))
        if c.dont_know_share is not None and c.dont_know_share > HIGH_DONT_KNOW:
            out.append(Signal(Kind.DONT_KNOW, c.area_id, c.dont_know_share))
    if overdue_measures > 0:
        out.append(Signal(Kind.OVERDUE, None, float(overdue_measures)))
    return out


def group_median(values: list[float | None]) -> tuple[float | None, int]:
    """The median of the known values and how many there are; None below the minimum, so no
    small group's figure can point at a single municipality."""
    known = [v for v in values if v is not None]
    if len(known) < MIN_MUNICIPALITIES:
        return None, len(known)
    return median(known), len(known)
