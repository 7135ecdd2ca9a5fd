"""Invitations and password resets: single-use links sent by e-mail, stored only as hashes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from app.accounts.models import Invitation, Municipality, PasswordReset, Role, User
from app.accounts.passwords import password_problems
from app.accounts.service import (
    audited_address,
    counted_as,
    default_locale,
    end_password_resets,
    hash_password,
    login_limiter,
    normalise_email,
    reset_limiter,
    valid_email,
)
from app.accounts.tokens import new_token, token_hash
from app.audit import record
from app.authz import Action, Actor, may_give, require
from app.clock import moment_text
from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.i18n import _, pgettext, speaking
from app.mail import MailError, send_later, send_mail
from app.rounds.respondents import join_invited_rounds
from app.settings import get_settings


def invite(
    session: Session,
    actor: Actor,
    email: str,
    role: Role,
    municipality: Municipality | None,
    ip: str = "",
    for_round: tuple[int, str] | None = None,
    again: bool = False,
) -> "Sent":
    """Create an invitation and e-mail its link; nothing is kept if the e-mail cannot be sent.

    `for_round` (id, name): the person is also invited to answer that round; the mail says so.
    `again`: it replaces an open invitation the manager sent again (logged as such).
    """
    email = valid_email(email)
    _check_may_invite(actor, role, municipality)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        if actor.role == Role.ADMIN:  # the administrator is the one who can help
            raise Conflict(
                _(
                    "Det finnes allerede en bruker med denne e-postadressen. Under Brukere og "
                    "roller kan du gi personen en annen rolle eller flytte personen til en "
                    "annen kommune."
                )
            )
        raise Conflict(
            _(
                "Det finnes allerede en bruker med denne e-postadressen. Skal personen bytte "
                "kommune, kan en administrator hjelpe."
            )
        )
    replaced = _supersede(session, actor, email, municipality)
    token, digest = new_token()
    days = get_settings().invitation_days
    invitation = Invitation(
        email=email,
        role=role,
        municipality_id=municipality.id if municipality else None,
        token_hash=digest,
        invited_by_id=actor.user_id,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    event = "invitation_resent" if again else "invitation_sent"
    record(
        session,
        actor,
        event,
        email,
        municipality_id=invitation.municipality_id,
        ip=ip,
        role=role,
        **({"round": str(for_round[0])} if for_round else {}),
    )
    round_name = for_round[1] if for_round else None
    with speaking(default_locale(municipality)):  # the invitee's, not the inviter's
        subject = _invitation_subject(round_name)
        body = _invitation_text(
            token, actor.email, role, municipality, invitation.expires_at, round_name
        )
    _send(session, email, subject, body)
    session.commit()
    return Sent(email, replaced)


@dataclass(frozen=True)
class Sent:
    email: str
    replaced: bool  # an open invitation of the address to the same place stopped working

    def message(self) -> str:
        """What the inviter's page says: a manager who invites an address twice (not knowing
        it had an invitation) learns that the first link no longer works."""
        email = self.email
        if self.replaced:
            return _(
                "Invitasjonen er sendt på nytt til %(email)s. Lenken i den forrige virker "
                "ikke lenger."
            ) % {"email": email}
        return _("Invitasjonen er sendt til %(email)s.") % {"email": email}


def _supersede(
    session: Session, actor: Actor, email: str, municipality: Municipality | None
) -> bool:
    """Older open invitations of the address to the same place stop working: only the newest
    link, with the role it names, makes an account (an invitation sent again, or one whose
    role was wrong). An invitation to another municipality is left alone: one manager cannot
    undo another's. Nor can a manager undo an administrator's invitation to a role a manager
    may not give: the new one is refused instead, before anything changes."""
    now = datetime.now(UTC)
    older = session.exec(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.municipality_id == (municipality.id if municipality else None),
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
    ).all()
    for invitation in older:
        if not may_give(actor, invitation.role):
            raise Conflict(
                _(
                    "Adressen har alt en invitasjon som %(role)s fra en administrator. "
                    "Den gjelder til den er brukt eller er gått ut."
                )
                % {"role": as_role(Role(invitation.role))}
            )
    for invitation in older:
        invitation.expires_at = now
        session.add(invitation)
    return bool(older)


def _check_may_invite(actor: Actor, role: Role, municipality: Municipality | None) -> None:
    # Who may invite whom: authz.GIVES_ROLES (a manager staff, an administrator anyone).
    if actor.role == Role.ADMIN:
        if not may_give(actor, role):
            raise InvalidInput(_("Ukjent rolle."))
        if role in (Role.STAFF, Role.MANAGER) and municipality is None:
            raise InvalidInput(_("Velg kommunen personen skal høre til."))
        return
    if not may_give(actor, role):
        raise Forbidden(_("Som leder kan du invitere ansatte i din egen kommune."))
    require(actor, Action.INVITE_STAFF, municipality.id if municipality else None)


class InvitationGone(NotFound):
    """The link is used, expired, withdrawn, replaced by a newer one or unknown: one answer for
    all, so a link that no longer works tells whoever holds it nothing about anyone."""


class AddressTaken(Conflict):
    """The invitation's address has an account: the link was used (the mail opened again, as
    people keep it as their bookmark), or another invitation to the address was accepted."""

    def __init__(self, email: str) -> None:
        super().__init__(
            _("Det finnes allerede en bruker med denne e-postadressen. Logg inn i stedet.")
        )
        self.email = email


def find_invitation(session: Session, token: str) -> Invitation:
    """The open invitation for this link; a used, expired or unknown link gets one message."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    if invitation is None:
        raise _invitation_gone()
    # An account for the address: the way on is to log in, not to ask again. Said only for a
    # link that made it (the mail opened again) or that still stands (another invitation to
    # the address was accepted). A replaced, withdrawn or expired link tells its holder (a
    # forwarded mail, a shared mailbox) nothing about whether the address has an account.
    ended = invitation.used_at is not None or _expired(invitation.expires_at)
    if invitation.used_at is not None or not ended:
        taken = select(User.id).where(User.email == invitation.email)
        if session.exec(taken).first() is not None:
            raise AddressTaken(invitation.email)
    if ended:
        raise _invitation_gone()
    return invitation


