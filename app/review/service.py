"""Sharing a closed round with KS (the municipality's act), and KS's review of it: the queue,
taking a round, feedback per area and overall, the municipality's one reply, and done.

KS never reads answers: every figure comes from `results.service.team_results`, which reads the
round's snapshot with the plain minimum, and only while the round is shared.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.audit import record
from app.authz import Action, Actor, require, require_across, require_on_round
from app.content.schema import Area, Guidance
from app.errors import Conflict, InvalidInput
from app.i18n import _
from app.mail import MailError, send_mail
from app.results.service import ResultsPage, min_respondents, scores_from_snapshot, team_results
from app.results.snapshot import read_snapshot
from app.review.models import Feedback, RoundShare, SharedArea
from app.review.sharing import active_share, sharing_of
from app.rounds import service as rounds
from app.rounds.models import Round, RoundStatus
from app.rounds.pii import contains_national_id
from app.settings import get_settings

MAX_FEEDBACK = 4000
NOBODY = 0  # a reader id no user has: the plain minimum, as for KS (never a respondent)


# --- the municipality's side -----------------------------------------------------------------


@dataclass(frozen=True)
class ShareEvent:
    shared_at: datetime
    shared_by: str
    include_comments: bool
    withdrawn_at: datetime | None
    withdrawn_by: str | None


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


def share_round(session: Session, actor: Actor, rnd: Round, include_comments: bool) -> None:
    """The manager shares a closed round with KS: its figures and advice, and its anonymous
    comments only if ticked. The area figures KS may see are computed once, now."""
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
        shared_by_id=actor.user_id,
    )
    session.add(share)
    try:
        session.flush()
    except IntegrityError as exc:  # a second click or tab shared it a moment ago
        session.rollback()
        raise Conflict(_("Runden er allerede delt med KS.")) from exc
    share.respondents = _precompute_areas(session, rnd, share)
    target = f"round {rnd.id}: {rnd.name}"
    record(session, actor, "round_shared", target, municipality_id=rnd.municipality_id,
           comments=include_comments)  # fmt: skip
    session.commit()


def _precompute_areas(session: Session, rnd: Round, share: RoundShare) -> int:
    """Store each area's figures as KS sees them, so the national overview reads one table."""
    guidance = rounds.guidance_of(session, rnd)
    needed = min_respondents(guidance)
    assert rnd.id is not None
    assert share.id is not None
    view = read_snapshot(session, rnd.id, NOBODY, needed)
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


