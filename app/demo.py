"""Load the local demo data (make run). Refuses to run unless GODEGREP_DEMO is on.

    python -m app.demo

Idempotent: running it again changes nothing. Every demo password is "demo".
"""

import sys

from sqlmodel import Session, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.service import create_municipality, create_user
from app.content.service import current_version
from app.db import get_engine
from app.rounds.models import Round
from app.settings import get_settings

# 9901 is outside the real range of kommunenummer (0301–5636), so it can't clash.
DEMO_NUMBER = "9901"
DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("ansatt1@demo.kommune.no", Role.STAFF),
    ("ansatt2@demo.kommune.no", Role.STAFF),
    ("ansatt3@demo.kommune.no", Role.STAFF),
    ("leder@demo.kommune.no", Role.MANAGER),
    ("radgiver@ks.no", Role.KS_ADVISER),
]


def load_demo(session: Session) -> Municipality:
    """The demo municipality, its users and one open round, created once."""
    found = session.exec(select(Municipality).where(Municipality.number == DEMO_NUMBER)).first()
    municipality = found or create_municipality(
        session, DEMO_NUMBER, "Demo kommune", SizeClass.SMALL
    )
    for email, role in DEMO_USERS:
        if session.exec(select(User).where(User.email == email)).first() is None:
            home = municipality if role in (Role.STAFF, Role.MANAGER) else None
            create_user(session, email, DEMO_PASSWORD, role, home)
    has_round = session.exec(select(Round).where(Round.municipality_id == municipality.id)).first()
    if has_round is None:
        version = current_version(session)
        assert municipality.id is not None
        assert version.id is not None
        session.add(
            Round(
                municipality_id=municipality.id,
                name="Høst 2026",
                participants=24,
                content_version_id=version.id,
            )
        )
    session.commit()
    return municipality


def main() -> int:
    settings = get_settings()
    if not settings.demo or settings.environment == "production":
        print("Refusing to load demo data: set GODEGREP_DEMO=1 (never in production).")
        return 1
    with Session(get_engine()) as session:
        load_demo(session)
    print("Demo data is ready at http://127.0.0.1:8000 — every password is 'demo':")
    for email, role in DEMO_USERS:
        print(f"  {email:28} {role.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
