"""E-mail about rounds and measures: when a round opens, two days before its deadline, a
reminder the manager sends, and before a measure's due date.

Each notice is claimed in `SentNotice` (insert once, whoever gets there first) before it is
sent, and the claim is committed only when the mail went out, so a run that fails is retried
by the next run and two runs never send the same notice twice. Recipients are chosen here,
never shown: a page learns only how many got the mail.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, or_, select

from app.accounts.models import User
from app.accounts.service import locale_of
from app.clock import day_text
from app.i18n import _, speaking
from app.mail import MailError, send_mail
from app.notices.models import SentNotice
from app.plan.models import Measure, MeasureStatus
from app.rounds.models import (
    Answer,
    AreaComment,
    Response,
    Round,
    RoundRespondent,
    RoundStatus,
)
from app.settings import get_settings

log = logging.getLogger(__name__)
DEADLINE_DAYS = 2  # "two days before the deadline"
MEASURE_DAYS = 7  # a week before a measure is due


def claim(session: Session, kind: str, key: str) -> bool:
    """Record that this notice is being sent; False if it was sent (or claimed) already."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(SentNotice).values(kind=kind, key=key).on_conflict_do_nothing()
    # RETURNING, not rowcount: a driver may report -1 for a skipped row.
    return session.execute(stmt.returning(col(SentNotice.kind))).first() is not None


Compose = Callable[[], tuple[str, str]]  # (subject, body) in the current locale
ComposeFor = Callable[[User], tuple[str, str]]  # the same, for one recipient


def _send_once(session: Session, kind: str, key: str, to: User, compose: Compose) -> bool:
    """Claim, send, commit; on a mail failure the claim is rolled back for the next run."""
    if not claim(session, kind, key):
        session.commit()
        return False
    with speaking(locale_of(session, to)):
        subject, body = compose()
    try:
        send_mail(to.email, subject, body)
    except MailError as exc:
        log.warning("%s to user could not be sent (%s); the next run tries again", kind, exc)
        session.rollback()
        return False
    session.commit()
    return True


