"""New people (no account yet) asked to answer a round as the manager creates it: typed
under «Inviter nye personer», or ticked on the list of those invited on /kommune who have
not registered yet.

The addresses are all checked before anything is written, so a bad one changes nothing. The
round and a pending place for each new person (RoundInvitee) are written in one transaction;
the staff invitations then go out one by one through the same code as /kommune's, each kept
only if its mail went out. A person whose mail failed keeps their place in the round: an
invitation sent again from /kommune brings them in when they accept it. Someone who already
holds an open invitation to the municipality keeps it and its link, and is mailed about the
round instead.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlmodel import Session, col, select

from app.accounts import invitations
from app.accounts.addresses import address_of, entries
from app.accounts.models import Invitation, Municipality, Role, User
from app.accounts.service import default_locale
from app.authz import Actor
from app.clock import day_text, moment_text
from app.errors import DomainError, InvalidInput
from app.i18n import _, ngettext, speaking
from app.mail import MailError, send_mail
from app.rounds.models import Round, RoundInvitee
from app.rounds.respondents import invitees, possible_respondents

log = logging.getLogger(__name__)
MAX_NEW = 50  # new people in one go: a team, not a mailing list


class AddressProblem(InvalidInput):
    """Something wrong with the new people's addresses (the form points to that field)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="round-new-people")


def parse_addresses(text: str) -> list[str]:
    """The addresses typed or pasted (names dropped: see app.accounts.addresses), normalised
    and without repeats; InvalidInput names a bad one."""
    found = list(dict.fromkeys(entries(text)))
    if len(found) > MAX_NEW:
        raise AddressProblem(
            _("Du kan invitere høyst %(max)s nye personer om gangen; du skrev %(num)s adresser.")
            % {"max": MAX_NEW, "num": len(found)}
        )
    try:
        return list(dict.fromkeys(address_of(entry) for entry in found))
    except InvalidInput as exc:
        raise AddressProblem(exc.message) from None


def sort_addresses(
    session: Session, municipality_id: int, addresses: Sequence[str]
) -> tuple[list[int], list[str]]:
    """(ids of the municipality's staff among the addresses, addresses that are new).
    An address of anyone else with an account (another municipality, KS, or a deactivated
    account) cannot be invited to the round: InvalidInput."""
    if not addresses:
        return [], []
    staff = {u.email: u.id for u in possible_respondents(session, municipality_id) if u.id}
    taken = set(session.exec(select(User.email).where(col(User.email).in_(addresses))))
    existing, new = [], []
    for address in addresses:
        if address in staff:
            existing.append(staff[address])
        elif address in taken:
            raise AddressProblem(
                _(
                    "«%(address)s» har allerede en konto som ikke er en aktiv ansatt i kommunen, "
                    "og kan ikke inviteres til runden."
                )
                % {"address": address}
            )
        else:
            new.append(address)
    return existing, new


def add_pending(session: Session, rnd: Round, addresses: Sequence[str]) -> None:
    assert rnd.id is not None
    for address in addresses:
        session.add(RoundInvitee(round_id=rnd.id, email=address))


@dataclass(frozen=True)
class Invited:
    """What became of the new people waiting in a round just started (never who, but for
    those the manager must see to)."""

    sent: int  # invitations that went out, naming the round
    told: int  # held an open invitation: kept it, and were mailed about the round
    failed: tuple[str, ...] = ()  # no invitation went out: the manager sends one again
    untold: tuple[str, ...] = ()  # held an invitation; the mail about the round did not go

    @property
    def kind(self) -> Literal["success", "warning"]:
        return "warning" if self.failed or self.untold else "success"

    def message(self) -> str:
        """What the new round's page says: how many were invited, how many already were."""
        if self.failed:
            said = _(
                "Runden er opprettet, men invitasjonen kunne ikke sendes til %(addresses)s. "
                "De står likevel på runden: skriv adressen i invitasjonen på siden Kommunen for "
                "å sende den på nytt."
            ) % {"addresses": ", ".join(self.failed)}
        elif self.sent:
            said = ngettext(
                "Runden er opprettet, og invitasjonen er sendt til %(num)s ny person.",
                "Runden er opprettet, og invitasjonen er sendt til %(num)s nye personer.",
                self.sent,
            ) % {"num": self.sent}
        else:
            said = _("Runden er opprettet.")
        held = self.told + len(self.untold)
        if held:
            said += " " + ngettext(
                "%(num)s person hadde allerede en invitasjon og er lagt til runden; lenken i "
                "invitasjonen virker fortsatt.",
                "%(num)s personer hadde allerede en invitasjon og er lagt til runden; lenkene i "
                "invitasjonene virker fortsatt.",
                held,
            ) % {"num": held}
        if self.untold:
            said += " " + _(
                "E-posten om runden kunne ikke sendes til %(addresses)s, men de blir med i "
                "runden når de tar imot invitasjonen de har."
            ) % {"addresses": ", ".join(self.untold)}
        return said


