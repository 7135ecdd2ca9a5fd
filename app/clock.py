"""Norwegian time: the day a stored moment falls on in Oslo.

Moments are stored in UTC (SQLite gives them back without a zone); a day shown to people or
used as "the day it happened" is the Oslo day, so 23:30 UTC on 14 September is 15 September.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from app.i18n import _, current_locale

OSLO = ZoneInfo("Europe/Oslo")


def oslo_today() -> date:
    """Today in Norway (deadlines and due dates are Oslo days)."""
    return datetime.now(OSLO).date()


def oslo_date(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(OSLO).date()


def day_text(moment: date | datetime | None) -> str:
    """A day as the reader's language writes it: 03.12.2026 in Norwegian, «3 Dec 2026» in
    English (where 04.05 could be read as the fifth of April); a moment is its Oslo day."""
    if moment is None:
        return "–"
    if isinstance(moment, datetime):
        moment = oslo_date(moment)
    if current_locale() == "en":
        return format_date(moment, "d MMM y", locale="en")
    return f"{moment.day:02d}.{moment.month:02d}.{moment.year}"


def moment_text(moment: datetime) -> str:
    """A moment as the reader's language writes it, in Oslo time: «19.12.2026 kl. 14:05»,
    «19 Dec 2026 at 14:05» (the day from day_text)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(OSLO)
    return _("%(day)s kl. %(time)s") % {"day": day_text(moment), "time": local.strftime("%H:%M")}
