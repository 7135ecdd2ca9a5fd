"""Synthetic closed rounds, written straight as snapshot rows in bulk, for the benchmark and
the demo's made-up peer municipalities. Never for a real database: it refuses production.

    python -m app.synthetic --database URL [--municipalities 357] [--rounds 20] [--seed 1]

Each municipality gets `rounds` closed rounds, one every six months back from today (the
older ones on content version 1, the last four on the newest), each with 3–8 made-up
respondents whose answers are reduced to aggregates exactly as a real close does
(results.aggregate), so the rows are what a real snapshot holds. Municipalities numbered
6000 and up (outside the real kommunenummer) are created where missing.
"""

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, SizeClass
from app.content.loader import load_guidance
from app.content.schema import Guidance
from app.content.service import store_version
from app.db import make_engine
from app.results.aggregate import Aggregates, AreaAggregate, StatementAggregate
from app.results.models import RoundSnapshot, SnapshotArea, SnapshotAreaScore, SnapshotStatement
from app.results.snapshot import area_scores, plain_minimum
from app.rounds.models import Round, RoundStatus
from app.settings import get_settings

SIZES = (SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE)
HALF_YEAR = timedelta(days=182)


@dataclass(frozen=True)
class Version:
    id: int
    guidance: Guidance


def stored_version(session: Session, folder: str) -> Version:
    """A content version folder on disk as a stored snapshot (created once)."""
    guidance = load_guidance(get_settings().guidance_dir / folder)
    found = store_version(session, guidance)[0]
    assert found.id is not None
    return Version(found.id, guidance)


def made_up_answers(
    rng: random.Random, guidance: Guidance, respondents: int, skill: float
) -> list[dict[str, int]]:
    """Answers of made-up respondents: levels around `skill` (0–1), some "Vet ikke"."""
    out = []
    for _ in range(respondents):
        own = rng.gauss(0, 0.08)
        answers = {}
        for area in guidance.areas:
            tilt = (sum(map(ord, area.id)) % 7 - 3) / 20  # stable across runs
            for st in area.statements:
                if rng.random() < 0.06:
                    answers[st.id] = 0
                    continue
                value = skill + tilt + own + rng.gauss(0, 0.18)
                answers[st.id] = min(4, max(1, 1 + round(value * 3)))
        out.append(answers)
    return out


