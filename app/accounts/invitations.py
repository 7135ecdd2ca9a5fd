"""Invitations and password resets: single-use links sent by e-mail, stored only as hashes."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Invitation, Municipality, PasswordReset, Role, User
from app.accounts.passwords import password_problems
from app.accounts.service import hash_password, normalise_email
from app.accounts.tokens import new_token, token_hash
from app.audit import record
from app.authz import Action, Actor, require
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import _
from app.mail import MailError, send_mail
from app.settings import get_settings

# Who may invite whom: managers invite staff to their own municipality; administrators
# invite managers, KS advisers and other administrators.
ADMIN_INVITES = {Role.MANAGER, Role.KS_ADVISER, Role.ADMIN, Role.STAFF}


def invite(
    session: Session,
    actor: Actor,
    email: str,
    role: Role,
    municipality: Municipality | None,
    ip: str = "",
) -> Invitation:
    """Create an invitation and e-mail its link; nothing is kept if the e-mail cannot be sent."""
    email = _valid_email(email)
    _check_may_invite(actor, role, municipality)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(_("Det finnes allerede en bruker med denne e-postadressen."))
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
    record(
        session,
        actor,
        "invitation_sent",
        email,
        municipality_id=invitation.municipality_id,
        ip=ip,
        role=role,
    )
    _send(
        session, email, _("Invitasjon til Gode grep"), _invitation_text(token, municipality, days)
    )
    session.commit()
    return invitation


def _check_may_invite(actor: Actor, role: Role, municipality: Municipality | None) -> None:
    if actor.role == Role.ADMIN:
        if role not in ADMIN_INVITES:
            raise InvalidInput(_("Ukjent rolle."))
        if role in (Role.STAFF, Role.MANAGER) and municipality is None:
            raise InvalidInput(_("Velg kommunen personen skal høre til."))
        return
    if role != Role.STAFF:
        raise Forbidden(_("Som leder kan du invitere ansatte i din egen kommune."))
    require(actor, Action.INVITE_STAFF, municipality.id if municipality else None)


def find_invitation(session: Session, token: str) -> Invitation:
    """The open invitation for this link; a used, expired or unknown link gets one message."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    if invitation is None or invitation.used_at is not None or _expired(invitation.expires_at):
        raise NotFound(_("Lenken er brukt, utløpt eller ugyldig. Be om en ny invitasjon."))
    return invitation


def accept(session: Session, token: str, password: str, ip: str = "") -> User:
    """Use the invitation once: create the user with the chosen password."""
    invitation = find_invitation(session, token)
    problems = password_problems(password, invitation.email)
    if problems:
        raise InvalidInput(problems[0])
    if session.exec(select(User).where(User.email == invitation.email)).first() is not None:
        raise Conflict(
            _("Det finnes allerede en bruker med denne e-postadressen. Logg inn i stedet.")
        )
    user = User(
        email=invitation.email,
        password_hash=hash_password(password),
        role=invitation.role,
        municipality_id=invitation.municipality_id,
    )
    session.add(user)
    invitation.used_at = datetime.now(UTC)
    session.add(invitation)
    session.flush()
    record(
        session,
        None,
        "invitation_accepted",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
    )
    session.commit()
    return user


def request_reset(session: Session, email: str, ip: str = "") -> None:
    """E-mail a reset link if an active user has this address; say nothing either way."""
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email, col(User.active).is_(True))).first()
    record(
        session, None, "password_reset_requested", email, ip=ip, email=email, known=user is not None
    )
    if user is None:
        session.commit()
        return
    token, digest = new_token()
    minutes = get_settings().reset_minutes
    assert user.id is not None
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=digest,
            expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
        )
    )
    link = f"{get_settings().base_url}/nytt-passord/{token}"
    body = _(
        "Hei!\n\nNoen ba om å sette et nytt passord for %(email)s i Gode grep. Bruk lenken innen %(minutes)s minutter:\n\n%(link)s\n\nHar du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt er ikke endret."
    ) % {"email": email, "minutes": minutes, "link": link}
    _send(session, email, _("Nytt passord i Gode grep"), body)
    session.commit()


def find_reset(session: Session, token: str) -> PasswordReset:
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is None or reset.used_at is not None or _expired(reset.expires_at):
        raise NotFound(
            _("Lenken er brukt, utløpt eller ugyldig. Be om en ny lenke for å sette passord.")
        )
    return reset


def reset_password(session: Session, token: str, password: str, ip: str = "") -> User:
    """Use the reset link once: set the password and end every existing session."""
    reset = find_reset(session, token)
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise NotFound(
            _("Lenken er brukt, utløpt eller ugyldig. Be om en ny lenke for å sette passord.")
        )
    problems = password_problems(password, user.email)
    if problems:
        raise InvalidInput(problems[0])
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    reset.used_at = datetime.now(UTC)
    session.add(user)
    session.add(reset)
    record(
        session,
        None,
        "password_reset",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
    )
    session.commit()
    return user


def _expired(moment: datetime) -> bool:
    if moment.tzinfo is None:  # SQLite returns naive datetimes; they were stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment <= datetime.now(UTC)


def _valid_email(email: str) -> str:
    email = normalise_email(email)
    local, _at, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise InvalidInput(_("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))
    return email


def _invitation_text(token: str, municipality: Municipality | None, days: int) -> str:
    link = f"{get_settings().base_url}/invitasjon/{token}"
    place = municipality.name if municipality else "KS"
    return _(
        "Hei!\n\nDu er invitert til Gode grep, egenvurderingen for introduksjonsprogrammet (%(place)s). Åpne lenken og velg et passord. Lenken virker én gang og i %(days)s dager:\n\n%(link)s\n\nVenn hilsen\nGode grep"
    ) % {"place": place, "days": days, "link": link}


def _send(session: Session, to: str, subject: str, body: str) -> None:
    try:
        send_mail(to, subject, body)
    except MailError as exc:
        session.rollback()
        raise Conflict(
            _("E-posten kunne ikke sendes akkurat nå, så ingenting ble lagret. Prøv igjen om litt.")
        ) from exc