def accept(session: Session, token: str, password: str, ip: str = "") -> User:
    """Use the invitation once: create the user with the chosen password.

    Of several requests with one link, exactly one uses it; the others are told the link is
    used. Two invitations to one address accepted at once give one account and one refusal.
    """
    invitation = find_invitation(session, token)
    problems = password_problems(password, invitation.email)
    if problems:
        raise InvalidInput(problems[0])
    if session.exec(select(User).where(User.email == invitation.email)).first() is not None:
        raise AddressTaken(invitation.email)
    user = User(
        email=invitation.email,
        password_hash=hash_password(password),  # slow on purpose: before any row is locked
        role=invitation.role,
        municipality_id=invitation.municipality_id,
    )
    if not _use_once(session, Invitation, token):
        session.rollback()
        raise _invitation_gone()
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # another invitation to the address was accepted just now
        session.rollback()
        raise AddressTaken(invitation.email) from exc
    rounds = join_invited_rounds(session, user)
    record(
        session,
        None,
        "invitation_accepted",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
        **({"rounds": ",".join(map(str, rounds))} if rounds else {}),
    )
    session.commit()
    return user


def _invitation_gone() -> InvitationGone:
    return InvitationGone(
        _(
            "Lenken er brukt, utløpt eller ugyldig. Har du fått en nyere invitasjon, bruker du "
            "lenken i den; ellers kan du be den som inviterte deg om en ny."
        )
    )


