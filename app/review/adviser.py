"""KS's side of a shared round: taking a round, the review page, feedback
per area and overall (drafts; sending them after a confirmation is `sending`) and marking it
done.

Every load goes through `shared_round`, so a round that is not (or no longer) shared is not
found; figures come from `results.service.team_results`, as any of those who answered could
see them (`results.service.readers_of`): KS's feedback is read in the municipality.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, User
from app.audit import record
from app.authz import Action, Actor, require_on_round
from app.errors import Conflict, InvalidInput
from app.i18n import _
from app.results.service import ResultsPage, team_results
from app.review.models import Feedback, RoundShare
from app.review.service import SentFeedback, clean_text, sent_feedback
from app.review.shared_plan import SharedMeasure, shared_plan
from app.review.sharing import active_share, sharing_of
from app.rounds import service as rounds
from app.rounds.models import Round


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
    """An adviser takes a shared round ("jeg ser på denne"), so two don't do the same work;
    not one whose review is done, where there is no work left to share."""
    rnd, share = shared_round(session, actor, round_id)
    if share.reviewed_at is not None:
        raise Conflict(_("Gjennomgangen er allerede markert som ferdig."))
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


def give_back(session: Session, actor: Actor, round_id: int, holder_id: int) -> str:
    """The adviser who took a round gives it back, or another adviser frees it from one who
    is away or has left KS, so the round does not wait on them. Taking is a claim between
    colleagues, not a lock: any adviser may already write and send feedback on a taken round,
    so freeing it grants no one more, and the log says whose claim it was. Only the claim the
    page showed (`holder_id`) is freed, never one made since; drafts stay. Returns the e-mail
    of the one who had taken it."""
    rnd, share = shared_round(session, actor, round_id)
    if share.reviewed_at is not None:  # the claim is then the record of who did the work
        raise Conflict(_("Gjennomgangen er allerede markert som ferdig."))
    result = session.execute(
        update(RoundShare)
        .where(
            col(RoundShare.id) == share.id,
            col(RoundShare.taken_by_id) == holder_id,
            col(RoundShare.reviewed_at).is_(None),
        )
        .values(taken_by_id=None, taken_at=None)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_not_theirs_now(session, share))
    holder = session.get(User, holder_id)
    assert holder is not None  # the claim named them a moment ago
    record(session, actor, "share_released", f"round {rnd.id}",
           municipality_id=rnd.municipality_id, taken_by=holder.email)  # fmt: skip
    session.commit()
    return holder.email


def _not_theirs_now(session: Session, share: RoundShare) -> str:
    """Why a claim could not be freed: it changed since the adviser's page was made."""
    session.refresh(share)
    if share.reviewed_at is not None:
        return _("Gjennomgangen er allerede markert som ferdig.")
    taken = session.get(User, share.taken_by_id) if share.taken_by_id else None
    if taken is None:
        return _("Ingen ser på denne runden nå. Den er allerede gitt fri.")
    return _("%(who)s ser på denne runden nå. Ingenting er endret.") % {"who": taken.email}


@dataclass(frozen=True)
class ReviewPage:
    share: RoundShare
    municipality: Municipality
    results: ResultsPage
    feedback: dict[str, Feedback]  # area id ("" overall) -> draft or sent feedback
    plan: tuple[SharedMeasure, ...] | None  # None where the municipality does not share it
    taken_by: str | None
    taken_by_me: bool
    sent: bool  # any feedback sent
    earlier: tuple[SentFeedback, ...]  # sent on this round's withdrawn shares, with replies


def review_page(session: Session, actor: Actor, round_id: int) -> ReviewPage:
    """The shared results as the municipality sees them, and KS's feedback so far."""
    rnd, share = shared_round(session, actor, round_id)
    results = team_results(session, actor, rnd)
    rows = session.exec(select(Feedback).where(Feedback.share_id == share.id)).all()
    taken = session.get(User, share.taken_by_id) if share.taken_by_id else None
    withdrawn = select(RoundShare.id).where(
        RoundShare.round_id == rnd.id, col(RoundShare.id) != share.id
    )
    guidance = rounds.guidance_of(session, rnd)
    return ReviewPage(
        share=share,
        municipality=rounds.municipality_of(session, rnd),
        results=results,
        feedback={fb.area_id: fb for fb in rows},
        plan=shared_plan(session, actor, rnd, share),
        taken_by=taken.email if taken else None,
        taken_by_me=share.taken_by_id == actor.user_id,
        sent=any(fb.sent_at for fb in rows),
        earlier=sent_feedback(session, guidance, [i for i in session.exec(withdrawn) if i]),
    )


