"""Scheduled work, run every few minutes from cron or the container (see README):

    python -m app.jobs

Closes every open round whose deadline has passed, taking its results snapshot, and sends the
due e-mail: a round has opened, its deadline is two days away, a measure is due within a week.
Safe to run at any time and from several places at once: on PostgreSQL a run first takes a
database advisory lock (a second run that finds it taken does nothing and says so); each round
is closed by one conditional UPDATE and each e-mail is claimed in the SentNotice table before it
is sent in any case, so two runs never close a round or send a notice twice, on SQLite either.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import get_engine
from app.logs import configure as configure_logging
from app.notices import service as notices
from app.rounds.lifecycle import close_due_rounds
from app.rounds.service import OSLO

log = logging.getLogger("app.jobs")
# pg_advisory_lock key of the scheduled work: any fixed 64-bit number unique to this purpose.
JOBS_LOCK_KEY = 0x60DE64E9


def run_due_work(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Everything that is due now; returns how much of each kind was done."""
    today = (now or datetime.now(OSLO)).astimezone(OSLO).date()
    closed = close_due_rounds(session, today)
    opened = sum(notices.notify_round_opened(session, r) for r in notices.open_rounds(session))
    soon = sum(notices.notify_deadline_soon(session, r) for r in notices.due_rounds(session, today))
    return {
        "rounds_closed": len(closed),
        "round_opened_mails": opened,
        "deadline_mails": soon,
        "measure_mails": notices.notify_measures_due(session, today),
    }


@contextmanager
def exclusive_run(engine: Engine) -> Iterator[bool]:
    """Yields True when this is the only run now (PostgreSQL: a session advisory lock held on a
    connection of its own until the run ends; SQLite has none: the conditional UPDATEs alone
    keep two runs apart there), False when another run holds the lock."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as lock:
        got = bool(
            lock.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": JOBS_LOCK_KEY}).scalar()
        )
        lock.commit()
        try:
            yield got
        finally:
            if got:
                lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": JOBS_LOCK_KEY})
                lock.commit()


def main() -> int:
    configure_logging()  # JSON lines, as the app writes them
    engine = get_engine()
    with exclusive_run(engine) as alone:
        if not alone:
            log.info("another run of the scheduled work is busy; this one did nothing")
            return 0
        with Session(engine, expire_on_commit=False) as session:
            done = run_due_work(session)
    log.info("due work done: %s", done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