def _link(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def unfinished(session: Session, rnd: Round) -> list[User]:
    """Active respondents of the round who have not submitted (for mail only, never shown).
    Not one moved to another municipality since: they keep their place on the list, but the
    round is no longer theirs to open, so the mail's link would only say «not found»."""
    submitted = select(Response.user_id).where(
        Response.round_id == rnd.id, col(Response.submitted_at).is_not(None)
    )
    query = (
        select(User)
        .join(RoundRespondent, col(RoundRespondent.user_id) == col(User.id))
        .where(RoundRespondent.round_id == rnd.id, col(User.active).is_(True))
        .where(col(User.municipality_id) == rnd.municipality_id)
        .where(col(User.id).not_in(submitted))
    )
    return list(session.exec(query.order_by(col(User.id))))


def _respondents(session: Session, rnd: Round) -> list[User]:
    query = (
        select(User)
        .join(RoundRespondent, col(RoundRespondent.user_id) == col(User.id))
        .where(RoundRespondent.round_id == rnd.id, col(User.active).is_(True))
    )
    return list(session.exec(query.order_by(col(User.id))))


def notify_round_opened(session: Session, rnd: Round) -> int:
    """Tell each respondent of an open round that it has opened (once each)."""
    if rnd.status != RoundStatus.OPEN:
        return 0

    def compose(_user: User) -> tuple[str, str]:
        deadline = ""
        if rnd.deadline:
            deadline = " " + _("Fristen er %(date)s.") % {"date": _day(rnd.deadline)}
        body = _(
            "Du er invitert til å svare på egenvurderingen «%(name)s».%(deadline)s\n\n"
            "Du svarer for deg selv, og svarene vises bare samlet når runden er lukket.\n\n%(link)s"
        ) % {"name": rnd.name, "deadline": deadline, "link": _link(f"/runder/{rnd.id}")}
        return _("Ny runde i Gode grep: %(name)s") % {"name": rnd.name}, body

    return _send_all(session, "round_opened", rnd, _respondents(session, rnd), compose)


def forget_round(session: Session, round_id: int) -> None:
    """Forget which of a round's notices were sent (in the caller's transaction), for a round
    that is removed: a new round may get its id again (SQLite), and its mails must go out."""
    about_round = col(SentNotice.key).startswith(f"{round_id}:")
    session.execute(delete(SentNotice).where(about_round, col(SentNotice.kind) != "measure_due"))


def _day(day: date) -> str:
    return day_text(day)  # in the recipient's language: the mail is composed in it


def _send_all(
    session: Session, kind: str, rnd: Round, users: Iterable[User], compose: ComposeFor
) -> int:
    # Skip, in one query, those who got it already; the claim still guards against a race.
    sent_query = select(SentNotice.key).where(
        SentNotice.kind == kind, col(SentNotice.key).startswith(f"{rnd.id}:")
    )
    sent = set(session.exec(sent_query))
    due = [u for u in users if f"{rnd.id}:{u.id}" not in sent]
    return sum(_send_once(session, kind, f"{rnd.id}:{u.id}", u, partial(compose, u)) for u in due)


def _have_saved(session: Session, rnd: Round) -> set[int]:
    """The users who have saved an answer or a comment in the round (a response row alone,
    left by «Send inn» pressed with nothing answered, is nothing saved). It reads an open
    round's answers, so it serves only the wording of each person's own reminder and must
    never reach a page or a count anyone else sees."""
    answered = select(Answer.response_id).where(col(Answer.response_id) == col(Response.id))
    commented = select(AreaComment.response_id).where(
        col(AreaComment.response_id) == col(Response.id)
    )
    query = select(Response.user_id).where(
        Response.round_id == rnd.id, or_(answered.exists(), commented.exists())
    )
    return set(session.exec(query))


def _kept_or_not(session: Session, rnd: Round) -> Callable[[User], str]:
    """A reminder's sentence on what is saved: that the answers are kept only to someone who
    has saved any (to the others it would say they had answered), else how saving works.
    The answers are read at the first mail composed, not when nobody is due one (the jobs
    command asks every minute in the demo)."""
    saved: set[int] | None = None

    def sentence(user: User) -> str:
        nonlocal saved
        if saved is None:
            saved = _have_saved(session, rnd)
        if user.id in saved:
            return _("Svarene du har lagret, er tatt vare på; husk å sende inn når du er ferdig.")
        return _(
            "Svarene lagres mens du svarer, så du kan ta en pause og fortsette senere; husk å "
            "sende inn når du er ferdig."
        )

    return sentence


def notify_deadline_soon(session: Session, rnd: Round) -> int:
    """Remind those not finished, once, when the deadline is two days away or less."""
    kept = _kept_or_not(session, rnd)

    def compose(user: User) -> tuple[str, str]:
        day = _day(rnd.deadline) if rnd.deadline else ""
        subject = _("Påminnelse: %(name)s har frist %(date)s") % {"name": rnd.name, "date": day}
        body = _("Fristen for å svare på «%(name)s» nærmer seg. %(kept)s\n\n%(link)s") % {
            "name": rnd.name,
            "kept": kept(user),
            "link": _link(f"/runder/{rnd.id}"),
        }
        return subject, body

    return _send_all(session, "deadline_soon", rnd, unfinished(session, rnd), compose)


def remind_now(session: Session, rnd: Round, today: date, users: Iterable[User]) -> int:
    """The manager's reminder to those given (everyone not finished but the manager who sends
    it), at most once a day per round."""
    kept = _kept_or_not(session, rnd)

    def compose(user: User) -> tuple[str, str]:
        body = _("Lederen minner om egenvurderingen «%(name)s». %(kept)s\n\n%(link)s") % {
            "name": rnd.name,
            "kept": kept(user),
            "link": _link(f"/runder/{rnd.id}"),
        }
        return _("Påminnelse: %(name)s") % {"name": rnd.name}, body

    kind = f"reminder:{today.isoformat()}"
    return _send_all(session, kind, rnd, users, compose)


def due_rounds(session: Session, today: date) -> list[Round]:
    """Open rounds whose deadline is at most two days away (and not passed)."""
    query = select(Round).where(
        col(Round.status) == RoundStatus.OPEN,
        col(Round.deadline) >= today,
        col(Round.deadline) <= today + timedelta(days=DEADLINE_DAYS),
    )
    return list(session.exec(query))


def notify_measures_due(session: Session, today: date) -> int:
    """Tell each measure's owner (when a user) once, a week before it is due."""
    query = (
        select(Measure, User)
        .join(User, col(User.id) == col(Measure.owner_user_id))
        .where(
            col(Measure.status).in_([MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS]),
            col(Measure.due) >= today,
            col(Measure.due) <= today + timedelta(days=MEASURE_DAYS),
            col(User.active).is_(True),
        )
    )
    sent = 0
    for measure, user in session.exec(query).all():
        assert measure.due is not None
        key = f"{measure.id}:{measure.due.isoformat()}"
        sent += _send_once(session, "measure_due", key, user, _measure_mail(measure))
    return sent


def _measure_mail(measure: Measure) -> Compose:
    def compose() -> tuple[str, str]:
        args = {
            "title": measure.title,
            "date": _day(measure.due) if measure.due else "",
            "link": _link(f"/runder/{measure.round_id}/tiltak"),
        }
        subject = _("Tiltak med frist %(date)s: %(title)s") % args
        body = (
            _(
                "Du er ansvarlig for tiltaket «%(title)s» i handlingsplanen, med frist %(date)s. "
                "Lederen oppdaterer status i planen.\n\n%(link)s"
            )
            % args
        )
        return subject, body

    return compose


def open_rounds(session: Session) -> list[Round]:
    return list(session.exec(select(Round).where(col(Round.status) == RoundStatus.OPEN)))
