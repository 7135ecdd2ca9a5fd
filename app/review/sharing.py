"""What a municipality shares of a round with KS right now: the one lookup every permission
check on a round needs (results.service and review.service both ask it)."""

from sqlmodel import Session, col, select

from app.authz import Sharing
from app.review.models import RoundShare


def active_share(session: Session, round_id: int | None) -> RoundShare | None:
    """The round's standing share with KS, or None if it is not (or no longer) shared."""
    if round_id is None:
        return None
    query = select(RoundShare).where(col(RoundShare.active_round_id) == round_id)
    return session.exec(query).first()


def sharing_of(share: RoundShare | None) -> Sharing | None:
    """The share as the permission layer sees it."""
    if share is None:
        return None
    return Sharing(comments=share.include_comments, plan=share.include_plan)
