"""Figures as pages show them: a change is the difference of the two figures shown."""

from jinja2 import Template

from app.web import env, shown_change


def test_a_change_is_the_difference_of_the_rounded_figures():
    assert shown_change(83.3, 83.3 - 27.8) == 55  # shown 28 → 83, not «56»
    assert shown_change(67.6, 67.6 - 34.4) == 34  # 34 → 68
    assert shown_change(40.2, -0.6) == -1  # 40.8 → 40.2 is shown 41 → 40
    assert shown_change(50.0, 0.0) == 0


def test_the_follow_up_table_reads_up_down_and_unchanged_from_what_it_shows():
    row = env.from_string(
        "{{ before|num }} {{ now|num }} {{ now|shown_change(now - before) }}"
    )
    assert isinstance(row, Template)
    assert row.render(before=27.8, now=83.3) == "28 83 55"
    assert row.render(before=50.4, now=49.6) == "50 50 0"
