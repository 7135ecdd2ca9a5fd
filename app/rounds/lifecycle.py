"""A round's life cycle beyond answering: closing (by hand or at the deadline) with its
snapshot, extending the deadline, reminding those not finished, inviting one more
respondent, and progress as counts."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.audit import record
from app.authz import Action, Actor, require
from app.clock import oslo_today
from app.db import insert_ignore
from app.errors import Conflict, InvalidInput
from app.i18n import _
from app.notices import service as notices
from app.results.snapshot import plain_minimum, shared_minimum, take_snapshot
from app.rounds import overlap
from app.rounds.models import Response, Round, RoundRespondent, RoundStatus
from app.rounds.respondents import invited_count, pending_count, possible_respondents
from app.rounds.service import guidance_of, lock_open


def close_round(session: Session, actor: Actor, rnd: Round) -> None:
    """A manager closes an open round: answers can no longer change, and the results are
    computed once, as a snapshot, for everyone but the respondents themselves."""
    require(actor, Action.MANAGE_ROUND, rnd.municipality_id)
    if not close_and_snapshot(session, rnd, actor):
        raise Conflict(_("Runden er allerede lukket."))
    session.commit()


def close_and_snapshot(session: Session, rnd: Round, actor: Actor | None) -> bool:
    """Mark the round closed and take its snapshot in one transaction; False if it was closed
    already. The conditional UPDATE makes two closers (a manager and the deadline job, or two
    job runs) safe: only one of them finds the round open."""
    now = datetime.now(UTC)
    result = session.execute(
        update(Round)
        .where(col(Round.id) == rnd.id, col(Round.status) == RoundStatus.OPEN)
        .values(status=RoundStatus.CLOSED, closed_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, now
    snapshot = take_snapshot(session, guidance_of(session, rnd), rnd)
    record(
        session,
        actor,
        "round_closed",
        f"round {rnd.id}: {rnd.name}",
        municipality_id=rnd.municipality_id,
        respondents=snapshot.respondents,
        by="manager" if actor else "deadline",
    )
    return True


def close_due_rounds(session: Session, today: date) -> list[int]:
    """Close every open round whose deadline day has passed; safe to run again at any time."""
    due = session.exec(
        select(Round).where(
            col(Round.status) == RoundStatus.OPEN,
            col(Round.deadline).is_not(None),
            col(Round.deadline) < today,
        )
    ).all()
    closed = []
    for rnd in due:
        if close_and_snapshot(session, rnd, None):
            session.commit()
            assert rnd.id is not None
            closed.append(rnd.id)
    return closed


def add_respondent(session: Session, actor: Actor, rnd: Round, user_id: int) -> None:
    """Invite one more person to an open round; it is audit-logged and shown to everyone
    answering, since an account added late is how a manager could single someone out."""
    require(actor, Action.MANAGE_ROUND, rnd.municipality_id)
    lock_open(session, rnd)
    assert rnd.id is not None
    eligible = {u.id: u.email for u in possible_respondents(session, rnd.municipality_id)}
    if user_id not in eligible:
        raise InvalidInput(_("Velg bare blant de ansatte i kommunen."))
    overlap.hold(session, rnd.municipality_id)
    overlap.refuse_busy(session, rnd.municipality_id, [eligible[user_id]], "add-respondent", rnd.id)
    insert_ignore(
        session,
        RoundRespondent,
        {"round_id": rnd.id, "user_id": user_id, "added_at": datetime.now(UTC), "added_late": True},
        ["round_id", "user_id"],
    )
    if user_id == actor.user_id:  # the manager added themself: no «new round» mail for it
        notices.claim(session, "round_opened", f"{rnd.id}:{user_id}")
    user = session.get(User, user_id)
    record(
        session,
        actor,
        "respondent_added",
        f"round {rnd.id}: {user.email if user else user_id}",
        municipality_id=rnd.municipality_id,
    )
    session.commit()


@dataclass(frozen=True)
class RoundCounts:
    invited: int
    started: int  # submitted ones included
    submitted: int

    @property
    def in_progress(self) -> int:
        return self.started - self.submitted

    @property
    def not_started(self) -> int:
        return max(self.invited - self.started, 0)


@dataclass(frozen=True)
class Outlook:
    """What closing the round now would show its manager, by the answers submitted so far
    (round-wide: a statement with many «Vet ikke» may still be hidden)."""

    needed: int  # the minimum of others behind any figure
    own: bool  # enough for the manager's own screens (others than the manager)
    shared: bool  # enough for the report, exports, meeting and KS (the minimum and one more)


def outlook(session: Session, actor: Actor, rnd: Round, counts: RoundCounts) -> Outlook:
    mine = select(func.count(col(Response.submitted_at))).where(
        Response.round_id == rnd.id, Response.user_id == actor.user_id
    )
    needed = plain_minimum(guidance_of(session, rnd))
    others = counts.submitted - session.exec(mine).one()
    return Outlook(needed, others >= needed, counts.submitted >= shared_minimum(needed))


def counts(session: Session, rnd: Round) -> RoundCounts:
    """How many are invited, have started and have submitted (numbers only, never who)."""
    started, submitted = session.exec(
        select(func.count(), func.count(col(Response.submitted_at))).where(
            Response.round_id == rnd.id
        )
    ).one()
    invited = invited_count(session, rnd)
    return RoundCounts(invited=invited, started=started, submitted=submitted)


def extend_deadline(session: Session, actor: Actor, rnd: Round, deadline: date | None) -> None:
    """Give an open round a later deadline (audit-logged); never an earlier or past one."""
    require(actor, Action.MANAGE_ROUND, rnd.municipality_id)
    lock_open(session, rnd)
    if deadline is None:
        raise InvalidInput(_("Skriv inn den nye fristen, for eksempel 2027-03-31."))
    if deadline < oslo_today():
        raise InvalidInput(_("Fristen må være i dag eller senere."))
    if rnd.deadline is not None and deadline <= rnd.deadline:
        raise InvalidInput(_("Den nye fristen må være senere enn den gamle."))
    old = rnd.deadline
    rnd.deadline = deadline
    session.add(rnd)
    record(
        session,
        actor,
        "deadline_extended",
        f"round {rnd.id}: {rnd.name}",
        municipality_id=rnd.municipality_id,
        old=old,
        new=deadline,
    )
    session.commit()


@dataclass(frozen=True)
class Reminded:
    sent: int  # how many got the reminder, never who
    unreachable: int  # invited as new, not accepted yet: no account to remind
    only_sender: bool = False  # the one who sent it is all that is left: nobody to remind


def remind_unfinished(session: Session, actor: Actor, rnd: Round) -> Reminded:
    """E-mail everyone not finished with an open round but the manager sending it (who knows),
    and say how many it could not reach. At most one reminder a day reaches each person."""
    require(actor, Action.MANAGE_ROUND, rnd.municipality_id)
    lock_open(session, rnd)
    left = notices.unfinished(session, rnd)
    others = [u for u in left if u.id != actor.user_id]
    sent = notices.remind_now(session, rnd, oslo_today(), others)
    record(
        session,
        actor,
        "reminder_sent",
        f"round {rnd.id}: {rnd.name}",
        municipality_id=rnd.municipality_id,
        recipients=sent,
    )
    session.commit()
    return Reminded(sent, pending_count(session, rnd), only_sender=bool(left) and not others)
