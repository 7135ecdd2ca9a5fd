"""Accounts: passwords and login."""

from datetime import UTC, datetime
from functools import cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pwdlib import PasswordHash
from sqlmodel import Session, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.passwords import password_problems
from app.audit import record
from app.authz import Actor
from app.errors import InvalidInput, TooManyRequests
from app.i18n import _
from app.settings import get_settings


@cache
def hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id


@cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password")


def hash_password(password: str) -> str:
    return hasher().hash(password)


@cache
def login_limiter() -> tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem]:
    settings = get_settings()
    limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
    return limiter, parse(settings.login_limit_account), parse(settings.login_limit_address)


def login(session: Session, email: str, password: str, ip: str) -> User:
    """Check a login attempt; failures are rate-limited per account and per address.

    Every refusal gives the same message, so nobody can learn whether an account exists.
    """
    limiter, per_account, per_address = login_limiter()
    account = normalise_email(email)
    if not limiter.test(per_account, "account", account) or not limiter.test(
        per_address, "address", ip
    ):
        record(session, None, "login_locked", account, ip=ip, email=account)
        session.commit()
        raise TooManyRequests(
            _(
                "For mange mislykkede innlogginger. Vent et kvarter og prøv igjen, eller be om nytt passord."
            )
        )
    user = authenticate(session, account, password)
    if user is None:
        limiter.hit(per_account, "account", account)
        limiter.hit(per_address, "address", ip)
        record(session, None, "login_failed", account, ip=ip, email=account)
        session.commit()
        raise InvalidInput(_("E-postadressen eller passordet er feil."))
    limiter.clear(per_account, "account", account)
    user.last_login_at = datetime.now(UTC)
    session.add(user)
    record(
        session,
        None,
        "login",
        user.email,
        municipality_id=user.municipality_id,
        ip=ip,
        email=user.email,
    )
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work either way)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        hasher().verify(password, _dummy_hash())  # equal timing: don't reveal unknown e-mails
        return None
    if not hasher().verify(password, user.password_hash) or not user.active:
        return None
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role,
    municipality: Municipality | None = None,
) -> User:
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        municipality_id=municipality.id if municipality else None,
    )
    session.add(user)
    session.flush()
    return user


def create_municipality(
    session: Session, number: str, name: str, size_class: SizeClass = SizeClass.MEDIUM
) -> Municipality:
    municipality = Municipality(number=number, name=name, size_class=size_class)
    session.add(municipality)
    session.flush()
    return municipality


def get_municipality(session: Session, municipality_id: int | None) -> Municipality | None:
    return session.get(Municipality, municipality_id) if municipality_id else None


def size_name(size_class: str) -> str:
    """A size class in words, as it reads in a sentence."""
    return {
        "liten": _("liten (under 5 000 innbyggere)"),
        "mellomstor": _("mellomstor (5 000–19 999 innbyggere)"),
        "stor": _("stor (20 000 innbyggere eller flere)"),
    }.get(size_class, size_class)


def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id else None


def default_locale(municipality: Municipality | None) -> str:
    """The interface language a municipality's written standard implies (neutral: bokmål)."""
    return "nn" if municipality is not None and municipality.written_standard == "nn" else "nb"


def logged_out(session: Session, actor: Actor | None, ip: str) -> None:
    if actor is not None:
        record(session, actor, "logout", actor.email, municipality_id=actor.municipality_id, ip=ip)
        session.commit()


def save_locale(session: Session, actor: Actor, locale: str) -> None:
    """Remember the user's own language choice; it overrides the municipality's standard."""
    user = session.get(User, actor.user_id)
    if user is not None and user.locale != locale:
        user.locale = locale
        session.add(user)
        session.commit()


def account_overview(session: Session, actor: Actor) -> dict[str, object]:
    user = session.get(User, actor.user_id)
    return {"user": user, "municipality": get_municipality(session, actor.municipality_id)}


def change_password(session: Session, actor: Actor, current: str, new: str, ip: str) -> User:
    """Set a new password after checking the current one; other sessions end."""
    user = session.get(User, actor.user_id)
    if user is None or not hasher().verify(current, user.password_hash):
        raise InvalidInput(_("Det nåværende passordet er feil."))
    problems = password_problems(new, user.email)
    if problems:
        raise InvalidInput(problems[0])
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    session.add(user)
    record(
        session, actor, "password_changed", user.email, municipality_id=user.municipality_id, ip=ip
    )
    session.commit()
    return user
