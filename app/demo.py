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
from app.demo_history import load_history
from app.rounds.models import Round, RoundRespondent
from app.rounds.respondents import possible_respondents
from app.settings import get_settings

# 9901 is outside the real range of kommunenummer (0301–5636), so it can't clash.
DEMO_PASSWORD = "demo"
# (number, name, size class, users): two municipalities, so isolation can be tried.
DEMO_MUNICIPALITIES = [
    (
        "9901",
        "Demo kommune",
        SizeClass.SMALL,
        [
            ("ansatt1@demo.kommune.no", Role.STAFF),
            ("ansatt2@demo.kommune.no", Role.STAFF),
            ("ansatt3@demo.kommune.no", Role.STAFF),
            ("ansatt4@demo.kommune.no", Role.STAFF),
            ("ansatt5@demo.kommune.no", Role.STAFF),
            ("ansatt6@demo.kommune.no", Role.STAFF),
            ("leder@demo.kommune.no", Role.MANAGER),
        ],
    ),
    (
        "9902",
        "Demo nabokommune",
        SizeClass.LARGE,
        [
            ("ansatt1@nabo.kommune.no", Role.STAFF),
            ("ansatt2@nabo.kommune.no", Role.STAFF),
            ("leder@nabo.kommune.no", Role.MANAGER),
        ],
    ),
]
OPEN_ROUND = "Høst 2026"
DEMO_OTHERS = [("radgiver@ks.no", Role.KS_ADVISER), ("admin@ks.no", Role.ADMIN)]
DEMO_USERS = [u for *_, users in DEMO_MUNICIPALITIES for u in users] + DEMO_OTHERS


def load_demo(session: Session) -> Municipality:
    """The demo municipalities, their users and one open round each, created once; Demo
    kommune also gets two earlier closed rounds with results, readings and a plan."""
    first = None
    for number, name, size, users in DEMO_MUNICIPALITIES:
        municipality = _municipality(session, number, name, size)
        for email, role in users:
            _user(session, email, role, municipality)
        _open_round(session, municipality)
        if first is None:
            # After the open round, so that it keeps the first id (tests rely on /runder/1).
            staff = possible_respondents(session, municipality.id or 0)
            load_history(session, municipality, [u for u in staff if u.role == Role.STAFF])
        first = first or municipality
    for email, role in DEMO_OTHERS:
        _user(session, email, role, None)
    session.commit()
    assert first is not None
    return first


def _municipality(session: Session, number: str, name: str, size: SizeClass) -> Municipality:
    found = session.exec(select(Municipality).where(Municipality.number == number)).first()
    return found or create_municipality(session, number, name, size)


def _user(session: Session, email: str, role: Role, municipality: Municipality | None) -> None:
    if session.exec(select(User).where(User.email == email)).first() is None:
        create_user(session, email, DEMO_PASSWORD, role, municipality)


def _open_round(session: Session, municipality: Municipality) -> None:
    query = select(Round).where(Round.municipality_id == municipality.id, Round.name == OPEN_ROUND)
    if session.exec(query).first() is None:
        version = current_version(session)
        assert municipality.id is not None
        assert version.id is not None
        rnd = Round(
            municipality_id=municipality.id,
            name=OPEN_ROUND,
            participants=24,
            content_version_id=version.id,
        )
        session.add(rnd)
        session.flush()
        assert rnd.id is not None
        for user in possible_respondents(session, municipality.id):
            assert user.id is not None
            session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))
        session.flush()


def main() -> int:
    settings = get_settings()
    if not settings.demo or settings.environment == "production":
        print("Refusing to load demo data: set GODEGREP_DEMO=1 (never in production).")
        return 1
    with Session(get_engine()) as session:
        load_demo(session)
    print(f"Demo data is ready at {settings.base_url} — every password is 'demo':")
    for number, name, _size, users in DEMO_MUNICIPALITIES:
        print(f"  {name} ({number}):")
        for email, role in users:
            print(f"    {email:28} {role.value}")
    for email, role in DEMO_OTHERS:
        print(f"  {email:30} {role.value}")
    print(f"  Sent e-mail (invitations, password resets): {settings.base_url}/utvikler/epost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
