"""The demo's history (make run): two earlier closed rounds of Demo kommune with six made-up
staff answering, agreed readings, and an action plan whose measures the later round follows
up, so a newcomer sees the whole cycle at once. Called by app.demo.load_demo; idempotent."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, User
from app.content.schema import Guidance
from app.content.service import current_version, guidance_for
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatement, MeasureStatus
from app.rounds.lifecycle import close_and_snapshot
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent

# Each earlier round: (name, created, closed, area levels, statement levels that move).
ROUNDS = [
    (
        "Høst 2025",
        datetime(2025, 9, 1, 9, tzinfo=UTC),
        datetime(2025, 10, 15, 16, tzinfo=UTC),
        {"tillit": 3, "oppfolging": 2, "arbeidsliv": 2, "flerkulturell": 2, "handlingsrom": 3},
        {
            "oppfolging-faste-samtaler": 1,
            "oppfolging-plan-sammen": 2,
            "arbeidsliv-tidlig-praksis": 1,
            "arbeidsliv-arbeidsgivere": 2,
            "flerkulturell-tolk": 3,
            "handlingsrom-nye-losninger": 3,
            "handlingsrom-tid": 3,
        },
    ),
    (
        "Vår 2026",
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        datetime(2026, 4, 15, 16, tzinfo=UTC),
        {"tillit": 3, "oppfolging": 3, "arbeidsliv": 2, "flerkulturell": 2, "handlingsrom": 2},
        {
            "oppfolging-faste-samtaler": 4,
            "oppfolging-plan-sammen": 3,
            "arbeidsliv-tidlig-praksis": 2,
            "arbeidsliv-arbeidsgivere": 3,
            "flerkulturell-tolk": 2,
            "handlingsrom-nye-losninger": 2,
            "handlingsrom-tid": 1,
        },
    ),
]
NOBODY_KNOWS = {"arbeidsliv-lokalsamfunn", "oppfolging-samordning"}  # "Vet ikke" hot spots
COMMENTS = {
    "tillit": ["Deltakerne vet hvem de skal ringe.", "Vi bytter veileder for ofte."],
    "arbeidsliv": ["Få arbeidsgivere kjenner programmet.", "Praksis kommer for sent i løpet."],
    "flerkulturell": ["Tolk er vanskelig å få tak i på kort varsel."],
}
# (title, owner e-mail or free text, status, note, statements): every status is shown.
MEASURES = {
    "Høst 2025": [
        (
            "Faste oppfølgingssamtaler hver måned",
            "ansatt1@demo.kommune.no",
            MeasureStatus.DONE,
            "Innført fra januar.",
            ["oppfolging-faste-samtaler", "oppfolging-plan-sammen"],
        ),
        (
            "Praksisplass i første halvår for alle",
            "Nav-kontoret",
            MeasureStatus.IN_PROGRESS,
            "Avtale med tre nye arbeidsgivere.",
            ["arbeidsliv-tidlig-praksis", "arbeidsliv-arbeidsgivere"],
        ),
        (
            "Felles rutine for bestilling av tolk",
            "ansatt2@demo.kommune.no",
            MeasureStatus.DROPPED,
            "Kommunen fikk ny tolketjeneste i stedet.",
            ["flerkulturell-tolk"],
        ),
        (
            "Fast tid hver uke til å prøve nye løsninger",
            "leder@demo.kommune.no",
            MeasureStatus.PLANNED,
            "",
            ["handlingsrom-nye-losninger", "handlingsrom-tid"],
        ),
    ],
    "Vår 2026": [
        (
            "Tid til utviklingsarbeid i hver ukeplan",
            "leder@demo.kommune.no",
            MeasureStatus.IN_PROGRESS,
            "",
            ["handlingsrom-tid", "handlingsrom-nye-losninger"],
        ),
        (
            "Bli kjent med lokale arbeidsgivere sammen med deltakerne",
            "ansatt3@demo.kommune.no",
            MeasureStatus.PLANNED,
            "",
            ["arbeidsliv-lokalsamfunn", "arbeidsliv-arbeidsgivere"],
        ),
    ],
}
READINGS = {
    "Høst 2025": {"oppfolging": (2, "Samtalene skjer for sjelden og uten fast plan.")},
    "Vår 2026": {
        "oppfolging": (3, "Faste samtaler virker. Samordningen vet vi for lite om."),
        "handlingsrom": (2, "Vi får ikke tid til å prøve nye ting."),
    },
}


def load_history(session: Session, municipality: Municipality, staff: list[User]) -> None:
    """The earlier closed rounds, each made once (looked up by name)."""
    for name, created, closed, areas, moved in ROUNDS:
        if _round(session, municipality, name) is not None:
            continue
        rnd = _answered_round(session, municipality, staff, name, created, (areas, moved))
        assert close_and_snapshot(session, rnd, None)
        # Back-date the close, so the rounds read as history (the snapshot is already taken).
        session.execute(update(Round).where(col(Round.id) == rnd.id).values(closed_at=closed))
        rnd.closed_at = closed
        _plan(session, rnd, name, municipality)
        session.commit()


def _round(session: Session, municipality: Municipality, name: str) -> Round | None:
    query = select(Round).where(Round.municipality_id == municipality.id, Round.name == name)
    return session.exec(query).first()


def _answered_round(
    session: Session,
    municipality: Municipality,
    staff: list[User],
    name: str,
    created: datetime,
    levels: tuple[dict[str, int], dict[str, int]],
) -> Round:
    version = current_version(session)
    assert municipality.id is not None
    assert version.id is not None
    rnd = Round(
        municipality_id=municipality.id,
        name=name,
        participants=24,
        content_version_id=version.id,
        created_at=created,
        deadline=(created + timedelta(days=40)).date(),
    )
    session.add(rnd)
    session.flush()
    guidance = guidance_for(session, version.id)
    for person, user in enumerate(staff):
        assert rnd.id is not None
        assert user.id is not None
        session.add(RoundRespondent(round_id=rnd.id, user_id=user.id, added_at=created))
        _answers(session, guidance, rnd, user, person, levels)
    session.flush()
    return rnd


def _answers(
    session: Session,
    guidance: Guidance,
    rnd: Round,
    user: User,
    person: int,
    levels: tuple[dict[str, int], dict[str, int]],
) -> None:
    areas, moved = levels
    response = Response(round_id=rnd.id or 0, user_id=user.id or 0, submitted_at=rnd.created_at)
    session.add(response)
    session.flush()
    assert response.id is not None
    for area in guidance.areas:
        for n, st in enumerate(area.statements):
            level = _level(st.id, moved.get(st.id, areas[area.id]), person, n)
            session.add(Answer(response_id=response.id, statement_id=st.id, level=level))
        texts = COMMENTS.get(area.id, [])
        if person < len(texts):
            session.add(AreaComment(response_id=response.id, area_id=area.id, text=texts[person]))


def _level(statement_id: str, base: int, person: int, n: int) -> int:
    """A made-up answer: around the base, differing between people; "Vet ikke" where the
    team does not know, and a split team on having a steady adviser."""
    if statement_id in NOBODY_KNOWS and person < 3:
        return 0
    if statement_id == "tillit-fast-veileder":
        return 1 if person % 2 else 4
    return min(4, max(1, base + (0, 1, 0, -1)[(person + n) % 4]))


def _plan(session: Session, rnd: Round, name: str, municipality: Municipality) -> None:
    users = {
        u.email: u.id
        for u in session.exec(select(User).where(User.municipality_id == municipality.id))
    }
    assert rnd.id is not None
    assert rnd.closed_at is not None
    # The latest plan is still running, so its measures fall due after today.
    latest = name == ROUNDS[-1][0]
    due = (datetime.now(UTC) if latest else rnd.closed_at).date() + timedelta(days=120)
    for title, owner, status, note, statements in MEASURES[name]:
        measure = Measure(
            round_id=rnd.id,
            title=title,
            owner_user_id=users.get(owner),
            owner_text="" if owner in users else owner,
            due=due,
            status=status,
            note=note,
        )
        session.add(measure)
        session.flush()
        assert measure.id is not None
        for sid in statements:
            session.add(MeasureStatement(measure_id=measure.id, statement_id=sid))
    for area_id, (level, note) in READINGS[name].items():
        session.add(AgreedReading(round_id=rnd.id, area_id=area_id, level=level, note=note))
