"""Sharing a closed round with KS, the municipality's act: share, withdraw, what the manager
sees of it beside the results, and the one reply per piece of KS's feedback.

KS never reads answers: the area figures stored for the national overview come from the
round's snapshot as KS may see it (`results.service.readers_of`: what any of those who
answered could see), as `results.service.team_results` shows them to KS.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import locale_of
from app.audit import record
from app.authz import Action, Actor, require
from app.content.schema import Area, Guidance
from app.errors import Conflict, InvalidInput
from app.i18n import _, speaking
from app.mail import send_later
from app.review.models import Feedback, RoundShare
from app.review.refresh import store_figures
from app.review.sharing import active_share
from app.rounds import service as rounds
from app.rounds.models import Round, RoundStatus
from app.rounds.pii import contains_national_id
from app.settings import get_settings

MAX_FEEDBACK = 4000


@dataclass(frozen=True)
class ShareEvent:
    shared_at: datetime
    shared_by: str
    include_comments: bool
    include_plan: bool
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    reviewed: bool  # KS has marked its review of this share done


@dataclass(frozen=True)
class SentFeedback:
    id: int
    area: Area | None  # None: the round as a whole
    text: str
    sent_at: datetime
    author: str
    reply: str | None
    reply_at: datetime | None


@dataclass(frozen=True)
class SharePanel:
    """What the manager sees of the round's sharing with KS beside its results."""

    shareable: bool  # closed and not shared now
    current: ShareEvent | None
    history: tuple[ShareEvent, ...]  # earlier, withdrawn shares, newest first
    feedback: tuple[SentFeedback, ...]
    reviewed_at: datetime | None


def share_round(
    session: Session, actor: Actor, rnd: Round, include_comments: bool, include_plan: bool = False
) -> None:
    """The manager shares a closed round with KS: its figures and advice, and its anonymous
    comments and its action plan only if ticked. The area figures KS may see are computed
    once, now; the plan KS reads as it stands (see review.shared_plan)."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    if rnd.status != RoundStatus.CLOSED or rnd.closed_at is None:
        raise Conflict(_("Bare en lukket runde kan deles med KS."))
    if active_share(session, rnd.id) is not None:
        raise Conflict(_("Runden er allerede delt med KS."))
    assert rnd.id is not None
    share = RoundShare(
        round_id=rnd.id,
        municipality_id=rnd.municipality_id,
        active_round_id=rnd.id,
        round_closed_at=rnd.closed_at,
        include_comments=include_comments,
        include_plan=include_plan,
        shared_by_id=actor.user_id,
    )
    session.add(share)
    try:
        session.flush()
    except IntegrityError as exc:  # a second click or tab shared it a moment ago
        session.rollback()
        raise Conflict(_("Runden er allerede delt med KS.")) from exc
    share.respondents = store_figures(session, rnd, share)
    target = f"round {rnd.id}: {rnd.name}"
    record(session, actor, "round_shared", target, municipality_id=rnd.municipality_id,
           comments=include_comments, plan=include_plan)  # fmt: skip
    session.commit()


def withdraw_share(session: Session, actor: Actor, rnd: Round) -> None:
    """The manager withdraws the share: from the next request on, KS sees nothing of the
    round; feedback KS has sent stays with the municipality."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    now = datetime.now(UTC)
    _update_standing(
        session, rnd, active_round_id=None, withdrawn_at=now, withdrawn_by_id=actor.user_id
    )
    record(session, actor, "round_share_withdrawn", f"round {rnd.id}: {rnd.name}",
           municipality_id=rnd.municipality_id)  # fmt: skip
    session.commit()


def change_share(
    session: Session, actor: Actor, rnd: Round, include_comments: bool, include_plan: bool
) -> bool:
    """The manager changes what the standing share includes (the comments, the plan) without
    withdrawing it: KS's view follows from its next request, and its feedback stays. Where
    KS had marked its review done and now gets more to read, the round is back in KS's queue.
    Returns whether anything changed; the audit log has the choices before and after."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    share = active_share(session, rnd.id)
    if share is None:
        raise Conflict(_("Runden er ikke delt med KS nå."))
    before = {"comments": share.include_comments, "plan": share.include_plan}
    after = {"comments": include_comments, "plan": include_plan}
    if before == after:
        return False
    values: dict[str, Any] = {"include_comments": include_comments, "include_plan": include_plan}
    if share.reviewed_at is not None and any(after[k] and not before[k] for k in after):
        values |= {"reviewed_at": None, "reviewed_by_id": None}
    _update_standing(session, rnd, **values)
    record(session, actor, "round_share_changed", f"round {rnd.id}: {rnd.name}",
           municipality_id=rnd.municipality_id, before=before, after=after)  # fmt: skip
    session.commit()
    return True


def _update_standing(session: Session, rnd: Round, **values: Any) -> None:
    """Change the round's standing share, in one statement that finds it standing: a
    withdrawal a moment ago (another tab, another manager) wins with a clear message."""
    result = session.execute(
        update(RoundShare).where(col(RoundShare.active_round_id) == rnd.id).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_("Runden er ikke delt med KS nå."))


def share_panel(session: Session, actor: Actor, rnd: Round) -> SharePanel:
    """The round's shares with KS and the feedback KS has sent on them, for its manager."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    shares = list(
        session.exec(
            select(RoundShare)
            .where(RoundShare.round_id == rnd.id)
            .order_by(col(RoundShare.shared_at).desc(), col(RoundShare.id).desc())
        )
    )
    emails = emails_of(session, {u for s in shares for u in (s.shared_by_id, s.withdrawn_by_id)})
    events = [_event(s, emails) for s in shares]
    current = next((s for s in shares if s.active_round_id is not None), None)
    return SharePanel(
        shareable=rnd.status == RoundStatus.CLOSED and current is None,
        current=_event(current, emails) if current else None,
        history=tuple(e for s, e in zip(shares, events, strict=True) if s is not current),
        feedback=sent_feedback(
            session, rounds.guidance_of(session, rnd), [s.id for s in shares if s.id is not None]
        ),
        reviewed_at=current.reviewed_at if current else None,  # the standing share's review
    )


