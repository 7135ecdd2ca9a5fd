"""Demo kommune's history (make run): four closed rounds over three years that six made-up
staff answered — two on content version 1, then two on the current version with agreed
readings and action plans, the later round following up the earlier one's measures. So the
development page (#8, with its "ikke direkte sammenlignbar" marks) and the whole cycle of
round, meeting, plan and follow-up (#7) show at once."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.accounts.models import Municipality, User
from app.demo.build import closed_in, closed_round, first, newest
from app.meeting.models import AgreedReading
from app.plan.models import Measure, MeasureStatement
from app.plan.models import MeasureStatus as S
from app.rounds.models import Round
from app.synthetic import Version

CORE = ("tillit", "oppfolging", "arbeidsliv", "flerkulturell", "handlingsrom")
# Each round: half-years back, on the first content version?, the usual level per core area,
# statements that differ from their area (the follow-up shows them moving up and down).
ROUNDS = [
    (6, True, (2, 2, 1, 2, 2), {"tillit-taushetsplikt": 1}),
    (4, True, (3, 2, 2, 2, 3), {"tillit-taushetsplikt": 2, "arbeidsliv-tidlig-praksis": 1}),
    (2, False, (3, 2, 2, 2, 3), {
        "oppfolging-faste-samtaler": 1, "oppfolging-plan-kartlegging": 2,
        "arbeidsliv-tidlig-praksis": 1, "arbeidsliv-arbeidsgivere": 2, "flerkulturell-tolk": 3,
    }),
    (1, False, (3, 3, 2, 2, 2), {
        "oppfolging-faste-samtaler": 4, "oppfolging-plan-kartlegging": 3,
        "arbeidsliv-tidlig-praksis": 2, "arbeidsliv-arbeidsgivere": 3, "flerkulturell-tolk": 2,
        "handlingsrom-nye-losninger": 2, "handlingsrom-tid": 1,
    }),
]  # fmt: skip
NOBODY_KNOWS = {"arbeidsliv-lokalsamfunn", "oppfolging-samordning", "oppfolging-fravaer"}
COMMENTS = {
    "tillit": ["Deltakerne vet hvem de skal ringe.", "Vi bytter veileder for ofte."],
    "arbeidsliv": ["Få arbeidsgivere kjenner programmet.", "Praksis kommer for sent i løpet."],
    "flerkulturell": ["Tolk er vanskelig å få tak i på kort varsel."],
}
# The two plans (half-years back → measures): (title, owner e-mail or free text, status,
# note, statements); between them every status.
MEASURES = {
    2: [
        ("Faste oppfølgingssamtaler hver måned", "ansatt1@demo.kommune.no", S.DONE,
         "Innført fra januar.", ["oppfolging-faste-samtaler", "oppfolging-plan-kartlegging"]),
        ("Praksisplass i første halvår for alle", "Nav-kontoret", S.IN_PROGRESS,
         "Avtale med tre nye arbeidsgivere.",
         ["arbeidsliv-tidlig-praksis", "arbeidsliv-arbeidsgivere"]),
        ("Felles rutine for bestilling av tolk", "ansatt2@demo.kommune.no", S.DROPPED,
         "Kommunen fikk ny tolketjeneste i stedet.", ["flerkulturell-tolk"]),
        ("Fast tid hver uke til å prøve nye løsninger", "leder@demo.kommune.no", S.PLANNED, "",
         ["handlingsrom-nye-losninger", "handlingsrom-tid"]),
    ],
    1: [
        ("Tid til utviklingsarbeid i hver ukeplan", "leder@demo.kommune.no", S.IN_PROGRESS, "",
         ["handlingsrom-tid", "handlingsrom-nye-losninger"]),
        ("Bli kjent med lokale arbeidsgivere sammen med deltakerne", "ansatt3@demo.kommune.no",
         S.PLANNED, "", ["arbeidsliv-lokalsamfunn", "arbeidsliv-arbeidsgivere"]),
    ],
}  # fmt: skip
READINGS = {
    2: {"oppfolging": (2, "Samtalene skjer for sjelden og uten fast plan.")},
    1: {
        "oppfolging": (3, "Faste samtaler virker. Fravær vet vi for lite om."),
        "handlingsrom": (2, "Vi får ikke tid til å prøve nye ting."),
    },
}


def load_history(session: Session, municipality: Municipality, users: list[User]) -> None:
    """The closed rounds (the caller commits). `users`: the municipality's, staff answer."""
    staff = [u for u in users if u.role == "staff"]
    owners = {u.email: u.id for u in users}
    versions = first(session), newest(session)
    for back, on_first, areas, moved in ROUNDS:
        version = versions[0] if on_first else versions[1]
        rnd = _round(
            session, municipality, version, back, dict(zip(CORE, areas, strict=True)), moved, staff
        )
        agreed = rnd.closed_at or datetime.now(UTC)  # in the meeting, right after the close
        for area_id, (level, note) in READINGS.get(back, {}).items():
            session.add(AgreedReading(round_id=rnd.id or 0, area_id=area_id, level=level,
                                      note=note, updated_at=agreed))  # fmt: skip
        _plan(session, rnd, MEASURES.get(back, []), owners, latest=back == 1)


def _round(
    session: Session,
    municipality: Municipality,
    version: Version,
    back: int,
    areas: dict[str, int],
    moved: dict[str, int],
    staff: list[User],
) -> Round:
    def level(person: int, area_id: str, statement_id: str, n: int) -> int:
        """Around the area's level, differing between people; "Vet ikke" where the team does
        not know, and a split team on having a steady adviser."""
        if statement_id in NOBODY_KNOWS and person < 3:
            return 0
        if statement_id == "tillit-fast-veileder":
            return 1 if person % 2 else 4
        base = moved.get(statement_id, areas.get(area_id, 2))
        return min(4, max(1, base + (0, 1, 0, -1)[(person + n) % 4]))

    # The latest round took both optional modules: few peers did "kartlegging", so its peer
    # median shows as hidden ("færre enn 5 kommuner") beside the others.
    modules = "kartlegging samordning" if back == 1 else ""
    return closed_round(
        session, municipality, version, closed_in(back), staff, level, COMMENTS, modules
    )


def _plan(
    session: Session,
    rnd: Round,
    measures: list[tuple[str, str, S, str, list[str]]],
    owners: dict[str, int | None],
    latest: bool,
) -> None:
    """The round's action plan, made two weeks after the close. The latest plan is still
    running, so its measures fall due after today; the earlier one's fell due before."""
    assert rnd.id is not None
    assert rnd.closed_at is not None
    made = rnd.closed_at + timedelta(days=14)
    due = (datetime.now(UTC) if latest else rnd.closed_at).date() + timedelta(days=120)
    for title, owner, status, note, statements in measures:
        changed = min(made + timedelta(days=60), datetime.now(UTC)) if status != S.PLANNED else made
        measure = Measure(round_id=rnd.id, title=title, owner_user_id=owners.get(owner),
                          owner_text="" if owner in owners else owner, due=due, status=status,
                          note=note, created_at=made, updated_at=changed)  # fmt: skip
        session.add(measure)
        session.flush()
        assert measure.id is not None
        for sid in statements:
            session.add(MeasureStatement(measure_id=measure.id, statement_id=sid))
