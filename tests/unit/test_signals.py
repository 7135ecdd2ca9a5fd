"""The national overview's signal rules and the five-municipality minimum for medians."""

import pytest

from app.review.signals import Cell, Kind, group_median, signals_for


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
