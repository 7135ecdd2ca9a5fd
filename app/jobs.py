"""Scheduled work, run every few minutes from cron or the container (see README):

    python -m app.jobs

Closes every open round whose deadline has passed, taking its results snapshot, and sends the
due e-mail: a round has opened, its deadline is two days away, a measure is due within a week.
Safe to run at any time and from several places at once: each round is closed by one
conditional UPDATE, and each e-mail is claimed in the SentNotice table before it is sent, so
two runs never close a round or send a notice twice.
"""

import logging
import sys
from datetime import datetime

from sqlmodel import Session

from app.db import get_engine
from app.notices import service as notices
from app.rounds.lifecycle import close_due_rounds
from app.rounds.service import OSLO

log = logging.getLogger("app.jobs")


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


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with Session(get_engine(), expire_on_commit=False) as session:
        done = run_due_work(session)
    log.info("due work done: %s", done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