def request_reset(session: Session, email: str, ip: str = "") -> None:
    """E-mail a reset link if an active user has this address; say nothing either way.

    Requests are limited per address typed and per client address. The mail leaves through
    the background queue, so the answer takes as long whether the account exists or not.
    """
    typed, email = email, normalise_email(email)
    limiter, per_account, per_address = reset_limiter()
    if not limiter.hit(per_address, "reset-address", ip) or not limiter.hit(
        per_account, "reset-account", counted_as(email)
    ):
        return  # no mail, and nothing written, so a flood can fill neither inboxes nor the log
    found = session.exec(select(User).where(User.email == email)).first()
    inactive = found is not None and not found.active
    user = None if inactive else found
    token, digest = new_token()  # for unknown addresses too: the same work either way
    logged = audited_address(typed)
    known = found is not None
    record(
        session, None, "password_reset_requested", ip=ip, known=known, inactive=inactive, **logged
    )
    minutes = get_settings().reset_minutes
    if found is not None and inactive:  # a link would not let them in: say so to the owner
        session.commit()
        send_later(found.email, _("Kontoen din i Gode grep er ikke aktiv"), _inactive_text(email))
        return
    if user is not None:
        assert user.id is not None
        session.add(
            PasswordReset(
                user_id=user.id,
                token_hash=digest,
                expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
            )
        )
    session.commit()
    if user is not None:
        send_later(user.email, _("Nytt passord i Gode grep"), _reset_text(token, email, minutes))


def _reset_text(token: str, email: str, minutes: int) -> str:
    link = f"{get_settings().base_url}/nytt-passord/{token}"
    return _(
        "Hei!\n\nNoen ba om å sette et nytt passord for %(email)s i Gode grep. Bruk lenken innen %(minutes)s minutter:\n\n%(link)s\n\nHar du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt er ikke endret."
    ) % {"email": email, "minutes": minutes, "link": link}


def _inactive_text(email: str) -> str:
    return _(
        "Hei!\n\nNoen ba om å sette et nytt passord for %(email)s i Gode grep. Kontoen er ikke aktiv lenger, så et nytt passord ville ikke slippe deg inn. Snakk med lederen din: en administrator i KS kan aktivere kontoen igjen.\n\nHar du ikke bedt om dette, kan du se bort fra e-posten."
    ) % {"email": email}


def find_reset(session: Session, token: str) -> PasswordReset:
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is None or reset.used_at is not None or _expired(reset.expires_at):
        raise _reset_gone()
    return reset


def reset_password(session: Session, token: str, password: str, ip: str = "") -> User:
    """Use the reset link once: set the password, end every session, void older links and
    lift the account's login lockout."""
    reset = find_reset(session, token)
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise _reset_gone()
    problems = password_problems(password, user.email)
    if problems:
        raise InvalidInput(problems[0])
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    session.add(user)
    # The user's row is locked first, so resets of one user (and password changes) take
    # turns: the first to get it voids the other links before the next one looks.
    session.flush()
    if not _use_once(session, PasswordReset, token):
        session.rollback()
        raise _reset_gone()
    end_password_resets(session, user.id)
    record(
        session,
        None,
        "password_reset",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
    )
    # The lockout message offers a new password instead of waiting: proving the mailbox and
    # choosing a new password ends the account's count (the per-address one stays). Before the
    # commit: with Redis out of reach the person is told so, and the link still works later.
    limiter, per_account, _per_address = login_limiter()
    limiter.clear(per_account, "account", counted_as(user.email))
    session.commit()
    return user


def _reset_gone() -> NotFound:
    return NotFound(
        _(
            "Lenken er brukt, utløpt eller ugyldig. Be om en ny lenke med «Glemt passordet?» på innloggingssiden."
        )
    )


