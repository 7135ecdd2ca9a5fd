"""Municipalities that share rounds with KS (#9), so the adviser's pages are full at once.
Made up, in the 99xx range. Each has a closed round four made-up staff answered; `usual` is
the level each respondent tends to give (0 is "Vet ikke"), and `state` how its share stands:
reviewed with feedback, waiting (one taken), withdrawn, or shared 20 months ago. Demo
bykommune shares its action plan too, with measures overdue."""

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.accounts.models import Municipality, Role, SizeClass, User
from app.accounts.service import create_municipality
from app.authz import Actor
from app.demo.build import add_user, closed_in, closed_round, newest
from app.plan.models import Measure, MeasureStatement
from app.plan.models import MeasureStatus as S
from app.review import service as review
from app.review.models import Feedback, RoundShare
from app.rounds.models import Round

SHARED = [
    ("9903", "Demo fjordkommune", "Vestland", SizeClass.SMALL, (1, 2, 1, 2), "reviewed"),
    ("9904", "Demo dalkommune", "Innlandet", SizeClass.SMALL, (3, 3, 2, 3), "taken"),
    ("9905", "Demo bykommune", "Trøndelag", SizeClass.LARGE, (1, 4, 2, 4), "waiting"),
    ("9906", "Demo kystkommune", "Nordland", SizeClass.MEDIUM, (0, 0, 2, 3), "withdrawn"),
    ("9907", "Demo sletteby", "Innlandet", SizeClass.MEDIUM, (3, 4, 3, 4), "reviewed"),
    ("9908", "Demo øykommune", "Vestland", SizeClass.SMALL, (2, 3, 2, 2), "old"),
]
COMMENTS = {
    "oppfolging": [
        "",
        "Vi har gode rutiner for oppstart, men mindre tid til oppfølging underveis.",
    ],
    "arbeidsliv": ["Samarbeidet med arbeidslivet avhenger mye av enkeltpersoner."],
}
FEEDBACK = "Dere har et godt grunnlag.\nSe særlig på oppfølgingen underveis i programmet."
# The shared plan: (title, owner, status, days from today to its due date, statements).
PLAN = [
    ("Felles mal for oppfølgingssamtalene", "leder", S.IN_PROGRESS, -21,
     ["oppfolging-faste-samtaler"]),
    ("Praksisavtale med to nye arbeidsgivere", "Nav-kontoret", S.PLANNED, -7,
     ["arbeidsliv-arbeidsgivere", "arbeidsliv-tidlig-praksis"]),
    ("Tolk bestilles senest en uke før samtalen", "ansatt1", S.DONE, -30, ["flerkulturell-tolk"]),
    ("Kurs i veiledning for hele teamet", "leder", S.PLANNED, 60, ["tillit-na-veileder"]),
]  # fmt: skip


def load_shared(session: Session) -> None:
    """The sharing municipalities, each created once with its closed, shared round."""
    adviser = session.exec(select(User).where(User.email == "radgiver@ks.no")).one()
    for i, row in enumerate(SHARED):
        if session.exec(select(Municipality).where(Municipality.number == row[0])).first():
            continue
        _sharing(session, adviser, *row, earlier=timedelta(days=5 * i))


def _sharing(
    session: Session,
    adviser: User,
    number: str,
    name: str,
    county: str,
    size: SizeClass,
    usual: tuple[int, ...],
    state: str,
    earlier: timedelta,
) -> None:
    municipality = create_municipality(session, number, name, size)
    municipality.county = county
    slug = name.split()[1].replace("ø", "o")
    people = [add_user(session, f"{who}@{slug}.demo.no", role, municipality)
              for who, role in [("leder", Role.MANAGER)]
              + [(f"ansatt{i}", Role.STAFF) for i in (1, 2, 3, 4)]]  # fmt: skip
    chance = random.Random(int(number))  # made-up answers, the same on every run

    def level(person: int, area_id: str, statement_id: str, n: int) -> int:
        if usual[person] == 0:
            return 0
        return min(4, max(1, usual[person] + chance.choice((-1, 0, 0, 1))))

    closed = datetime.now(UTC) - timedelta(days=600) if state == "old" else closed_in(1) - earlier
    rnd = closed_round(session, municipality, newest(session), closed, people[1:], level,
                       COMMENTS)  # fmt: skip
    manager = Actor(people[0].id or 0, Role.MANAGER, municipality.id, people[0].email)
    with_plan = number == "9905"
    if with_plan:
        _plan(session, rnd.id or 0, closed, {p.email.split("@")[0]: p.id for p in people})
    review.share_round(session, manager, rnd, state != "taken", include_plan=with_plan)
    _share_state(session, rnd, manager, adviser, state)


def _plan(session: Session, round_id: int, closed: datetime, owners: dict[str, int | None]) -> None:
    today = datetime.now(UTC)
    for title, owner, status, days, statements in PLAN:
        measure = Measure(round_id=round_id, title=title, owner_user_id=owners.get(owner),
                          owner_text="" if owner in owners else owner, status=status,
                          due=(today + timedelta(days=days)).date(),
                          created_at=closed + timedelta(days=10))  # fmt: skip
        session.add(measure)
        session.flush()
        for sid in statements:
            session.add(MeasureStatement(measure_id=measure.id or 0, statement_id=sid))


def _share_state(session: Session, rnd: Round, manager: Actor, adviser: User, state: str) -> None:
    share = session.exec(select(RoundShare).where(RoundShare.round_id == rnd.id)).one()
    assert share.id is not None
    assert adviser.id is not None
    share.shared_at = share.round_closed_at + timedelta(days=9)
    session.commit()
    now = datetime.now(UTC)
    if state == "withdrawn":
        review.withdraw_share(session, manager, rnd)
    if state in ("taken", "reviewed"):
        share.taken_by_id, share.taken_at = adviser.id, now
        sent = now if state == "reviewed" else None
        session.add(Feedback(share_id=share.id, text=FEEDBACK, author_id=adviser.id, sent_at=sent))
    if state == "reviewed":
        share.reviewed_at, share.reviewed_by_id = now, adviser.id
    session.commit()
