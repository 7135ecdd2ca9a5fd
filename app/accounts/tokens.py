"""Single-use secret tokens for links in e-mail: only their SHA-256 is ever stored."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
