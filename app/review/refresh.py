"""The figures of a standing share that the national overview reads, stored once so that page
reads one table: computed when the round is shared, and again at every deploy, so figures
stored under an earlier rule (or minimum) follow the current one.

`python -m app.review.refresh` computes every standing share's figures again (the migrate
step runs it after `alembic upgrade head`), and the area scores the peer medians read
(`results.snapshot.refresh_area_scores`), which follow the current minimum the same way.
"""

import sys

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.db import get_engine
from app.results.service import min_respondents, scores_from_snapshot
from app.results.snapshot import ANYONE, read_snapshot, refresh_area_scores
from app.review.models import RoundShare, SharedArea
from app.rounds import service as rounds
from app.rounds.models import Round


def store_figures(session: Session, rnd: Round, share: RoundShare) -> int:
    """Store each area's figures as KS sees them (as any of those who answered could see
    them, `results.service.readers_of`); returns the round's respondents."""
    guidance = rounds.guidance_of(session, rnd)
    needed = min_respondents(guidance)
    assert rnd.id is not None
    assert share.id is not None
    view = read_snapshot(session, rnd.id, ANYONE, needed)
    if view is None:
        return 0
    scores = scores_from_snapshot(guidance, view) if view.others >= needed else None
    for area in guidance.areas:
        figures = scores.areas.get(area.id) if scores else None
        session.add(
            SharedArea(
                share_id=share.id,
                area_id=area.id,
                core=area.core,
                score=figures.score if figures else None,
                spread=figures.spread if figures else None,
                dont_know_share=figures.dont_know_share if figures else None,
            )
        )
    return view.respondents


def refresh_figures(session: Session) -> int:
    """Compute every standing share's figures again; the caller commits. Returns how many
    shares."""
    query = select(RoundShare).where(col(RoundShare.active_round_id).is_not(None))
    # Locked, in one order: a second refresh of the same shares waits and then sees the rows
    # this one wrote (it deleted nothing it could see and inserted the same keys again).
    shares = session.exec(query.order_by(col(RoundShare.id)).with_for_update()).all()
    for share in shares:
        rnd = session.get(Round, share.round_id)
        assert rnd is not None
        session.execute(delete(SharedArea).where(col(SharedArea.share_id) == share.id))
        share.respondents = store_figures(session, rnd, share)
        session.add(share)
    return len(shares)


def main() -> int:
    with Session(get_engine()) as session:
        count = refresh_figures(session)
        changed = refresh_area_scores(session)
        session.commit()
    print(f"Shared rounds: figures computed again for {count}.")
    print(f"Peer figures: {changed} area scores changed under the current minimum.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
