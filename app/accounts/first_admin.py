"""The first administrator of a new installation, from the command line:

    python -m app.accounts.first_admin it-drift@kommune.no

A fresh production database has municipalities (the register) but no users, and nobody to
invite the first one. This prints a single-use invitation link for an administrator (valid for
the usual number of days); whoever opens it chooses the password, so no password passes through
the shell or its history. It refuses once an administrator exists: from then on administrators
invite each other in the app (/admin), where it is audit-logged as their act.
"""

import argparse
import sys
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts.models import Invitation, Role, User
from app.accounts.service import valid_email
from app.accounts.tokens import new_token
from app.audit import record
from app.db import get_engine
from app.errors import InvalidInput
from app.settings import get_settings


class AdminExists(Exception):
    pass


def invite_first_admin(session: Session, email: str) -> str:
    """A new administrator invitation for `email`; returns its link."""
    email = valid_email(email)
    admin = select(User.id).where(col(User.role) == Role.ADMIN, col(User.active))
    if session.exec(admin).first() is not None:
        raise AdminExists
    token, digest = new_token()
    days = get_settings().invitation_days
    session.add(
        Invitation(
            email=email,
            role=Role.ADMIN,
            token_hash=digest,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
    )
    record(session, None, "invitation_sent", email, role=Role.ADMIN, via="command line")
    session.commit()
    return f"{get_settings().base_url}/invitasjon/{token}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.accounts.first_admin",
        description="Print an invitation link for the first administrator.",
    )
    parser.add_argument("email", help="the administrator's work e-mail address")
    args = parser.parse_args(argv)
    with Session(get_engine()) as session:
        try:
            link = invite_first_admin(session, args.email)
        except InvalidInput as exc:
            parser.error(exc.message)
        except AdminExists:
            print("An administrator exists already; invite more in the app (/admin).")
            return 1
    days = get_settings().invitation_days
    print(f"Open this link within {days} days to choose the administrator's password:\n{link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
