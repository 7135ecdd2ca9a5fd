"""Scheduled work, run every few minutes from cron or the container (see README):

    python -m app.jobs
    python -m app.jobs --as-of 2027-05-02   (the local demo only: as if it were that day)

Closes every open round whose deadline has passed, taking its results snapshot, and sends the
due e-mail: a round has opened, its deadline is two days away, a measure is due within a week.
Safe to run at any time and from several places at once: on PostgreSQL a run first takes a
database advisory lock (a second run that finds it taken does nothing and says so); each round
is closed by one conditional UPDATE and each e-mail is claimed in the SentNotice table before it
is sent in any case, so two runs never close a round or send a notice twice, on SQLite either.
"""

import argparse
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from sqlalchemy import Engine, text
from sqlmodel import Session

from app.backup import require_sqlite_file
from app.clock import OSLO
from app.db import get_engine
from app.logs import configure as configure_logging
from app.notices import service as notices
from app.rounds.lifecycle import close_due_rounds
from app.settings import get_settings

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


def run_once(engine: Engine, now: datetime | None = None) -> dict[str, int] | None:
    """One run of the due work; None when another run was busy."""
    with exclusive_run(engine) as alone:
        if not alone:
            log.info("another run of the scheduled work is busy; this one did nothing")
            return None
        with Session(engine, expire_on_commit=False) as session:
            done = run_due_work(session, now)
    log.info("due work done: %s", done)
    return done


def run_in_background(every: float) -> threading.Event:
    """The local demo's scheduler: the due work every `every` seconds in a daemon thread, so a
    round closes at its deadline in `make run` as it would under cron. Set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                run_once(get_engine())
            except Exception:  # the demo keeps serving; the next run tries again
                log.exception("scheduled work failed")

    threading.Thread(target=loop, name="demo-jobs", daemon=True).start()
    return stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.jobs", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        help="the local demo only: do the work as if it were this day (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    configure_logging()  # JSON lines, as the app writes them
    require_sqlite_file(get_settings().database_url)
    now = None
    if args.as_of is not None:
        if not get_settings().demo:
            parser.error("--as-of is for the local demo only (GODEGREP_DEMO=1)")
        now = datetime.combine(args.as_of, time(12), OSLO)
    run_once(get_engine(), now)
    return 0


if __name__ == "__main__":
    sys.exit(main())
