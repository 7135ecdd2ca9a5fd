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
from app.accounts.service import create_municipality, create_user, hash_password
from app.authz import Actor
from app.content.service import current_version
from app.db import get_engine
from app.demo_history import load_history
from app.results.models import SnapshotAreaScore
from app.review import service as review
from app.review.models import Feedback, RoundShare
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent, RoundStatus
from app.rounds.respondents import possible_respondents
from app.rounds.service import guidance_of
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
    load_shared_demo(session)
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


# --- Municipalities that share rounds with KS (#9), so the adviser's pages are full ----------
# Made up, in the 99xx range. Each has a closed round answered by four made-up staff; `base`
# is the level each respondent tends to give (0 is "Vet ikke"), and `state` how its share
# stands: reviewed with feedback, waiting (one taken), withdrawn, or shared 20 months ago.
SHARED_DEMO = [
    ("9903", "Demo fjordkommune", "Vestland", SizeClass.SMALL, (1, 2, 1, 2), "reviewed"),
    ("9904", "Demo dalkommune", "Innlandet", SizeClass.SMALL, (3, 3, 2, 3), "taken"),
    ("9905", "Demo bykommune", "Trøndelag", SizeClass.LARGE, (1, 4, 2, 4), "waiting"),
    ("9906", "Demo kystkommune", "Nordland", SizeClass.MEDIUM, (0, 0, 2, 3), "withdrawn"),
    ("9907", "Demo sletteby", "Innlandet", SizeClass.MEDIUM, (3, 4, 3, 4), "reviewed"),
    ("9908", "Demo øykommune", "Vestland", SizeClass.SMALL, (2, 3, 2, 2), "old"),
]
DEMO_COMMENTS = [
    "Vi har gode rutiner for oppstart, men mindre tid til oppfølging underveis.",
    "Samarbeidet med arbeidslivet avhenger mye av enkeltpersoner.",
]


def load_shared_demo(session: Session) -> None:
    """The sharing municipalities, each created once with its closed, shared round."""
    adviser = session.exec(select(User).where(User.email == "radgiver@ks.no")).one()
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    for number, name, county, size, base, state in SHARED_DEMO:
        if session.exec(select(Municipality).where(Municipality.number == number)).first():
            continue
        municipality = create_municipality(session, number, name, size)
        municipality.county = county
        slug = name.split()[1].replace("ø", "o")
        people = [
            _demo_person(session, f"{who}@{slug}.demo.no", role, municipality, password_hash)
            for who, role in [("leder", Role.MANAGER)]
            + [(f"ansatt{i}", Role.STAFF) for i in (1, 2, 3, 4)]
        ]
        rnd = _answered_round(session, municipality, people[1:], base, int(number))
        manager = Actor(people[0].id or 0, Role.MANAGER, municipality.id, people[0].email)
        review.share_round(session, manager, rnd, include_comments=state != "taken")
        _demo_share_state(session, rnd, manager, adviser, state)
    session.commit()


def _demo_person(
    session: Session, email: str, role: Role, municipality: Municipality, password_hash: str
) -> User:
    user = User(email=email, password_hash=password_hash, role=role,
                municipality_id=municipality.id)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def _answered_round(
    session: Session,
    municipality: Municipality,
    staff: list[User],
    base: tuple[int, ...],
    seed: int,
) -> Round:
    """A round the staff answered around their usual level, closed with its snapshot."""
    version = current_version(session)
    assert municipality.id is not None
    assert version.id is not None
    rnd = Round(municipality_id=municipality.id, name="Vår 2026", participants=18,
                content_version_id=version.id)  # fmt: skip
    session.add(rnd)
    session.flush()
    chance = random.Random(seed)  # made-up answers, the same on every run
    for person, usual in zip(staff, base, strict=True):
        assert rnd.id is not None
        assert person.id is not None
        session.add(RoundRespondent(round_id=rnd.id, user_id=person.id))
        response = Response(round_id=rnd.id, user_id=person.id, submitted_at=datetime.now(UTC))
        session.add(response)
        session.flush()
        assert response.id is not None
        for area in guidance_of(session, rnd).areas:
            for st in area.statements:
                level = 0 if usual == 0 else min(4, max(1, usual + chance.choice((-1, 0, 0, 1))))
                session.add(Answer(response_id=response.id, statement_id=st.id, level=level))
            if chance.random() < 0.3:
                text = chance.choice(DEMO_COMMENTS)
                session.add(AreaComment(response_id=response.id, area_id=area.id, text=text))
    session.flush()
    close_and_snapshot(session, rnd, None)
    return rnd


def _demo_share_state(
    session: Session, rnd: Round, manager: Actor, adviser: User, state: str
) -> None:
    share = session.exec(select(RoundShare).where(RoundShare.round_id == rnd.id)).one()
    assert share.id is not None
    assert adviser.id is not None
    if state == "withdrawn":
        review.withdraw_share(session, manager, rnd)
    elif state == "old":  # shared long ago and nothing since: the 18-month signal
        long_ago = datetime.now(UTC) - timedelta(days=600)
        rnd.closed_at = share.round_closed_at = share.shared_at = long_ago
    if state in ("taken", "reviewed"):
        share.taken_by_id, share.taken_at = adviser.id, datetime.now(UTC)
        text = "Dere har et godt grunnlag.\nSe særlig på oppfølgingen underveis i programmet."
        sent = datetime.now(UTC) if state == "reviewed" else None
        session.add(Feedback(share_id=share.id, text=text, author_id=adviser.id, sent_at=sent))
    if state == "reviewed":
        share.reviewed_at, share.reviewed_by_id = datetime.now(UTC), adviser.id
    session.commit()


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
        load_demo_history(session, first)  # only where Demo kommune has no closed round yet
        load_peer_demo(session)
    print(f"Demo data is ready at {settings.base_url} — every password is 'demo':")
    for number, name, _size, users in DEMO_MUNICIPALITIES:
        print(f"  {name} ({number}):")
        for email, role in users:
            print(f"    {email:28} {role.value}")
    for email, role in DEMO_OTHERS:
        print(f"  {email:30} {role.value}")
    print(
        "  Municipalities sharing rounds with KS (leder@<name>.demo.no, e.g. leder@fjordkommune.demo.no)"
    )
    print(
        f"  Made-up peer municipalities {PEER_NUMBERS[0]}–{PEER_NUMBERS[-1]} (closed rounds only)"
    )
    print(f"  Sent e-mail (invitations, password resets): {settings.base_url}/utvikler/epost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