def _use_once(session: Session, model: type[Invitation] | type[PasswordReset], token: str) -> bool:
    """Mark an open link used in one statement; False if it was used, expired or unknown.

    However many requests race for one link, the database lets exactly one change the row.
    """
    now = datetime.now(UTC)
    result = session.execute(
        update(model)
        .where(
            col(model.token_hash) == token_hash(token),
            col(model.used_at).is_(None),
            col(model.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def open_invitations(session: Session, municipality_id: int | None) -> list[Invitation]:
    """The municipality's invitations that nobody has used and that still work, by address:
    the latest one per address, and none to an address that has an account by now. None:
    those to no municipality (KS advisers and administrators)."""
    found = session.exec(
        select(Invitation)
        .where(
            Invitation.municipality_id == municipality_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.email).not_in(select(User.email)),
        )
        .order_by(
            col(Invitation.email), col(Invitation.created_at).desc(), col(Invitation.id).desc()
        )
    )
    latest: dict[str, Invitation] = {}
    for invitation in found:
        if not _expired(invitation.expires_at):
            latest.setdefault(invitation.email, invitation)
    return list(latest.values())


def _expired(moment: datetime) -> bool:
    if moment.tzinfo is None:  # SQLite returns naive datetimes; they were stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment <= datetime.now(UTC)


def _invitation_subject(round_name: str | None) -> str:
    if round_name:
        return _("Invitasjon til Gode grep: %(name)s") % {"name": round_name}
    return _("Invitasjon til Gode grep")


def _invitation_text(
    token: str,
    inviter: str,
    role: Role,
    municipality: Municipality | None,
    expires_at: datetime,
    round_name: str | None = None,
) -> str:
    """The invitation mail: the service, the role and the municipality in plain words, who
    invites and until when the link works, so the person can tell it is meant for them (and
    what to do if it is not); with `round_name` it also says which round to answer."""
    values = {
        "inviter": inviter,
        # KS people have no municipality: «som KS-rådgiver» says it.
        "as": _("som %(role)s i %(place)s") % {"role": as_role(role), "place": named(municipality)}
        if municipality
        else _("som %(role)s") % {"role": as_role(role)},
        "date": moment_text(expires_at),  # at the hour it was sent, 14 days on
        "link": f"{get_settings().base_url}/invitasjon/{token}",
        "name": round_name,
    }
    if round_name is None:
        text = _(
            "Hei!\n\nDu er invitert til Gode grep, KS' verktøy for egenvurdering av introduksjonsprogrammet, %(as)s. Invitasjonen er sendt av %(inviter)s.\n\nÅpne lenken og velg et passord. Lenken virker én gang og til %(date)s:\n\n%(link)s\n\nVentet du ikke denne e-posten, kan du se bort fra den.\n\nVennlig hilsen\nGode grep"
        )
    else:
        text = _(
            "Hei!\n\nDu er invitert til Gode grep, KS' verktøy for egenvurdering av introduksjonsprogrammet, %(as)s, for å svare på «%(name)s». Invitasjonen er sendt av %(inviter)s.\n\nÅpne lenken og velg et passord; da finner du runden under Runder. Lenken virker én gang og til %(date)s:\n\n%(link)s\n\nVentet du ikke denne e-posten, kan du se bort fra den.\n\nVennlig hilsen\nGode grep"
        )
    return text % values


def named(municipality: Municipality) -> str:
    """The municipality as a sentence names it, «Tolga kommune»; a name that says «kommune»
    already («Demo kommune») as it is. No name in the register does."""
    if "kommune" in municipality.name.casefold():
        return municipality.name
    return _("%(name)s kommune") % {"name": municipality.name}


def as_role(role: Role) -> str:
    """The role as the mail's sentence names it: «… som ansatt i Bergen kommune»."""
    return {
        Role.STAFF: pgettext("invitasjon", "ansatt"),
        Role.MANAGER: pgettext("invitasjon", "leder"),
        Role.KS_ADVISER: pgettext("invitasjon", "KS-rådgiver"),
        Role.ADMIN: pgettext("invitasjon", "administrator"),
    }[role]


class MailNotSent(Conflict):
    """The invitation's mail did not go out, so the invitation was not kept."""


def refusal_key(exc: DomainError) -> str:
    """Where an invitation form says why it was refused (the template's context key): at the
    address field, which gets the focus; a mail server that did not take the mail is no fault
    of the address, so the form says it without marking the field."""
    return "invite_alert" if isinstance(exc, MailNotSent) else "invite_error"


def _send(session: Session, to: str, subject: str, body: str) -> None:
    try:
        send_mail(to, subject, body)
    except MailError as exc:
        session.rollback()
        raise MailNotSent(
            _("E-posten kunne ikke sendes akkurat nå, så ingenting ble lagret. Prøv igjen om litt.")
        ) from exc
