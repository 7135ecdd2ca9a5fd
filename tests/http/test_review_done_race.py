"""A KS adviser saves a draft while a colleague marks the review done. Marking done refuses
unsent drafts, since nothing sends them afterwards; a draft saved in the moment between was
kept, because the save had read the share before it waited for the colleague's lock.

PostgreSQL only: it locks the share's row, and the save waits; SQLite has one writer at a
time, and a save that read before the other's write never writes."""

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.authz import Actor
from app.db import make_engine
from app.errors import InvalidInput
from app.review import adviser
from app.review.models import Feedback, RoundShare
from tests.conftest import fresh_database
from tests.live import prepare


@pytest.fixture
def url():
    with fresh_database("postgres") as made:
        prepare(made)  # the demo: rounds shared with KS, one with a draft
        yield made


@pytest.mark.postgres
def test_a_draft_saved_while_the_review_is_marked_done_is_refused(url):
    engine = make_engine(url)
    with Session(engine) as session:
        open_review = select(RoundShare).where(
            col(RoundShare.reviewed_at).is_(None), col(RoundShare.withdrawn_at).is_(None)
        )
        share = session.exec(open_review).first()
        assert share is not None
        adviser_user = session.exec(select(User).where(User.email == "radgiver@ks.no")).one()
        ks = Actor(adviser_user.id, "ks_adviser", None, adviser_user.email)
        round_id, share_id = share.round_id, share.id
        drafts = select(Feedback).where(
            Feedback.share_id == share_id, col(Feedback.sent_at).is_(None)
        )
        shown = {fb.area_id: fb.text for fb in session.exec(drafts)}
    outcome: list[object] = []
    with Session(engine) as colleague:
        # The colleague's «Ferdig» holds the share's lock until it commits.
        done = colleague.exec(
            select(RoundShare).where(RoundShare.id == share_id).with_for_update()
        ).one()
        done.reviewed_at = datetime.now(UTC)
        colleague.add(done)
        colleague.flush()

        def save_draft() -> None:
            try:
                with Session(engine) as session:
                    texts = {"": "Skrevet mens kollegaen markerte ferdig"}
                    outcome.append(
                        adviser.save_feedback(session, ks, round_id, texts, False, shown)
                    )
            except InvalidInput as exc:
                outcome.append(exc.message)

        saving = threading.Thread(target=save_draft)
        saving.start()
        time.sleep(0.5)  # the save has read the share and waits for its lock
        colleague.commit()
        saving.join(timeout=30)
    assert not saving.is_alive()
    assert outcome == [
        "Gjennomgangen er markert som ferdig, så et utkast ville aldri bli sendt. "
        "Send tilbakemeldingen til kommunen i stedet."
    ]
    with Session(engine) as session:
        texts = [fb.text for fb in session.exec(drafts)]
    assert "Skrevet mens kollegaen markerte ferdig" not in texts
    engine.dispose()
