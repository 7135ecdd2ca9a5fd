"""Load the local demo data (make run). Refuses to run unless GODEGREP_DEMO is on.

    python -m app.demo

Idempotent: running it again changes nothing. Every demo password is "demo".
"""

import random
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.service import create_municipality, create_user
from app.content.service import current_version
from app.db import get_engine
from app.results.models import SnapshotAreaScore
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, Response, Round, RoundRespondent, RoundStatus
from app.rounds.respondents import possible_respondents
from app.settings import get_settings
from app.synthetic import Version, add_rounds, made_up_answers, newest_folder, stored_version

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
DEMO_OTHERS = [("radgiver@ks.no", Role.KS_ADVISER), ("admin@ks.no", Role.ADMIN)]
DEMO_USERS = [u for *_, users in DEMO_MUNICIPALITIES for u in users] + DEMO_OTHERS


def load_demo(session: Session) -> Municipality:
    """The demo municipalities, their users and one open round each, created once."""
    first = None
    for number, name, size, users in DEMO_MUNICIPALITIES:
        municipality = _municipality(session, number, name, size)
        first = first or municipality
        for email, role in users:
            _user(session, email, role, municipality)
        _open_round(session, municipality)
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
    if session.exec(select(Round).where(Round.municipality_id == municipality.id)).first() is None:
        version = current_version(session)
        assert municipality.id is not None
        assert version.id is not None
        rnd = Round(
            municipality_id=municipality.id,
            name="Høst 2026",
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


# 9920–9949: made-up municipalities with closed rounds over three years, so the development
# page's peer medians appear in the demo (#8): 12 small, 14 medium and only 4 large, so the
# large class's median stays hidden; 8 chose the module "samordning", only 3 "kartlegging".
PEER_NUMBERS = range(9920, 9950)
MONTH = timedelta(days=30)


def load_peer_demo(session: Session) -> None:
    """The made-up peer municipalities and their closed rounds, created once."""
    if session.exec(select(Municipality).where(Municipality.number == "9920")).first():
        return
    rng = random.Random(8)
    old, new = stored_version(session, "v1"), stored_version(session, newest_folder())
    now = datetime.now(UTC)
    for i, number in enumerate(PEER_NUMBERS):
        size = SizeClass.SMALL if i < 12 else SizeClass.MEDIUM if i < 26 else SizeClass.LARGE
        m = create_municipality(session, str(number), f"Demokommune {number}", size)
        modules = " ".join(x for x, n in (("samordning", 8), ("kartlegging", 3)) if i < n)
        plan = [
            (now - MONTH * 34, old, ""),
            (now - MONTH * 22, old, ""),
            (now - MONTH * (4 + i % 6), new, modules),
        ]
        add_rounds(session, rng, m, plan)
    session.commit()


def load_demo_history(session: Session, municipality: Municipality) -> None:
    """Demo kommune's own history: three closed rounds the staff answered, two on the first
    content version and the latest on the newest, so the development page has something to
    show (including statements that are not directly comparable)."""
    assert municipality.id is not None
    closed = select(Round).where(
        Round.municipality_id == municipality.id, Round.status == RoundStatus.CLOSED
    )
    if session.exec(closed).first() is not None:
        return
    rng = random.Random(5)
    old, new = stored_version(session, "v1"), stored_version(session, newest_folder())
    now = datetime.now(UTC)
    for months, version, skill, modules in (
        (30, old, 0.35, ""),
        (18, old, 0.5, ""),
        (6, new, 0.6, "samordning"),
    ):
        _history_round(session, municipality, version, now - MONTH * months, skill, modules, rng)
    session.commit()


def _history_round(
    session: Session,
    municipality: Municipality,
    version: Version,
    closed_at: datetime,
    skill: float,
    modules: str,
    rng: random.Random,
) -> None:
    assert municipality.id is not None
    name = f"{'Vår' if closed_at.month <= 6 else 'Høst'} {closed_at.year}"
    rnd = Round(
        municipality_id=municipality.id,
        name=name,
        content_version_id=version.id,
        participants=24,
        modules=modules,
        created_at=closed_at - MONTH,
    )
    session.add(rnd)
    session.flush()
    staff = [u for u in possible_respondents(session, municipality.id) if u.role == Role.STAFF]
    guidance = version.guidance.with_modules(modules.split())
    answers = made_up_answers(rng, guidance, len(staff), skill)
    for user, own in zip(staff, answers, strict=True):
        _submit(session, rnd, user, own, closed_at - MONTH / 2)
    session.flush()
    close_and_snapshot(session, rnd, None)
    rnd.closed_at = closed_at
    session.add(rnd)
    session.execute(
        update(SnapshotAreaScore)
        .where(col(SnapshotAreaScore.round_id) == rnd.id)
        .values(closed_at=closed_at)
    )


def _submit(
    session: Session, rnd: Round, user: User, answers: dict[str, int], at: datetime
) -> None:
    assert rnd.id is not None
    assert user.id is not None
    session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))
    response = Response(round_id=rnd.id, user_id=user.id, submitted_at=at)
    session.add(response)
    session.flush()
    assert response.id is not None
    for statement_id, level in answers.items():
        session.add(Answer(response_id=response.id, statement_id=statement_id, level=level))


def main() -> int:
    settings = get_settings()
    if not settings.demo or settings.environment == "production":
        print("Refusing to load demo data: set GODEGREP_DEMO=1 (never in production).")
        return 1
    with Session(get_engine()) as session:
        first = load_demo(session)
        load_demo_history(session, first)
        load_peer_demo(session)
    print("Demo data is ready at http://127.0.0.1:8000 — every password is 'demo':")
    for number, name, _size, users in DEMO_MUNICIPALITIES:
        print(f"  {name} ({number}):")
        for email, role in users:
            print(f"    {email:28} {role.value}")
    for email, role in DEMO_OTHERS:
        print(f"  {email:30} {role.value}")
    print(
        f"  Made-up peer municipalities {PEER_NUMBERS[0]}–{PEER_NUMBERS[-1]} (closed rounds only)"
    )
    print("  Sent e-mail (invitations, password resets): http://127.0.0.1:8000/utvikler/epost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
