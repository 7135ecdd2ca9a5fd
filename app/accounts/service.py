"""Accounts: passwords and login."""

from functools import cache

from pwdlib import PasswordHash
from sqlmodel import Session, select

from app.accounts.models import Municipality, Role, SizeClass, User


@cache
def hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id


@cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password")


def hash_password(password: str) -> str:
    return hasher().hash(password)


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
