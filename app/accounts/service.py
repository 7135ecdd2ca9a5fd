"""Accounts: passwords and login."""

import hashlib
import hmac
import os
import re
import threading
from datetime import UTC, datetime
from functools import cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pwdlib import PasswordHash
from sqlmodel import Session, col, select, update

from app.accounts.models import Municipality, PasswordReset, Role, SizeClass, User
from app.accounts.passwords import password_problems
from app.audit import record
from app.authz import Actor
from app.errors import InvalidInput, TooManyRequests
from app.i18n import N_, _
from app.settings import get_settings

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@cache
def hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id


@cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password")


def hash_password(password: str) -> str:
    return hasher().hash(password)


Limits = tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem]
_limits_lock = threading.Lock()


def login_limiter() -> Limits:
    """The limiter with the per-account and per-address login limits."""
    with _limits_lock:
        return _limiters()[0]


def reset_limiter() -> Limits:
    """The limiter with the per-account and per-address password-reset limits."""
    with _limits_lock:
        return _limiters()[1]


def counted_as(email: str) -> str:
    """An address as the rate limits count it: keyed with the secret key, so the store (Redis,
    shared with other services) holds counts, never e-mail addresses, and a list of likely
    addresses cannot be hashed to find whose they are."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def forget_rate_limits() -> None:
    """Start every count afresh (tests)."""
    with _limits_lock:
        _limiters.cache_clear()


@cache
def _limiters() -> tuple[Limits, Limits]:
    # Built once under the lock: the first requests after start arrive together, and each
    # building its own memory store would let every one of them past the limit.
    settings = get_settings()
    options = {"key_prefix": settings.redis_key_prefix} if settings.redis_url else {}
    storage = storage_from_string(settings.rate_limit_storage, **options)
    limiter = MovingWindowRateLimiter(storage)
    return (
        (limiter, parse(settings.login_limit_account), parse(settings.login_limit_address)),
        (limiter, parse(settings.reset_limit_account), parse(settings.reset_limit_address)),
    )


def login(session: Session, email: str, password: str, ip: str) -> User:
    """Check a login attempt; attempts are rate-limited per account and per address.

    The account's attempt is counted before the password is checked, so parallel guesses
    check no more passwords than the limit; a success clears the count. Every refusal gives
    the same message, so nobody can learn whether an account exists.
    """
    limiter, per_account, per_address = login_limiter()
    account = normalise_email(email)
    # The address counts failures only (many colleagues may share one address); its test
    # comes first so that a locked address does not use up the account's attempts.
    if not limiter.test(per_address, "address", ip) or not limiter.hit(
        per_account, "account", counted_as(account)
    ):
        record(session, None, "login_locked", ip=ip, **audited_address(email))
        session.commit()
        raise TooManyRequests(
            _(
                "For mange mislykkede innlogginger. Vent et kvarter og prøv igjen, eller be om nytt passord."
            )
        )
    user = authenticate(session, account, password)
    if user is None:
        limiter.hit(per_address, "address", ip)
        record(session, None, "login_failed", ip=ip, **audited_address(email))
        session.commit()
        raise InvalidInput(_("E-postadressen eller passordet er feil."))
    if not user.active:  # said only to someone who knows the password: nothing enumerated
        record(
            session, None, "login_inactive", user.email, municipality_id=user.municipality_id, ip=ip
        )
        session.commit()
        raise InvalidInput(_(INACTIVE))
    limiter.clear(per_account, "account", counted_as(account))
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


INACTIVE = N_(
    "Kontoen din er ikke aktiv lenger. Snakk med lederen din: en administrator i KS kan "
    "aktivere den igjen."
)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, active or not, or None (same work either
    way)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    session.commit()  # hand the connection back: checking the password takes a while
    if user is None:
        _verify(password, _dummy_hash())  # equal timing: don't reveal unknown e-mails
        return None
    if not _verify(password, user.password_hash):
        return None
    return user


# Argon2 takes about 64 MB and a core for a good fraction of a second. A meeting where
# everyone logs in at once would otherwise run dozens at a time (one per worker thread): memory
# runs out and every other request starves. One per core at a time; the rest queue.
_hashing = threading.BoundedSemaphore(os.cpu_count() or 2)


def _verify(password: str, digest: str) -> bool:
    with _hashing:
        return bool(hasher().verify(password, digest))


def normalise_email(email: str) -> str:
    """The stored form of an address: checked and lower-cased; anything else only lower-cased.

    For logins and reset requests, where a typing error must get the same neutral answer.
    """
    try:
        return valid_email(email)
    except InvalidInput:
        # Control characters can match no account, and PostgreSQL refuses NUL outright.
        return _CONTROL.sub("\ufffd", email.strip().lower())


def audited_address(typed: str) -> dict[str, Any]:
    """What the audit log keeps of an address typed at login or in «Glemt passordet?»: the
    address if it is one; if not, only that it was not. A password typed in the address field
    («Sommer@2024» passes the browser's check) must never reach the log, which nobody can
    change or empty afterwards, and which administrators read."""
    try:
        address = valid_email(typed)
    except InvalidInput:
        return {"target": "", "email": "", "valid_address": False}
    return {"target": address, "email": address}


def valid_email(email: str) -> str:
    """The stored form of a typed address, or InvalidInput (control characters included)."""
    try:
        # Internationalised domains are kept in their ASCII (IDNA) form, which any SMTP
        # server accepts; addresses with non-ASCII before the @ are refused for that reason.
        checked = validate_email(email.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            _("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.")
        ) from exc
    return (checked.ascii_email or checked.normalized).lower()


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


def locale_of(session: Session, user: User) -> str:
    """The user's own language, else their municipality's written standard (as at login):
    what mail to them is written in, whoever's action sends it."""
    if user.locale:
        return user.locale
    municipality = session.get(Municipality, user.municipality_id) if user.municipality_id else None
    return default_locale(municipality)


def logged_out(session: Session, actor: Actor | None, ip: str) -> None:
    if actor is not None:
        record(session, actor, "logout", actor.email, municipality_id=actor.municipality_id, ip=ip)
        session.commit()


def end_all_sessions(session: Session, actor: Actor, ip: str) -> None:
    """End every login session of the actor's, on every device and in every app instance."""
    session.execute(
        update(User)
        .where(col(User.id) == actor.user_id)
        .values(session_epoch=col(User.session_epoch) + 1)
    )
    record(
        session,
        actor,
        "sessions_ended",
        actor.email,
        municipality_id=actor.municipality_id,
        ip=ip,
    )
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
    """Set a new password after checking the current one; other sessions end.

    The check of the current password counts as a login attempt on the account: someone who
    found a session open cannot try passwords here without limit."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise InvalidInput(_("Det nåværende passordet er feil."), field="current")
    limiter, per_account, _per_address = login_limiter()
    if not limiter.hit(per_account, "account", counted_as(user.email)):
        record(session, actor, "login_locked", user.email, ip=ip, email=user.email)
        session.commit()
        raise TooManyRequests(
            _(
                "For mange forsøk med feil passord. Vent et kvarter og prøv igjen, eller logg ut "
                "og be om nytt passord."
            )
        )
    if not hasher().verify(current, user.password_hash):
        record(
            session,
            actor,
            "password_change_refused",
            user.email,
            municipality_id=user.municipality_id,
            ip=ip,
        )
        session.commit()
        raise InvalidInput(_("Det nåværende passordet er feil."), field="current")
    limiter.clear(per_account, "account", counted_as(user.email))
    problems = password_problems(new, user.email)
    if problems:
        raise InvalidInput(problems[0], field="new")
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    session.add(user)
    session.flush()  # the user's row first, as a reset does, so the two take turns
    end_password_resets(session, user.id)
    record(
        session, actor, "password_changed", user.email, municipality_id=user.municipality_id, ip=ip
    )
    session.commit()
    return user


def end_password_resets(session: Session, user_id: int | None) -> None:
    """Every open reset link of the user stops working: a new password voids older links."""
    now = datetime.now(UTC)
    session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None))
        .where(col(PasswordReset.expires_at) > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
