"""Who is invited to answer a round. Respondents see each other's names before answering.

New people invited as a round was created wait in RoundInvitee (they have no account yet) and
are listed with the rest; accepting their staff invitation makes them respondents.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, or_, select

from app.accounts.models import Role, User
from app.authz import Actor
from app.notices.service import claim
from app.rounds.models import Response, Round, RoundInvitee, RoundRespondent, RoundStatus


def possible_respondents(session: Session, municipality_id: int) -> list[User]:
    """The municipality's active staff and managers, who may be invited to answer a round."""
    query = select(User).where(
        col(User.municipality_id) == municipality_id,
        col(User.active).is_(True),
        col(User.role).in_([Role.STAFF, Role.MANAGER]),
    )
    return list(session.exec(query.order_by(col(User.email))))


@dataclass(frozen=True)
class Respondent:
    email: str
    added_at: datetime
    added_late: bool  # added after the round opened
    pending: bool = False  # invited as new, has not accepted the invitation yet
    gone: bool = False  # moved to another municipality or deactivated since


def respondents(session: Session, rnd: Round) -> list[Respondent]:
    """Who is invited to answer the round: every respondent sees this list before answering.

    Someone moved away or deactivated stays on it, marked: they were asked, and whatever they
    answered while they belonged counts. Taking off only those who had not begun would tell
    everyone who had (as cc49e39 did until a review found it)."""
    query = (
        select(
            User.email,
            RoundRespondent.added_at,
            RoundRespondent.added_late,
            or_(
                col(User.active).is_(False),
                col(User.municipality_id).is_distinct_from(rnd.municipality_id),
            ),
        )
        .join(User, col(User.id) == col(RoundRespondent.user_id))
        .where(col(RoundRespondent.round_id) == rnd.id)
        .order_by(col(RoundRespondent.added_late), col(User.email))
    )
    joined = [
        Respondent(email, at, late, gone=bool(gone))
        for email, at, late, gone in session.exec(query)
    ]
    return joined + [Respondent(i.email, i.added_at, False, True) for i in invitees(session, rnd)]


def invited_count(session: Session, rnd: Round) -> int:
    """How many are invited to answer the round: the respondents, and the new people who have
    not accepted their invitation yet. They are on the round's list of who is asked (an
    invitation can be sent again from /kommune), so the response rate counts them."""
    joined = select(func.count()).where(col(RoundRespondent.round_id) == rnd.id)
    both = select(joined.scalar_subquery() + _pending(rnd).scalar_subquery())
    return int(session.execute(both).scalar_one())


def pending_count(session: Session, rnd: Round) -> int:
    """How many invitees have not accepted yet: no account, so no mail but the invitation."""
    return int(session.execute(_pending(rnd)).scalar_one())


def _pending(rnd: Round) -> Any:
    return select(func.count()).where(col(RoundInvitee.round_id) == rnd.id, _may_join(rnd))


def invitees(session: Session, rnd: Round) -> list[RoundInvitee]:
    """New people invited to the round who have not accepted their invitation yet."""
    query = select(RoundInvitee).where(RoundInvitee.round_id == rnd.id, _may_join(rnd))
    return list(session.exec(query.order_by(col(RoundInvitee.email))))


def _may_join(rnd: Round) -> Any:
    """An invitee whose address has no account elsewhere. Accepting this municipality's
    invitation makes them a respondent (a round closed before that keeps counting them as
    asked); an account in another municipality or at KS means they will never join this
    round, so they are no longer counted."""
    elsewhere = select(User.email).where(
        or_(col(User.municipality_id).is_(None), col(User.municipality_id) != rnd.municipality_id)
    )
    return col(RoundInvitee.email).not_in(elsewhere)


def waiting_rounds(session: Session, email: str, municipality_id: int) -> list[Round]:
    """The municipality's open rounds this address is invited to as new, newest first."""
    query = select(Round).join(RoundInvitee, col(Round.id) == col(RoundInvitee.round_id))
    query = query.where(*_open_invited(email, municipality_id))
    return list(session.exec(query.order_by(col(Round.id).desc())))


def leave_open_rounds(session: Session, email: str, municipality_id: int) -> list[int]:
    """The address is no longer asked to answer the municipality's open rounds it was invited
    to as new (its invitation withdrawn; in the caller's transaction); returns their ids.
    A closed round keeps counting them: they were asked while it ran."""
    left = list(session.exec(_invitees_in_open_rounds(email, municipality_id)))
    for invitee in left:
        session.delete(invitee)
    return sorted(i.round_id for i in left)


def _invitees_in_open_rounds(email: str, municipality_id: int) -> Any:
    query = select(RoundInvitee).join(Round, col(Round.id) == col(RoundInvitee.round_id))
    return query.where(*_open_invited(email, municipality_id))


def _open_invited(email: str, municipality_id: int) -> list[Any]:
    return [
        RoundInvitee.email == email,
        Round.municipality_id == municipality_id,
        col(Round.status) == RoundStatus.OPEN,
    ]


def join_invited_rounds(session: Session, user: User) -> list[int]:
    """A new account from an accepted invitation joins the open rounds of its municipality it
    was invited to (in the caller's transaction); returns their ids. Their invitation mail
    named the round, so no separate "round opened" mail follows."""
    if user.municipality_id is None or user.role not in (Role.STAFF, Role.MANAGER):
        return []
    assert user.id is not None
    joined = []
    query = _invitees_in_open_rounds(user.email, user.municipality_id)
    for invitee in session.exec(query).all():
        session.add(
            RoundRespondent(round_id=invitee.round_id, user_id=user.id, added_at=invitee.added_at)
        )
        claim(session, "round_opened", f"{invitee.round_id}:{user.id}")
        session.delete(invitee)
        joined.append(invitee.round_id)
    return joined


def is_respondent(session: Session, actor: Actor, rnd: Round) -> bool:
    query = select(RoundRespondent.user_id).where(
        RoundRespondent.round_id == rnd.id, RoundRespondent.user_id == actor.user_id
    )
    return session.exec(query).first() is not None


def own_submissions(session: Session, actor: Actor) -> dict[int, bool]:
    """The rounds the actor is asked to answer, each with whether their answer is sent in."""
    query = (
        select(RoundRespondent.round_id, Response.submitted_at)
        .outerjoin(
            Response,
            (col(Response.round_id) == col(RoundRespondent.round_id))
            & (col(Response.user_id) == col(RoundRespondent.user_id)),
        )
        .where(RoundRespondent.user_id == actor.user_id)
    )
    return {round_id: submitted is not None for round_id, submitted in session.exec(query)}
