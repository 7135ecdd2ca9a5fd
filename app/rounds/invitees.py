"""New people invited to a round as the manager creates it.

The addresses are all checked before anything is written, so a bad one changes nothing. The
round and a pending place for each new person (RoundInvitee) are written in one transaction;
the staff invitations then go out one by one through the same code as /kommune's, each kept
only if its mail went out. A person whose mail failed keeps their place in the round: an
invitation sent again from /kommune brings them in when they accept it.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.accounts import invitations
from app.accounts.addresses import address_of, entries
from app.accounts.models import Invitation, Municipality, Role, User
from app.authz import Actor
from app.errors import DomainError, InvalidInput
from app.i18n import _
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


def send_invitations(
    session: Session, actor: Actor, rnd: Round, ip: str = ""
) -> tuple[int, list[str]]:
    """Send each new person waiting in the round the staff invitation (naming the round);
    returns how many went out and the addresses whose invitation could not be sent. After the
    first mail the server refuses, the rest are not tried: waiting for a server that is down
    once per address helps nobody."""
    assert rnd.id is not None
    addresses = [i.email for i in invitees(session, rnd)]
    municipality = session.get(Municipality, rnd.municipality_id)
    failed: list[str] = []
    server_down = False
    for address in addresses:
        if server_down:
            failed.append(address)
            continue
        try:
            invitations.invite(
                session, actor, address, Role.STAFF, municipality, ip, for_round=(rnd.id, rnd.name)
            )
        except DomainError as exc:  # the mail failed, or someone made the account just now
            log.warning("round %s: an invitation was not sent (%s)", rnd.id, type(exc).__name__)
            server_down = isinstance(exc, invitations.MailNotSent)
            failed.append(address)
    return len(addresses) - len(failed), failed


def without_invitation(session: Session, rnd: Round) -> list[str]:
    """Invitees of the round who hold no open invitation (it was not sent, used up elsewhere
    or has expired): the manager can send one from /kommune."""
    waiting = [i.email for i in invitees(session, rnd)]
    holding = _holding(session, rnd, waiting)
    return sorted(e for e in waiting if e not in holding)


def with_invitation(session: Session, rnd: Round) -> list[str]:
    """Invitees of the round who hold an open invitation: its mail named the round."""
    return sorted(_holding(session, rnd, [i.email for i in invitees(session, rnd)]))


def _holding(session: Session, rnd: Round, waiting: list[str]) -> set[str]:
    """Those of the addresses with an open invitation to the round's municipality."""
    if not waiting:
        return set()
    now = datetime.now(UTC)
    return set(
        session.exec(
            select(Invitation.email).where(
                col(Invitation.email).in_(waiting),
                Invitation.municipality_id == rnd.municipality_id,
                col(Invitation.used_at).is_(None),
                col(Invitation.expires_at) > now,
            )
        )
    )
