"""Days on every page are written the Norwegian way and in Oslo time."""

from datetime import UTC, date, datetime

from app.clock import day_text as day


def test_a_date_is_written_day_month_year():
    assert day(date(2026, 3, 3)) == "03.03.2026"


def test_a_moment_late_in_the_utc_evening_is_the_next_day_in_oslo():
    assert day(datetime(2026, 12, 2, 23, 30, tzinfo=UTC)) == "03.12.2026"
    naive = datetime(2026, 7, 2, 22, 30)  # noqa: DTZ001  (SQLite gives UTC back without a zone)
    assert day(naive) == "03.07.2026"
    assert day(datetime(2026, 7, 2, 21, 30, tzinfo=UTC)) == "02.07.2026"


def test_no_day_is_a_dash():
    assert day(None) == "–"
