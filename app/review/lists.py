"""KS's lists of standing shares: the queue of rounds waiting for review, and the rounds whose
review is done. Names, dates and who took or reviewed each; never a figure.

A withdrawn share is gone for KS here as everywhere (`RoundShare.active_round_id`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, SizeClass, User
from app.authz import Action, Actor, require_across
from app.review.models import RoundShare
from app.rounds.models import Round

REVIEWED_PER_PAGE = 25


@dataclass(frozen=True)
class Listed:
    """A shared round as both lists show it."""

    round_id: int
    round_name: str
    municipality: str
    county: str | None
    size_class: str
    shared_at: datetime


@dataclass(frozen=True)
class QueueItem(Listed):
    taken_by: str | None


@dataclass(frozen=True)
class ReviewedItem(Listed):
    reviewed_at: datetime
    reviewed_by: str | None


@dataclass(frozen=True)
class Reviewed:
    items: list[ReviewedItem]
    page: int
    more: bool  # older ones on the next page


def review_queue(
    session: Session, actor: Actor, county: str | None, size: SizeClass | None
) -> list[QueueItem]:
    """Shared rounds not yet reviewed, oldest share first, with who has taken each."""
    require_across(actor, Action.REVIEW_SHARED)
    query = (
        _listed(col(RoundShare.taken_by_id), county, size)
        .where(col(RoundShare.reviewed_at).is_(None))
        .order_by(col(RoundShare.shared_at), col(RoundShare.id))
    )
    return [
        QueueItem(**_shown(s, name, m), taken_by=email) for s, name, m, email in session.exec(query)
    ]


def reviewed_rounds(
    session: Session, actor: Actor, county: str | None, size: SizeClass | None, page: int
) -> Reviewed:
    """Shared rounds whose review is done, newest review first, a page at a time."""
    require_across(actor, Action.REVIEW_SHARED)
    query = (
        _listed(col(RoundShare.reviewed_by_id), county, size)
        .where(col(RoundShare.reviewed_at).is_not(None))
        .order_by(col(RoundShare.reviewed_at).desc(), col(RoundShare.id).desc())
        .offset((page - 1) * REVIEWED_PER_PAGE)
        .limit(REVIEWED_PER_PAGE + 1)  # one more tells whether there is a next page
    )
    rows = [
        ReviewedItem(**_shown(s, name, m), reviewed_at=s.reviewed_at, reviewed_by=email)
        for s, name, m, email in session.exec(query)
        if s.reviewed_at is not None  # always, as asked; this tells the type checker
    ]
    return Reviewed(rows[:REVIEWED_PER_PAGE], page, len(rows) > REVIEWED_PER_PAGE)


def filter_options(session: Session, actor: Actor) -> list[str]:
    """The counties to filter by: those of municipalities that share a round now."""
    require_across(actor, Action.REVIEW_SHARED)
    query = (
        select(Municipality.county)
        .join(RoundShare, col(RoundShare.municipality_id) == col(Municipality.id))
        .where(col(RoundShare.active_round_id).is_not(None), col(Municipality.county).is_not(None))
        .distinct()
        .order_by(col(Municipality.county))
    )
    return [c for c in session.exec(query) if c]


def _listed(user_id: Any, county: str | None, size: SizeClass | None) -> Any:
    """Standing shares in the county and size class the adviser chose, each with its round's
    name, its municipality and the e-mail of the user `user_id` names (who took or reviewed)."""
    return (
        select(RoundShare, Round.name, Municipality, User.email)
        .join(Round, col(Round.id) == col(RoundShare.round_id))
        .join(Municipality, col(Municipality.id) == col(RoundShare.municipality_id))
        .outerjoin(User, col(User.id) == user_id)
        .where(col(RoundShare.active_round_id).is_not(None), *_chosen(county, size))
    )


def _chosen(county: str | None, size: SizeClass | None) -> list[ColumnElement[bool]]:
    chosen = []
    if county:
        chosen.append(col(Municipality.county) == county)
    if size:
        chosen.append(col(Municipality.size_class) == size)
    return chosen


def _shown(share: RoundShare, name: str, m: Municipality) -> dict[str, Any]:
    """The fields of `Listed`, from a row of `_listed`."""
    return {
        "round_id": share.round_id,
        "round_name": name,
        "municipality": m.name,
        "county": m.county,
        "size_class": m.size_class,
        "shared_at": share.shared_at,
    }
