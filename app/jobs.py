"""Scheduled work, run every few minutes from cron or the container (see README):

    python -m app.jobs

Closes every open round whose deadline has passed, taking its results snapshot. Safe to run
at any time and from several places at once: each round is closed by one conditional UPDATE,
so two runs never close (or snapshot) the same round twice.
"""

import logging
import sys
from datetime import datetime

from sqlmodel import Session

from app.db import get_engine
from app.rounds.lifecycle import close_due_rounds
from app.rounds.service import OSLO

log = logging.getLogger("app.jobs")


def run_due_work(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Everything that is due now; returns how much of each kind was done."""
    today = (now or datetime.now(OSLO)).astimezone(OSLO).date()
    closed = close_due_rounds(session, today)
    return {"rounds_closed": len(closed)}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with Session(get_engine(), expire_on_commit=False) as session:
        done = run_due_work(session)
    log.info("due work done: %s", done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