def _spread(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(max(0.0, sum(v * v for v in values) / len(values) - mean * mean))


def quick_aggregate(guidance: Guidance, answers: list[dict[str, int]]) -> Aggregates:
    """What results.aggregate computes, with plain float arithmetic instead of `statistics`
    (exact fractions), which is 20 times faster for millions of made-up answers."""
    statements, areas = [], []
    for area in guidance.areas:
        own: list[list[float]] = [[] for _ in answers]
        for st in area.statements:
            given = [a[st.id] for a in answers if st.id in a]
            levels = (given.count(1), given.count(2), given.count(3), given.count(4))
            scores = [(v - 1) * 100 / 3 for v in given if v]
            for i, a in enumerate(answers):
                if a.get(st.id):
                    own[i].append((a[st.id] - 1) * 100 / 3)
            statements.append(
                StatementAggregate(
                    st.id, area.id, len(given), levels, given.count(0), _spread(scores)
                )
            )
        means = [sum(x) / len(x) for x in own if x]
        areas.append(AreaAggregate(area.id, len(means), _spread(means)))
    return Aggregates(len(answers), tuple(statements), tuple(areas))


def round_rows(
    guidance: Guidance, round_id: int, rnd: dict[str, Any], answers: list[dict[str, int]]
) -> dict[type, list[dict[str, Any]]]:
    """The snapshot rows a close would write for these answers."""
    figures = quick_aggregate(guidance, answers)
    scores = area_scores(figures, plain_minimum(guidance))
    closed_at, municipality_id = rnd["closed_at"], rnd["municipality_id"]
    n = figures.respondents
    return {
        RoundSnapshot: [
            {"round_id": round_id, "respondents": n, "invited": n, "created_at": closed_at}
        ],
        SnapshotStatement: [
            {
                "round_id": round_id,
                "statement_id": st.statement_id,
                "area_id": st.area_id,
                "position": i,
                "answered": st.answered,
                "level_1": st.levels[0],
                "level_2": st.levels[1],
                "level_3": st.levels[2],
                "level_4": st.levels[3],
                "dont_know": st.dont_know,
                "score_sum": st.score_sum,
                "spread": st.spread,
            }
            for i, st in enumerate(figures.statements)
        ],
        SnapshotArea: [
            {
                "round_id": round_id,
                "area_id": a.area_id,
                "respondents": a.respondents,
                "spread": a.spread,
            }
            for a in figures.areas
        ],
        SnapshotAreaScore: [
            {
                "round_id": round_id,
                "area_id": area_id,
                "municipality_id": municipality_id,
                "closed_at": closed_at,
                "score": score,
                "scored": scored,
            }
            for area_id, (score, scored) in scores.items()
        ],
    }


def add_rounds(
    session: Session,
    rng: random.Random,
    municipality: Municipality,
    plan: list[tuple[datetime, Version, str]],
) -> int:
    """Closed rounds for one municipality (close time, content version, modules), in bulk."""
    skill = rng.uniform(0.25, 0.75)
    rounds = [
        {
            "municipality_id": municipality.id,
            "name": _season(closed_at),
            "status": RoundStatus.CLOSED.value,
            "content_version_id": version.id,
            "modules": modules,
            "participants": rng.randint(5, 80),
            "created_at": closed_at - timedelta(days=30),
            "closed_at": closed_at,
        }
        for closed_at, version, modules in plan
    ]
    ids: list[int] = list(
        session.scalars(
            insert(Round).returning(col(Round.id), sort_by_parameter_order=True), rounds
        )
    )
    rows: dict[type, list[dict[str, Any]]] = {}
    for round_id, rnd, (_, version, modules) in zip(ids, rounds, plan, strict=True):
        skill = min(0.95, skill + rng.uniform(-0.03, 0.06))  # most improve a little
        guidance = version.guidance.with_modules(modules.split())
        answers = made_up_answers(rng, guidance, rng.randint(3, 8), skill)
        for table, table_rows in round_rows(guidance, round_id, rnd, answers).items():
            rows.setdefault(table, []).extend(table_rows)
    for table, table_rows in rows.items():
        session.execute(insert(table), table_rows)
    return len(ids)


def _season(when: datetime) -> str:
    return f"{'Vår' if when.month <= 6 else 'Høst'} {when.year}"


def municipalities(session: Session, count: int, rng: random.Random) -> list[Municipality]:
    """`count` municipalities: the first ones found, then made-up ones numbered 6000 and up."""
    found = list(session.exec(select(Municipality).order_by(col(Municipality.number)).limit(count)))
    number = 6000
    while len(found) < count:
        if (
            session.exec(select(Municipality).where(Municipality.number == str(number))).first()
            is None
        ):
            m = Municipality(
                number=str(number), name=f"Syntetisk kommune {number}", size_class=rng.choice(SIZES)
            )
            session.add(m)
            found.append(m)
        number += 1
    session.flush()
    return found


def generate(session: Session, count: int, per: int, seed: int) -> int:
    """Generate `per` closed rounds for each of `count` municipalities; returns rounds made."""
    rng = random.Random(seed)
    old, new = stored_version(session, "v1"), stored_version(session, newest_folder())
    now = datetime.now(UTC)
    made = 0
    for m in municipalities(session, count, rng):
        plan = [
            (
                now - HALF_YEAR * (per - i) + timedelta(days=rng.randint(0, 20)),
                old if per - i > 4 else new,
                "",
            )
            for i in range(per)
        ]
        made += add_rounds(session, rng, m, plan)
    session.commit()
    # Fresh planner statistics: a database just bulk-loaded has none until autovacuum runs,
    # and PostgreSQL then plans the snapshot reads badly (seconds instead of milliseconds).
    session.execute(text("ANALYZE"))
    session.commit()
    return made


def newest_folder() -> str:
    """The newest content version folder (v1, v2, …)."""
    root = get_settings().guidance_dir
    return max(
        (p.name for p in root.iterdir() if p.name[:1] == "v" and p.name[1:].isdigit()),
        key=lambda n: int(n[1:]),
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a migrated database")
    parser.add_argument("--municipalities", type=int, default=357)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if get_settings().environment == "production":
        print("Refusing to write synthetic rounds in production.")
        return 1
    started = time.perf_counter()
    engine = make_engine(args.database)
    with Session(engine) as session:
        made = generate(session, args.municipalities, args.rounds, args.seed)
    print(
        f"{made} closed rounds for {args.municipalities} municipalities in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