def send_invitations(session: Session, actor: Actor, rnd: Round, ip: str = "") -> Invited:
    """Tell each new person waiting in the round. One without an open invitation to the
    municipality gets the staff invitation, naming the round. One who has one keeps it: a new
    invitation would end the link they were sent, and an older mail's link that gives an
    error page is a poor first meeting with the service. They get a mail about the round
    that points to the invitation they have (only its hash is stored, so not its link).

    After the first mail the server refuses, the rest are not tried: waiting for a server that
    is down once per address helps nobody."""
    assert rnd.id is not None
    waiting = [i.email for i in invitees(session, rnd)]
    held = holding(session, rnd.municipality_id, waiting)
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    sent = told = 0
    failed: list[str] = []
    untold: list[str] = []
    server_down = False
    for address in waiting:
        invitation = held.get(address)
        missed = untold if invitation else failed
        if server_down:
            missed.append(address)
            continue
        try:
            if invitation is not None:
                _tell(actor, rnd, municipality, invitation)
                told += 1
            else:
                for_round = (rnd.id, rnd.name)
                invitations.invite(
                    session, actor, address, Role.STAFF, municipality, ip, for_round=for_round
                )
                sent += 1
        except (DomainError, MailError) as exc:  # a mail failed, or an account made just now
            log.warning("round %s: a new person was not told (%s)", rnd.id, type(exc).__name__)
            server_down = isinstance(exc, (invitations.MailNotSent, MailError))
            missed.append(address)
    return Invited(sent, told, tuple(failed), tuple(untold))


def _tell(actor: Actor, rnd: Round, municipality: Municipality, invitation: Invitation) -> None:
    """Mail someone with an open invitation that they are asked to answer the round, in the
    municipality's language as their invitation was; MailError if the server refused it."""
    with speaking(default_locale(municipality)):
        subject = _("Ny runde i Gode grep: %(name)s") % {"name": rnd.name}
        body = _told_text(actor.email, rnd, municipality, invitation)
    send_mail(invitation.email, subject, body)


def _told_text(inviter: str, rnd: Round, municipality: Municipality, invitation: Invitation) -> str:
    deadline = ""
    if rnd.deadline:
        deadline = " " + _("Fristen er %(date)s.") % {"date": day_text(rnd.deadline)}
    return _(
        "Hei!\n\n%(inviter)s har bedt deg svare på «%(name)s» i Gode grep, egenvurderingen for introduksjonsprogrammet (%(place)s).%(deadline)s\n\nDu fikk en invitasjon til Gode grep på e-post %(sent)s. Åpne lenken i den og velg et passord; da finner du runden under Runder. Lenken virker til %(until)s. Finner du ikke invitasjonen, kan du be %(inviter)s om å sende den på nytt.\n\nVennlig hilsen\nGode grep"
    ) % {
        "inviter": inviter,
        "name": rnd.name,
        "place": invitations.named(municipality),
        "deadline": deadline,
        "sent": day_text(invitation.created_at),
        "until": moment_text(invitation.expires_at),  # it stops at the hour it was sent
    }


def without_invitation(session: Session, rnd: Round) -> list[str]:
    """Invitees of the round who hold no open invitation (it was not sent, used up elsewhere
    or has expired): the manager can send one from /kommune."""
    waiting = [i.email for i in invitees(session, rnd)]
    held = holding(session, rnd.municipality_id, waiting)
    return sorted(e for e in waiting if e not in held)


def with_invitation(session: Session, rnd: Round) -> list[str]:
    """Invitees of the round who hold an open invitation to its municipality."""
    waiting = [i.email for i in invitees(session, rnd)]
    return sorted(holding(session, rnd.municipality_id, waiting))


def holding(
    session: Session, municipality_id: int, addresses: Sequence[str]
) -> dict[str, Invitation]:
    """Those of the addresses with an open invitation to the municipality, each with the
    newest such invitation (older ones stop working when a newer one is sent)."""
    if not addresses:
        return {}
    now = datetime.now(UTC)
    found = session.exec(
        select(Invitation)
        .where(
            col(Invitation.email).in_(addresses),
            Invitation.municipality_id == municipality_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .order_by(col(Invitation.created_at), col(Invitation.id))
    )
    return {invitation.email: invitation for invitation in found}  # the newest wins


def invited_not_registered(session: Session, municipality_id: int) -> list[Invitation]:
    """The municipality's open invitations to answer rounds (staff and managers), by address:
    people a round can ask before they have an account (they wait in it as new people)."""
    answering = (Role.STAFF, Role.MANAGER)
    found = invitations.open_invitations(session, municipality_id)
    return [i for i in found if i.role in answering]  # by address


def parse_chosen(values: Sequence[str]) -> list[str]:
    """The addresses of the invited people ticked on the form (as the page gave them)."""
    try:
        return list(dict.fromkeys(address_of(value) for value in values))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="round-respondents") from None
