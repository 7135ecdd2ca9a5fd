"""Actions on an open invitation: send it again, or withdraw it. A manager takes them on
/kommune (the staff invitations), an administrator on /admin/kommuner/{id} (any
municipality's) and on /admin/inviter (those to no municipality: KS advisers, administrators).

Either ends the invitation's link at once. The person's places in the municipality's rounds
hang on their address (RoundInvitee), not on the invitation: sent again, they keep them;
withdrawn, they leave the open rounds. An invitation to no municipality has no rounds.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlmodel import Session, col, select, update

from app.accounts.invitations import Sent, as_role, invite
from app.accounts.models import Invitation, Municipality, Role, User
from app.audit import record
from app.authz import Action, Actor, may_give, require
from app.errors import Conflict, NotFound
from app.i18n import _, ngettext
from app.rounds.respondents import leave_open_rounds, waiting_rounds

Closed = Literal["accepted", "replaced", "ended"]


@dataclass(frozen=True)
class Changed:
    """What «send again» or «withdraw» did: `closed` None if it did it, else why the
    invitation was no longer open (a second click, or someone else first)."""

    email: str
    municipality_id: int | None  # None: an invitation to no municipality (/admin/inviter)
    closed: Closed | None = None
    rounds: int = 0  # open rounds the person no longer waits to join (withdrawn)

    @property
    def kind(self) -> Literal["success", "info"]:
        """How the page shows the message: done, or only told what became of it."""
        return "info" if self.closed else "success"


def resent_message(changed: Changed) -> str:
    """What the page says after «send again», to a manager and an administrator alike."""
    if changed.closed:
        return _no_longer_open(changed)
    return Sent(changed.email, replaced=True).message()  # as inviting the address again says


def withdrawn_message(changed: Changed) -> str:
    """What the page says after «withdraw», to a manager and an administrator alike."""
    if changed.closed:
        return _no_longer_open(changed)
    done = _("Invitasjonen til %(email)s er trukket tilbake, og lenken i den virker ikke lenger.")
    if changed.rounds:
        done += " " + ngettext(
            "Personen blir heller ikke lenger bedt om å svare på %(num)s åpen runde.",
            "Personen blir heller ikke lenger bedt om å svare på %(num)s åpne runder.",
            changed.rounds,
        )
    return done % {"email": changed.email, "num": changed.rounds}


def _no_longer_open(changed: Changed) -> str:
    """A second click, or someone else first: what became of the invitation instead."""
    text = {
        "accepted": _("%(email)s har alt en konto, så invitasjonen trengs ikke lenger."),
        "replaced": _(
            "Invitasjonen til %(email)s er alt sendt på nytt; bare den nyeste lenken virker."
        ),
        "ended": _(
            "Invitasjonen til %(email)s gjelder ikke lenger: den er trukket tilbake eller har gått ut."
        ),
    }[changed.closed or "ended"]
    return text % {"email": changed.email}


def resend(session: Session, actor: Actor, invitation_id: int, ip: str = "") -> Changed:
    """Send an open invitation again: a new link to the same place and role, valid for the
    full period, the old link ending. The person stays invited to the rounds they were
    (RoundInvitee is by address); the mail names the newest of those still open."""
    old, closed = _take(session, actor, invitation_id)
    if closed is not None:
        return Changed(old.email, old.municipality_id, closed)
    municipality, for_round = None, None
    if old.municipality_id is not None:
        municipality = session.get(Municipality, old.municipality_id)
        waiting = waiting_rounds(session, old.email, old.municipality_id)
        for_round = (waiting[0].id, waiting[0].name) if waiting and waiting[0].id else None
    invite(session, actor, old.email, old.role, municipality, ip, for_round, again=True)
    return Changed(old.email, old.municipality_id)


def withdraw(session: Session, actor: Actor, invitation_id: int, ip: str = "") -> Changed:
    """End an open invitation: its link stops working, and the person is no longer asked to
    answer the municipality's open rounds they were invited to (closed rounds keep them)."""
    invitation, closed = _take(session, actor, invitation_id)
    if closed is not None:
        return Changed(invitation.email, invitation.municipality_id, closed)
    rounds: list[int] = []
    if invitation.municipality_id is not None:
        rounds = leave_open_rounds(session, invitation.email, invitation.municipality_id)
    record(
        session,
        actor,
        "invitation_withdrawn",
        invitation.email,
        municipality_id=invitation.municipality_id,
        ip=ip,
        role=invitation.role,
        **({"rounds": ",".join(map(str, rounds))} if rounds else {}),
    )
    session.commit()
    return Changed(invitation.email, invitation.municipality_id, rounds=len(rounds))


def _take(session: Session, actor: Actor, invitation_id: int) -> tuple[Invitation, Closed | None]:
    """The invitation, ended now if it was open (in the caller's transaction); else why not."""
    invitation = _changeable(session, actor, invitation_id)
    if _has_account(session, invitation) or not _end(session, invitation):
        return invitation, _closed(session, invitation)
    return invitation, None


def _changeable(session: Session, actor: Actor, invitation_id: int) -> Invitation:
    """An invitation to a place the actor may invite to (a manager their own municipality, an
    administrator any, or none; else 404) to a role they may give: an administrator's
    invitation to another role is refused a manager (409), as `_supersede` refuses."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(_("Vi fant ikke siden eller saken du ba om."))
    require(actor, Action.INVITE_STAFF, invitation.municipality_id)
    if not may_give(actor, invitation.role):
        raise Conflict(
            _(
                "Invitasjonen som %(role)s er fra en administrator, så bare en administrator kan "
                "sende den på nytt eller trekke den tilbake."
            )
            % {"role": as_role(Role(invitation.role))}
        )
    return invitation


def _end(session: Session, invitation: Invitation) -> bool:
    """End an open invitation in one statement; False if it was no longer open. Of two
    requests for one invitation (a double click), exactly one ends it: the statement holds
    only while the end date is the one this request read, so a request whose clock was a
    moment behind the other's does not end it again."""
    now = datetime.now(UTC)
    result = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
            col(Invitation.expires_at) == invitation.expires_at,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session="fetch")  # the loaded invitation says so too
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _has_account(session: Session, invitation: Invitation) -> bool:
    return session.exec(select(User.id).where(User.email == invitation.email)).first() is not None


def _closed(session: Session, invitation: Invitation) -> Closed:
    """Why an invitation is no longer open: taken (an account for the address), replaced by
    a newer open one to the same place, or ended (withdrawn or run out)."""
    session.refresh(invitation)
    if invitation.used_at is not None or _has_account(session, invitation):
        return "accepted"
    newer = session.exec(
        select(Invitation.id).where(
            Invitation.email == invitation.email,
            Invitation.municipality_id == invitation.municipality_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > datetime.now(UTC),
        )
    ).first()
    return "replaced" if newer is not None else "ended"
