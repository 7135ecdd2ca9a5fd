"""Cancelling an open round that nobody has begun to answer.

Nobody can be in two open rounds at once (app.rounds.overlap), so a round started with the
wrong people, or one the team never got to, would otherwise have to be closed to free them:
an empty closed round then stands in the development over time, as "the round before" in the
follow-up and in the council report. While no one has begun, there is nothing to lose:
no answer, no comment, no figure. Once one person has, the round can only be closed.
"""

from sqlalchemy import delete, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit import record
from app.authz import Action, Actor, require
from app.errors import Conflict
from app.i18n import N_, _
from app.notices.service import forget_round
from app.rounds import cancel_mail
from app.rounds.models import Response, Round, RoundInvitee, RoundRespondent, RoundStatus


def cancellable(rnd: Round, started: int) -> bool:
    """Open, and nobody has begun (saved anything) yet: `started` responses."""
    return rnd.status == RoundStatus.OPEN and started == 0


def may_cancel(session: Session, rnd: Round) -> bool:
    begun = select(func.count()).where(Response.round_id == rnd.id)
    return cancellable(rnd, session.exec(begun).one())


def cancel_round(session: Session, actor: Actor, rnd: Round) -> cancel_mail.Told:
    """A manager cancels an open round nobody has begun: it and its list of who was asked
    are removed (audit-logged), those people may be chosen for another round, and they are
    told by e-mail once it is done: the result says whom the mail did not reach (the round
    is cancelled either way).

    The round is locked first (PostgreSQL: a first save's response row, which refers to the
    round, waits for it; SQLite: one writer at a time), and it is deleted only if it is still
    open with no response, in the same statement."""
    require(actor, Action.MANAGE_ROUND, rnd.municipality_id)
    round_id = rnd.id
    assert round_id is not None
    session.execute(sa_select(col(Round.id)).where(col(Round.id) == round_id).with_for_update())
    begun = exists(sa_select(col(Response.id)).where(col(Response.round_id) == round_id))
    if not may_cancel(session, rnd):
        session.rollback()
        raise Conflict(_(NOT_NOW))
    told = cancel_mail.to_tell(session, actor, rnd)  # read before the list of who was asked goes
    session.execute(delete(RoundRespondent).where(col(RoundRespondent.round_id) == round_id))
    session.execute(delete(RoundInvitee).where(col(RoundInvitee.round_id) == round_id))
    forget_round(session, round_id)
    gone = session.execute(
        delete(Round).where(
            col(Round.id) == round_id, col(Round.status) == RoundStatus.OPEN, ~begun
        )
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_(NOT_NOW))
    record(
        session,
        actor,
        "round_cancelled",
        f"round {round_id}: {rnd.name}",
        municipality_id=rnd.municipality_id,
    )
    session.commit()
    session.expunge(rnd)
    return cancel_mail.tell(told)


NOT_NOW = N_(
    "Runden kan ikke avlyses lenger: noen har begynt å svare, eller den er lukket. Du kan "
    "lukke den i stedet."
)