def withdraw_share(session: Session, actor: Actor, rnd: Round) -> None:
    """The manager withdraws the share: from the next request on, KS sees nothing of the
    round; feedback KS has sent stays with the municipality."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    result = session.execute(
        update(RoundShare)
        .where(col(RoundShare.active_round_id) == rnd.id)
        .values(active_round_id=None, withdrawn_at=datetime.now(UTC), withdrawn_by_id=actor.user_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_("Runden er ikke delt med KS nå."))
    record(session, actor, "round_share_withdrawn", f"round {rnd.id}: {rnd.name}",
           municipality_id=rnd.municipality_id)  # fmt: skip
    session.commit()


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
    emails = _emails(session, {u for s in shares for u in (s.shared_by_id, s.withdrawn_by_id)})
    events = [_event(s, emails) for s in shares]
    current = next((s for s in shares if s.active_round_id is not None), None)
    return SharePanel(
        shareable=rnd.status == RoundStatus.CLOSED and current is None,
        current=_event(current, emails) if current else None,
        history=tuple(e for s, e in zip(shares, events, strict=True) if s is not current),
        feedback=_sent_feedback(
            session, rounds.guidance_of(session, rnd), [s.id for s in shares if s.id is not None]
        ),
        reviewed_at=max((s.reviewed_at for s in shares if s.reviewed_at), default=None),
    )


def _event(share: RoundShare, emails: dict[int, str]) -> ShareEvent:
    return ShareEvent(
        shared_at=share.shared_at,
        shared_by=emails.get(share.shared_by_id, ""),
        include_comments=share.include_comments,
        withdrawn_at=share.withdrawn_at,
        withdrawn_by=emails.get(share.withdrawn_by_id or 0),
    )


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    query = select(User.id, User.email).where(col(User.id).in_(wanted))
    return {uid: email for uid, email in session.exec(query) if uid is not None}


def _sent_feedback(
    session: Session, guidance: Guidance, share_ids: list[int]
) -> tuple[SentFeedback, ...]:
    areas = {a.id: a for a in guidance.areas}
    query = (
        select(Feedback, User.email)
        .join(User, col(User.id) == col(Feedback.author_id))
        .where(col(Feedback.share_id).in_(share_ids), col(Feedback.sent_at).is_not(None))
        .order_by(col(Feedback.sent_at), col(Feedback.area_id))
    )
    return tuple(
        SentFeedback(
            fb.id or 0, areas.get(fb.area_id), fb.text, fb.sent_at, email, fb.reply, fb.reply_at
        )
        for fb, email in session.exec(query)
        if fb.sent_at is not None
    )


def reply_to_feedback(
    session: Session, actor: Actor, rnd: Round, feedback_id: int, text: str
) -> None:
    """The manager answers a piece of KS's feedback on their own round, once."""
    require(actor, Action.SHARE_ROUND, rnd.municipality_id)
    text = _clean(text)
    if not text:
        raise InvalidInput(_("Skriv et svar før du sender."))
    result = session.execute(
        update(Feedback)
        .where(
            col(Feedback.id) == feedback_id,
            col(Feedback.sent_at).is_not(None),
            col(Feedback.reply).is_(None),
            col(Feedback.share_id).in_(select(RoundShare.id).where(RoundShare.round_id == rnd.id)),
        )
        .values(reply=text, reply_at=datetime.now(UTC), reply_by_id=actor.user_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_("Denne tilbakemeldingen finnes ikke her, eller den er allerede besvart."))
    record(session, actor, "feedback_replied", f"feedback {feedback_id}",
           municipality_id=rnd.municipality_id)  # fmt: skip
    session.commit()


def _clean(text: str) -> str:
    """Plain text as typed, line breaks kept; refuses what must not be stored."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_FEEDBACK:
        raise InvalidInput(_("Teksten kan være på høyst 4000 tegn."))
    if contains_national_id(text):
        raise InvalidInput(
            _("Teksten ser ut til å inneholde et fødselsnummer. Ta det bort og prøv igjen.")
        )
    return text


# --- KS's side --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    round_id: int
    round_name: str
    municipality: str
    county: str | None
    size_class: str
    shared_at: datetime
    taken_by: str | None


def review_queue(
    session: Session, actor: Actor, county: str | None, size: SizeClass | None
) -> list[QueueItem]:
    """Shared rounds not yet reviewed, oldest share first, with who has taken each."""
    require_across(actor, Action.REVIEW_SHARED)
    query = (
        select(RoundShare, Round.name, Municipality, User.email)
        .join(Round, col(Round.id) == col(RoundShare.round_id))
        .join(Municipality, col(Municipality.id) == col(RoundShare.municipality_id))
        .outerjoin(User, col(User.id) == col(RoundShare.taken_by_id))
        .where(col(RoundShare.active_round_id).is_not(None), col(RoundShare.reviewed_at).is_(None))
        .order_by(col(RoundShare.shared_at), col(RoundShare.id))
    )
    if county:
        query = query.where(Municipality.county == county)
    if size:
        query = query.where(Municipality.size_class == size)
    return [
        QueueItem(s.round_id, name, m.name, m.county, m.size_class, s.shared_at, email)
        for s, name, m, email in session.exec(query)
    ]


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


def shared_round(session: Session, actor: Actor, round_id: int) -> tuple[Round, RoundShare]:
    """The round and its standing share, if KS may review it (404 unshared or withdrawn)."""
    rnd = session.get(Round, round_id)
    share = active_share(session, round_id) if rnd else None
    require_on_round(
        actor, Action.REVIEW_SHARED, rnd.municipality_id if rnd else None, sharing_of(share)
    )
    assert rnd is not None
    assert share is not None
    return rnd, share


def take(session: Session, actor: Actor, round_id: int) -> None:
    """An adviser takes a shared round ("jeg ser på denne"), so two don't do the same work."""
    rnd, share = shared_round(session, actor, round_id)
    result = session.execute(
        update(RoundShare)
        .where(
            col(RoundShare.id) == share.id,
            (col(RoundShare.taken_by_id).is_(None))
            | (col(RoundShare.taken_by_id) == actor.user_id),
        )
        .values(taken_by_id=actor.user_id, taken_at=datetime.now(UTC))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_("En annen rådgiver ser allerede på denne runden."))
    record(session, actor, "share_taken", f"round {rnd.id}", municipality_id=rnd.municipality_id)
    session.commit()


@dataclass(frozen=True)
class ReviewPage:
    share: RoundShare
    municipality: Municipality
    results: ResultsPage
    feedback: dict[str, Feedback]  # area id ("" overall) -> draft or sent feedback
    taken_by: str | None
    sent: bool  # any feedback sent


def review_page(session: Session, actor: Actor, round_id: int) -> ReviewPage:
    """The shared results as the municipality sees them, and KS's feedback so far."""
    rnd, share = shared_round(session, actor, round_id)
    results = team_results(session, actor, rnd)
    rows = session.exec(select(Feedback).where(Feedback.share_id == share.id)).all()
    taken = session.get(User, share.taken_by_id) if share.taken_by_id else None
    return ReviewPage(
        share=share,
        municipality=rounds.municipality_of(session, rnd),
        results=results,
        feedback={fb.area_id: fb for fb in rows},
        taken_by=taken.email if taken else None,
        sent=any(fb.sent_at for fb in rows),
    )


def save_feedback(
    session: Session, actor: Actor, round_id: int, texts: dict[str, str], send: bool
) -> bool:
    """Save the adviser's feedback as a draft, or send it: sent feedback can no longer change,
    and the municipality's managers are told by e-mail. False if the e-mail failed."""
    rnd, share = shared_round(session, actor, round_id)
    areas = {a.id for a in rounds.guidance_of(session, rnd).areas} | {""}
    if set(texts) - areas:
        raise InvalidInput(_("Tilbakemeldingen gjelder et område som ikke finnes i runden."))
    cleaned = {area: _clean(text) for area, text in texts.items()}
    existing = {
        fb.area_id: fb for fb in session.exec(select(Feedback).where(Feedback.share_id == share.id))
    }
    now = datetime.now(UTC)
    for area, text in cleaned.items():
        _put_draft(session, actor, share, existing.get(area), area, text, now)
    session.flush()
    drafts = session.exec(
        select(Feedback).where(Feedback.share_id == share.id, col(Feedback.sent_at).is_(None))
    ).all()
    if send and not drafts:
        raise InvalidInput(_("Skriv minst én tilbakemelding før du sender."))
    for fb in drafts if send else []:
        fb.sent_at = now
    event = "feedback_sent" if send else "feedback_draft_saved"
    record(session, actor, event, f"round {rnd.id}", municipality_id=rnd.municipality_id)
    session.commit()
    return _notify(session, rnd) if send else True


def _put_draft(
    session: Session,
    actor: Actor,
    share: RoundShare,
    found: Feedback | None,
    area: str,
    text: str,
    now: datetime,
) -> None:
    if found is not None and found.sent_at is not None:
        return  # sent feedback is what the municipality has read; it does not change
    if found is None and text:
        assert share.id is not None
        session.add(Feedback(share_id=share.id, area_id=area, text=text, author_id=actor.user_id))
    elif found is not None and text:
        found.text, found.updated_at, found.author_id = text, now, actor.user_id
    elif found is not None:
        session.delete(found)


def _notify(session: Session, rnd: Round) -> bool:
    managers = session.exec(
        select(User.email).where(
            User.municipality_id == rnd.municipality_id,
            User.role == Role.MANAGER,
            col(User.active).is_(True),
        )
    ).all()
    link = f"{get_settings().base_url}/runder/{rnd.id}/resultater"
    body = _(
        "KS har gitt tilbakemelding på runden «%(name)s» som dere delte.\n\n"
        "Les den ved siden av resultatene, og svar om dere vil:\n%(link)s\n"
    ) % {"name": rnd.name, "link": link}
    try:
        for email in managers:
            send_mail(email, _("Tilbakemelding fra KS på «%(name)s»") % {"name": rnd.name}, body)
    except MailError:
        return False
    return True


def mark_reviewed(session: Session, actor: Actor, round_id: int) -> None:
    """The adviser marks the review done: the round leaves the queue."""
    rnd, share = shared_round(session, actor, round_id)
    if share.reviewed_at is not None:
        raise Conflict(_("Gjennomgangen er allerede markert som ferdig."))
    share.reviewed_at, share.reviewed_by_id = datetime.now(UTC), actor.user_id
    record(session, actor, "review_done", f"round {rnd.id}", municipality_id=rnd.municipality_id)
    session.commit()
