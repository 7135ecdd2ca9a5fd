"""Load the local demo data (make run). Refuses to run unless GODEGREP_DEMO is on.

    python -m app.demo

Idempotent: each demo municipality is built once, whole, so running it again changes
nothing (`make demo-reset` starts from scratch). Every demo password is "demo"; every
person is made up. Dates count back from today, so the demo reads right in any year.
"""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.service import create_municipality
from app.content.service import current_version
from app.demo.build import DEMO_PASSWORD, add_user, closed_in, first, newest, season
from app.demo.kommune import load_history
from app.demo.peers import PEER_NUMBERS, load_peers
from app.demo.shared import load_shared
from app.rounds.models import Round, RoundRespondent
from app.rounds.respondents import possible_respondents

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "LATEST_CLOSED", "OPEN_ROUND", "load_demo"]

# 9901 is outside the real range of kommunenummer (0301–5636), so it can't clash.
# (number, name, size class, users): two municipalities, so isolation can be tried.
DEMO_MUNICIPALITIES = [
    ("9901", "Demo kommune", SizeClass.SMALL,
     [(f"ansatt{i}@demo.kommune.no", Role.STAFF) for i in range(1, 7)]
     + [("leder@demo.kommune.no", Role.MANAGER)]),
    ("9902", "Demo nabokommune", SizeClass.LARGE,
     [("ansatt1@nabo.kommune.no", Role.STAFF), ("ansatt2@nabo.kommune.no", Role.STAFF),
      ("leder@nabo.kommune.no", Role.MANAGER)]),
]  # fmt: skip
DEMO_OTHERS = [("radgiver@ks.no", Role.KS_ADVISER), ("admin@ks.no", Role.ADMIN)]
DEMO_USERS = [u for *_, users in DEMO_MUNICIPALITIES for u in users] + DEMO_OTHERS
# The open round is this half-year's; Demo kommune's and the sharing municipalities' latest
# closed round is the half-year's before.
OPEN_ROUND = season(datetime.now(UTC).date())
LATEST_CLOSED = season(closed_in(1))


def load_demo(session: Session) -> Municipality:
    """Everything the demo shows; returns Demo kommune."""
    for number, name, size, users in DEMO_MUNICIPALITIES:
        if _find(session, number) is None:
            municipality = create_municipality(session, number, name, size)
            people = [add_user(session, email, role, municipality) for email, role in users]
            _open_round(session, municipality)  # first, so it keeps the first id (/runder/1)
            if number == "9901":
                load_history(session, municipality, people)
            session.commit()
    for email, role in DEMO_OTHERS:
        if session.exec(select(User).where(User.email == email)).first() is None:
            add_user(session, email, role, None)
    session.commit()
    load_shared(session)
    if _find(session, str(PEER_NUMBERS[0])) is None:
        load_peers(session, first(session), newest(session))
        session.commit()
    found = _find(session, "9901")
    assert found is not None
    return found


def _find(session: Session, number: str) -> Municipality | None:
    return session.exec(select(Municipality).where(Municipality.number == number)).first()


def _open_round(session: Session, municipality: Municipality) -> None:
    version = current_version(session)
    assert municipality.id is not None
    assert version.id is not None
    # Three weeks to go: the deadline, the reminder two days before it and the close at it all
    # happen in the running demo (make run does the scheduled work every minute).
    deadline = datetime.now(UTC).date() + timedelta(days=21)
    rnd = Round(municipality_id=municipality.id, name=OPEN_ROUND, participants=24,
                deadline=deadline, content_version_id=version.id)  # fmt: skip
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    for user in possible_respondents(session, municipality.id):
        assert user.id is not None
        session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))
    session.flush()
