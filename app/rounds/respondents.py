"""Who is invited to answer a round. Respondents see each other's names before answering."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.authz import Actor
from app.rounds.models import Round, RoundRespondent


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


def respondents(session: Session, rnd: Round) -> list[Respondent]:
    """Who is invited to answer the round: every respondent sees this list before answering."""
    query = (
        select(User.email, RoundRespondent.added_at, RoundRespondent.added_late)
        .join(User, col(User.id) == col(RoundRespondent.user_id))
        .where(col(RoundRespondent.round_id) == rnd.id)
        .order_by(col(RoundRespondent.added_late), col(User.email))
    )
    return [Respondent(*row) for row in session.exec(query)]


def is_respondent(session: Session, actor: Actor, rnd: Round) -> bool:
    query = select(RoundRespondent.user_id).where(
        RoundRespondent.round_id == rnd.id, RoundRespondent.user_id == actor.user_id
    )
    return session.exec(query).first() is not None
