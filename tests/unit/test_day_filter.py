"""Days on every page are written as the reader's language writes them, in Oslo time."""

from datetime import UTC, date, datetime

from app.admin.events import oslo_time
from app.clock import day_text as day
from app.i18n import speaking


def test_a_date_is_written_day_month_year():
    assert day(date(2026, 3, 3)) == "03.03.2026"


def test_a_moment_late_in_the_utc_evening_is_the_next_day_in_oslo():
    assert day(datetime(2026, 12, 2, 23, 30, tzinfo=UTC)) == "03.12.2026"
    naive = datetime(2026, 7, 2, 22, 30)  # noqa: DTZ001  (SQLite gives UTC back without a zone)
    assert day(naive) == "03.07.2026"
    assert day(datetime(2026, 7, 2, 21, 30, tzinfo=UTC)) == "02.07.2026"


def test_no_day_is_a_dash():
    assert day(None) == "–"


def test_english_names_the_month_so_no_day_is_read_as_a_month():
    with speaking("en"):
        assert day(date(2026, 5, 4)) == "4 May 2026"
        assert day(datetime(2026, 12, 2, 23, 30, tzinfo=UTC)) == "3 Dec 2026"
    with speaking("nn"):
        assert day(date(2026, 5, 4)) == "04.05.2026"


def test_the_audit_log_writes_its_moments_in_oslo_time_and_the_readers_language():
    moment = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert oslo_time(moment) == "03.12.2026 00:30:00"
    with speaking("en"):
        assert oslo_time(moment) == "3 Dec 2026 00:30:00"
