"""Figures as pages show them: a change is the difference of the two figures shown."""

from jinja2 import Template

from app.i18n import speaking
from app.results.scoring import shown_difference as shown_change
from app.templating import env


def test_a_change_is_the_difference_of_the_rounded_figures():
    assert shown_change(83.3, 27.8) == 55  # shown 28 → 83, not «56»
    assert shown_change(67.6, 34.4) == 34  # 34 → 68
    assert shown_change(40.2, 40.8) == -1  # shown 41 → 40
    assert shown_change(50.0, 50.0) == 0
    # From the two figures themselves, not from one and the change: 62.5 → 25 as level
    # averages come out in floating point, shown 63 → 25.
    assert shown_change(25.000000000000004, 62.50000000000001) == -38


def test_the_follow_up_table_reads_up_down_and_unchanged_from_what_it_shows():
    row = env.from_string("{{ before|num }} {{ now|num }} {{ now|shown_change(before) }}")
    assert isinstance(row, Template)
    assert row.render(before=27.8, now=83.3) == "28 83 55"
    assert row.render(before=50.4, now=49.6) == "50 50 0"


def test_a_share_keeps_its_sign_as_each_language_writes_it():
    cell = env.from_string("{{ share|percent }}")
    with speaking("nb"):
        assert cell.render(share=14.4) == "14\u00a0%"  # never broken between the two
        assert cell.render(share=None) == "–"
    with speaking("nn"):
        assert cell.render(share=66.7) == "67\u00a0%"
    with speaking("en"):
        assert cell.render(share=66.7) == "67%"


def test_a_change_in_a_table_has_a_minus_sign_not_a_hyphen():
    cell = env.from_string("{{ change|signed }}")
    assert [cell.render(change=c) for c in (5, -28, 0)] == ["+5", "\u221228", "0"]