def save_feedback(
    session: Session,
    actor: Actor,
    round_id: int,
    texts: dict[str, str],
    to_send: bool,
    shown: dict[str, str],
) -> None:
    """Save the adviser's feedback as drafts, which only KS sees. `to_send` is the first step
    of sending: the drafts are kept as typed and the adviser then confirms exactly what goes
    (`sending.send_feedback`); it needs at least one, and is the one save a review marked done
    still takes, since the drafts are about to be sent.

    `shown` is the draft each field showed when the page was read: feedback saved or sent
    since (by a colleague, or in another tab) is never overwritten unseen (`DraftChanged`)."""
    rnd, share = shared_round(session, actor, round_id)
    check_areas(session, rnd, texts)
    # Checked before the texts: a page given back for a text too long shows each draft as it
    # is now, and the next save from it is compared with that.
    existing = locked_feedback(session, share)
    _check_unchanged(existing, texts, shown)
    cleaned = {}
    for area, text in texts.items():
        try:
            cleaned[area] = clean_text(text)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=area) from None
    if share.reviewed_at is not None and not to_send and any(cleaned.values()):
        raise InvalidInput(
            _(
                "Gjennomgangen er markert som ferdig, så et utkast ville aldri bli sendt. "
                "Send tilbakemeldingen til kommunen i stedet."
            )
        )
    now = datetime.now(UTC)
    for area, text in cleaned.items():
        _put_draft(session, actor, share, existing.get(area), area, text, now)
    session.flush()
    drafts = session.exec(
        select(Feedback).where(Feedback.share_id == share.id, col(Feedback.sent_at).is_(None))
    ).all()
    if to_send and not drafts:
        session.rollback()  # the empty drafts just written
        raise InvalidInput(_("Skriv minst én tilbakemelding før du sender."))
    target = f"round {rnd.id}"
    record(session, actor, "feedback_draft_saved", target, municipality_id=rnd.municipality_id)
    session.commit()


def check_areas(session: Session, rnd: Round, by_area: dict[str, str]) -> None:
    """Feedback is on the round as a whole ("") or on one of its areas."""
    areas = {a.id for a in rounds.guidance_of(session, rnd).areas} | {""}
    if set(by_area) - areas:
        raise InvalidInput(_("Tilbakemeldingen gjelder et område som ikke finnes i runden."))


class DraftChanged(InvalidInput):
    """Feedback saved or sent by another adviser, or in another tab, since the page showed it;
    `changed` names the areas. Nothing is written: the adviser sees both texts and chooses."""

    status_code = 409

    def __init__(self, changed: set[str], message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Tilbakemeldingen er endret eller sendt av en annen rådgiver, eller i en annen "
                "fane, etter at du åpnet siden. Det som er lagret nå, står ved feltet."
            ),
            field=next(iter(changed)) if len(changed) == 1 else None,
        )
        self.changed = changed


def locked_feedback(session: Session, share: RoundShare) -> dict[str, Feedback]:
    """The share's feedback by area, read under a lock on the share: two advisers' saves of
    the same round take turns, so neither overwrites what the other just wrote. The share is
    read again under the lock: a review marked done while this save waited for it refuses the
    draft, as it would have a moment later."""
    locked = select(RoundShare).where(RoundShare.id == share.id).with_for_update()
    session.exec(locked.execution_options(populate_existing=True)).one()
    found = session.exec(select(Feedback).where(Feedback.share_id == share.id))
    return {fb.area_id: fb for fb in found}


def _check_unchanged(
    existing: dict[str, Feedback], on_screen: dict[str, str], shown: dict[str, str]
) -> None:
    """Refuse a form that would change feedback the page did not show: a draft saved since, or
    feedback sent since, where the text on screen is another, or a draft deleted since, which
    saving (or sending) the text still on screen would bring back."""
    changed = set()
    for area, typed in on_screen.items():
        fb, text = existing.get(area), plain(typed)
        if fb is None:
            if text and plain(shown.get(area, "")):
                changed.add(area)  # a draft the page showed, deleted since: not brought back
            continue
        if text == fb.text:
            continue
        if fb.sent_at is not None:
            if text:  # sent since; an empty field left where it now stands asks for nothing
                changed.add(area)
        elif fb.text != plain(shown.get(area, "")):
            changed.add(area)  # a draft saved since the page was read
    if changed:
        raise DraftChanged(changed)


def plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


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
        # A colleague's draft left as it was stays theirs: every press of «Send til kommunen»
        # saves the whole form first, and the municipality reads who wrote each text.
        if text != found.text:
            found.text, found.updated_at, found.author_id = text, now, actor.user_id
    elif found is not None:
        session.delete(found)


def mark_reviewed(
    session: Session,
    actor: Actor,
    round_id: int,
    on_screen: dict[str, str],
    shown: dict[str, str],
) -> None:
    """The adviser marks the review done: the round leaves the queue.

    Not while feedback is written but not sent: once done, nothing would send it, and the
    municipality would never read it. `on_screen` is the feedback form as the adviser left it
    (area id -> text): a draft emptied there is dropped, as saving the form would drop it, but
    only one the page showed (`shown`), never a colleague's saved since."""
    rnd, share = shared_round(session, actor, round_id)
    if share.reviewed_at is not None:
        raise Conflict(_("Gjennomgangen er allerede markert som ferdig."))
    existing = locked_feedback(session, share)
    _check_unchanged(existing, on_screen, shown)
    drafts = [fb for fb in existing.values() if fb.sent_at is None]
    if any(text.strip() for text in on_screen.values()) or any(
        fb.area_id not in on_screen for fb in drafts
    ):
        raise InvalidInput(
            _(
                "Gjennomgangen er ikke markert som ferdig: du har skrevet tilbakemelding som "
                "ikke er sendt til kommunen. Send den, eller tøm feltene, "
                "før du markerer gjennomgangen som ferdig."
            )
        )
    for fb in drafts:
        session.delete(fb)
    share.reviewed_at, share.reviewed_by_id = datetime.now(UTC), actor.user_id
    record(session, actor, "review_done", f"round {rnd.id}", municipality_id=rnd.municipality_id)
    session.commit()
