"""The national overview's signal rules and the five-municipality minimum for medians."""

from datetime import date

import pytest

from app.plan.models import OPEN_STATUSES, MeasureStatus, is_overdue
from app.review.signals import Cell, Kind, group_median, signals_for

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("cell", "kinds"),
    [
        (Cell("a", True, 39.9, 10, 0), [Kind.LOW_CORE]),
        (Cell("a", True, 40.0, 10, 0), []),  # "under 40": 40 itself is not
        (Cell("a", False, 10.0, 10, 0), []),  # only core areas
        (Cell("a", True, None, None, None), []),  # hidden figures raise nothing
        (Cell("a", False, 60, 30.1, 0), [Kind.SPREAD]),
        (Cell("a", False, 60, 30.0, 0), []),
        (Cell("a", False, 60, 5, 30.1), [Kind.DONT_KNOW]),
        (Cell("a", False, 60, 5, 30.0), []),
        (Cell("a", True, 20, 40, 50), [Kind.LOW_CORE, Kind.SPREAD, Kind.DONT_KNOW]),
    ],
)
def test_signals_for(cell, kinds):
    assert [s.kind for s in signals_for([cell])] == kinds


def test_group_median_needs_five_known_values():
    assert group_median([10, 20, 30, 40, None, None]) == (None, 4)
    assert group_median([10, 20, 30, 40, 50]) == (30, 5)


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (date(2026, 3, 14), "planned", True),  # yesterday
        (date(2026, 3, 14), "in_progress", True),
        (date(2026, 3, 15), "planned", False),  # due today is not overdue yet
        (date(2026, 3, 16), "planned", False),
        (date(2025, 1, 1), "done", False),  # done or dropped never are
        (date(2025, 1, 1), "dropped", False),
        (None, "planned", False),  # no due date, nothing to pass
        (date(2025, 1, 1), "planned", True),
    ],
)
def test_is_overdue(due, status, overdue):
    assert is_overdue(due, status, TODAY) is overdue


def test_the_open_statuses_are_the_plans_own():
    assert set(OPEN_STATUSES) == {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS}
    assert set(OPEN_STATUSES) < {s.value for s in MeasureStatus}


def test_overdue_measures_raise_one_signal_with_their_number():
    cells = [Cell("a", True, 20, 5, 0)]
    assert [s.kind for s in signals_for(cells, overdue_measures=0)] == [Kind.LOW_CORE]
    signals = signals_for(cells, overdue_measures=3)
    assert [(s.kind, s.value) for s in signals] == [(Kind.LOW_CORE, 20), (Kind.OVERDUE, 3.0)]
    assert [s.kind for s in signals_for([], overdue_measures=1)] == [Kind.OVERDUE]
