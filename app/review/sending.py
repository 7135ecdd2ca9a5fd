"""Sending KS's feedback to the municipality, in two steps: «Send til kommunen» saves the
drafts (`adviser.save_feedback`) and shows them for a last look (`send_preview`); only the
confirmation sends (`send_feedback`). Sent feedback can never change, so a press by mistake
must not send it; and what is sent is exactly what the adviser looked at, never a colleague's
draft saved in between."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, Role, User
from app.accounts.service import locale_of
from app.audit import record
from app.authz import Actor
from app.content.schema import Area
from app.errors import InvalidInput
from app.i18n import N_, _, speaking
from app.mail import MailError, send_mail
from app.review.adviser import DraftChanged, check_areas, locked_feedback, plain, shared_round
from app.review.models import Feedback
from app.review.service import emails_of
from app.rounds import service as rounds
from app.rounds.models import Round
from app.settings import get_settings

CHANGED = N_(
    "Ingenting er sendt: tilbakemeldingen er endret eller sendt av en annen rådgiver, eller i "
    "en annen fane, etter at du så over den. Det som er lagret nå, står ved feltet."
)


@dataclass(frozen=True)
class ToSend:
    area: Area | None  # None: the round as a whole
    feedback: Feedback
    author: str | None  # who wrote the draft; None: the adviser looking at it


@dataclass(frozen=True)
class SendPreview:
    round: Round
    municipality: Municipality
    drafts: tuple[ToSend, ...]  # the whole round first, then the areas in the round's order
    taken_by_other: str | None  # another adviser has taken the round: talk before sending


def send_preview(session: Session, actor: Actor, round_id: int) -> SendPreview:
    """What «Send til kommunen» would send now: every draft on the round, area by area."""
    rnd, share = shared_round(session, actor, round_id)
    found = session.exec(
        select(Feedback).where(Feedback.share_id == share.id, col(Feedback.sent_at).is_(None))
    )
    drafts = {fb.area_id: fb for fb in found}
    people = {fb.author_id for fb in drafts.values()} | {share.taken_by_id}
    others = {i: e for i, e in emails_of(session, people).items() if i != actor.user_id}

    def to_send(area: Area | None, fb: Feedback) -> ToSend:
        return ToSend(area, fb, others.get(fb.author_id))

    areas = rounds.guidance_of(session, rnd).areas
    ordered = [to_send(None, drafts[""])] if "" in drafts else []
    ordered += [to_send(a, drafts[a.id]) for a in areas if a.id in drafts]
    return SendPreview(
        round=rnd,
        municipality=rounds.municipality_of(session, rnd),
        drafts=tuple(ordered),
        taken_by_other=others.get(share.taken_by_id) if share.taken_by_id else None,
    )


@dataclass(frozen=True)
class Sent:
    mailed: bool  # False: sent and shown to the municipality, but the e-mail failed
    review_done: bool  # the review was already marked done


def send_feedback(session: Session, actor: Actor, round_id: int, confirmed: dict[str, str]) -> Sent:
    """Send the drafts the adviser confirmed (area id -> the text the confirmation showed):
    they can no longer change, and the municipality's managers are told by e-mail. Refused
    (`DraftChanged`, nothing sent) when the drafts are not exactly those any more: one changed,
    deleted or sent since, or a new one saved."""
    rnd, share = shared_round(session, actor, round_id)
    check_areas(session, rnd, confirmed)
    drafts = [fb for fb in locked_feedback(session, share).values() if fb.sent_at is None]
    looked_at = {area: plain(text) for area, text in confirmed.items() if plain(text)}
    now_saved = {fb.area_id: fb.text for fb in drafts}
    changed = {
        area
        for area in looked_at.keys() | now_saved.keys()
        if looked_at.get(area) != now_saved.get(area)
    }
    if changed:
        raise DraftChanged(changed, _(CHANGED))
    if not drafts:
        raise InvalidInput(_("Skriv minst én tilbakemelding før du sender."))
    now = datetime.now(UTC)
    # Each draft is marked sent only if it is still the unsent text just compared: SQLite
    # takes no row lock on the read above, and two presses of the button at once (a double
    # click) must not both send it, nor send a text changed in between.
    missed = set()
    for fb in drafts:
        unchanged = (
            col(Feedback.id) == fb.id,
            col(Feedback.sent_at).is_(None),
            col(Feedback.text) == fb.text,
        )
        marked = session.execute(update(Feedback).where(*unchanged).values(sent_at=now))
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            missed.add(fb.area_id)
    if missed:
        session.rollback()
        raise DraftChanged(missed, _(CHANGED))
    record(session, actor, "feedback_sent", f"round {rnd.id}", municipality_id=rnd.municipality_id)
    session.commit()
    done = share.reviewed_at is not None
    return Sent(mailed=_notify(session, rnd), review_done=done)


def _notify(session: Session, rnd: Round) -> bool:
    """Tell the municipality's managers, each in their own language (not the adviser's)."""
    managers = session.exec(
        select(User).where(
            User.municipality_id == rnd.municipality_id,
            User.role == Role.MANAGER,
            col(User.active).is_(True),
        )
    ).all()
    link = f"{get_settings().base_url}/runder/{rnd.id}/resultater#ks-feedback"
    try:
        for manager in managers:
            with speaking(locale_of(session, manager)):
                subject = _("Tilbakemelding fra KS på «%(name)s»") % {"name": rnd.name}
                body = _(
                    "KS har gitt tilbakemelding på runden «%(name)s» som dere delte.\n\n"
                    "Les den ved siden av resultatene, og svar om dere vil:\n%(link)s\n"
                ) % {"name": rnd.name, "link": link}
            send_mail(manager.email, subject, body)
    except MailError:
        return False
    return True
