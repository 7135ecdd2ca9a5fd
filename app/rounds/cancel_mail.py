"""Telling those asked to answer a round that the manager cancelled it.

Their invitation to the round came by e-mail, and its link now only says «not found»; a short
mail says the round is gone and that they need do nothing. Who is told is read before the
round's rows go, and the mail is sent only after the cancellation is committed: a mail server
that is down must not keep a round the manager chose to cancel. The mail has no link.
"""

import logging
from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.service import default_locale, locale_of
from app.authz import Actor
from app.i18n import _, speaking
from app.mail import MailError, send_mail
from app.notices.service import unfinished
from app.rounds.invitees import with_invitation
from app.rounds.models import Round
from app.rounds.service import municipality_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str  # what their mail is written in
    new: bool  # invited as new, no account yet: their invitation to Gode grep still holds


@dataclass(frozen=True)
class Cancelled:
    round_id: int
    name: str
    place: str  # the municipality's name
    asked: tuple[Recipient, ...]


def to_tell(session: Session, actor: Actor, rnd: Round) -> Cancelled:
    """Who is told of the cancellation: the respondents a reminder would reach (nobody has
    begun, so all still active in the municipality), but not the manager who cancels, and the
    new people waiting to join whose invitation still holds (the mail that named the round)."""
    assert rnd.id is not None
    municipality = municipality_of(session, rnd)
    staff = [
        Recipient(u.email, locale_of(session, u), new=False)
        for u in unfinished(session, rnd)
        if u.id != actor.user_id
    ]
    waiting = default_locale(municipality)  # as their invitation was written
    new = [Recipient(email, waiting, new=True) for email in with_invitation(session, rnd)]
    return Cancelled(rnd.id, rnd.name, municipality.name, tuple(staff + new))


@dataclass(frozen=True)
class Told:
    asked: int  # how many were to be told (not the manager who cancelled)
    missed: tuple[str, ...]  # the addresses the mail did not reach


def tell(cancelled: Cancelled) -> Told:
    """Send each their mail, in their own language. After the first refusal the rest are not
    tried (a server that is down once per address would keep the manager waiting): those
    not reached are named, for the manager to tell."""
    for index, person in enumerate(cancelled.asked):
        with speaking(person.locale):
            subject, body = _compose(cancelled, person)
        try:
            send_mail(person.email, subject, body)
        except MailError as exc:
            log.warning(
                "round %s: a cancellation mail was not sent (%s)",
                cancelled.round_id,
                type(exc).__name__,
            )
            missed = tuple(p.email for p in cancelled.asked[index:])
            return Told(len(cancelled.asked), missed)
    return Told(len(cancelled.asked), ())


def _compose(cancelled: Cancelled, person: Recipient) -> tuple[str, str]:
    values = {"name": cancelled.name, "place": cancelled.place}
    subject = _("Runde avlyst i Gode grep: %(name)s") % values
    said = _("Runden «%(name)s» i %(place)s er avlyst av lederen. Du trenger ikke gjøre noe.")
    if person.new:
        link = _(
            "Invitasjonen til Gode grep gjelder fortsatt, men det er ingen runde å svare på der nå."
        )
    else:
        link = _("Lenken i den forrige e-posten om runden virker ikke lenger.")
    return subject, f"{said % values}\n\n{link}\n"