def _event(share: RoundShare, emails: dict[int, str]) -> ShareEvent:
    return ShareEvent(
        shared_at=share.shared_at,
        shared_by=emails.get(share.shared_by_id, ""),
        include_comments=share.include_comments,
        include_plan=share.include_plan,
        withdrawn_at=share.withdrawn_at,
        withdrawn_by=emails.get(share.withdrawn_by_id or 0),
        reviewed=share.reviewed_at is not None,
    )


def emails_of(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Users' addresses by id (ids that are None are left out)."""
    wanted = [i for i in ids if i]
    query = select(User.id, User.email).where(col(User.id).in_(wanted))
    return {uid: email for uid, email in session.exec(query) if uid is not None}


def sent_feedback(
    session: Session, guidance: Guidance, share_ids: list[int]
) -> tuple[SentFeedback, ...]:
    """KS's sent feedback on these shares, oldest first, with the municipality's replies;
    within one send, the whole round first and then the areas in the round's order, as the
    adviser saw it before sending."""
    areas = {a.id: a for a in guidance.areas}
    place = {a.id: i for i, a in enumerate(guidance.areas, start=1)} | {"": 0}
    query = (
        select(Feedback, User.email)
        .join(User, col(User.id) == col(Feedback.author_id))
        .where(col(Feedback.share_id).in_(share_ids), col(Feedback.sent_at).is_not(None))
        .order_by(col(Feedback.sent_at), col(Feedback.area_id))
    )
    rows = []
    for _moment, sent_together in groupby(session.exec(query), key=lambda row: row[0].sent_at):
        rows += sorted(sent_together, key=lambda row: place.get(row[0].area_id, len(place)))
    return tuple(
        SentFeedback(
            fb.id or 0, areas.get(fb.area_id), fb.text, fb.sent_at, email, fb.reply, fb.reply_at
        )
        for fb, email in rows
        if fb.sent_at is not None
    )


def reply_to_feedback(
    session: Session, actor: Actor, rnd: Round, feedback_id: int, text: str
) -> None:
    """The manager answers a piece of KS's feedback on their own round, once."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    text = clean_text(text)
    if not text:
        raise InvalidInput(_("Skriv et svar før du sender."))
    # The standing share, held until the reply is committed: a withdrawal waits for it, so a
    # reply is never accepted (and mailed) while KS can no longer see it.
    standing = select(RoundShare.id).where(RoundShare.active_round_id == rnd.id)
    if session.exec(standing.with_for_update(read=True)).first() is None:
        session.rollback()
        raise _not_shared()
    result = session.execute(
        update(Feedback)
        .where(
            col(Feedback.id) == feedback_id,
            col(Feedback.sent_at).is_not(None),
            col(Feedback.reply).is_(None),
            col(Feedback.share_id).in_(select(RoundShare.id).where(RoundShare.round_id == rnd.id)),
            standing.exists(),  # in the write itself too: SQLite has no row lock to hold it
        )
        .values(reply=text, reply_at=datetime.now(UTC), reply_by_id=actor.user_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        if active_share(session, rnd.id) is None:  # withdrawn a moment ago
            raise _not_shared()
        raise Conflict(_("Denne tilbakemeldingen finnes ikke her, eller den er allerede besvart."))
    record(session, actor, "feedback_replied", f"feedback {feedback_id}",
           municipality_id=rnd.municipality_id)  # fmt: skip
    session.commit()
    _tell_the_author(session, feedback_id, rnd)


def _not_shared() -> Conflict:
    return Conflict(
        _(
            "Runden er ikke delt med KS nå, så KS ville ikke se svaret. "
            "Del runden igjen hvis du vil svare."
        )
    )


def _tell_the_author(session: Session, feedback_id: int, rnd: Round) -> None:
    """The adviser who wrote the feedback hears of the reply, in their own language: a review
    marked done has left KS's queue, so nothing else would tell them."""
    author = session.exec(
        select(User).join(Feedback, col(Feedback.author_id) == col(User.id))
        .where(
            Feedback.id == feedback_id, col(User.active).is_(True), User.role == Role.KS_ADVISER
        )
    ).first()  # fmt: skip
    if author is None:
        return
    municipality = rounds.municipality_of(session, rnd).name
    link = f"{get_settings().base_url}/ks/runder/{rnd.id}#tilbakemelding"
    with speaking(locale_of(session, author)):
        subject = _("%(municipality)s har svart på tilbakemeldingen din") % {
            "municipality": municipality
        }
        body = _(
            "%(municipality)s har svart på tilbakemeldingen din på runden «%(name)s».\n\n"
            "Les svaret her:\n%(link)s\n"
        ) % {"municipality": municipality, "name": rnd.name, "link": link}
    send_later(author.email, subject, body)


def clean_text(text: str) -> str:
    """Plain text as typed, line breaks kept; refuses what must not be stored."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_FEEDBACK:
        raise InvalidInput(_("Teksten kan være på høyst 4000 tegn."))
    if contains_national_id(text):
        raise InvalidInput(
            _("Teksten ser ut til å inneholde et fødselsnummer. Ta det bort og prøv igjen.")
        )
    return text
