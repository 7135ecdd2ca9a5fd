"""How fast KS's national overview is with 357 municipalities × 20 shared rounds each.

    .venv/bin/python tests/bench/national.py [--runs 30] [--sqlite-only] [--keep]
    .venv/bin/python tests/bench/national.py --db sqlite:////tmp/x.db --db postgresql+psycopg://…

Builds the data on a fresh SQLite file and a fresh PostgreSQL database (as the tests do), then
times, in the same process: the floor (one query reading each municipality's latest shared
round and its area figures, nothing else), the service (`national.overview`), and the whole
page through the app (GET /ks/oversikt as a logged-in adviser, TestClient). Prints p50/p95
and the load average, since the machine is shared and the figures move with it.

Every other share includes its action plan (four measures, one of them overdue in every
fourth plan), so the overdue-measures signal is part of what is timed.

Building takes a minute or two per database. `--keep` leaves the databases in place and
prints their URLs; pass them back with `--db URL` (repeatable) to time again without
rebuilding (a database that already has the data is not built again). Drop a kept PostgreSQL
database yourself when done (`DROP DATABASE "godegrep_test_…"`).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("GODEGREP_ENVIRONMENT", "test")  # the app refuses the dev secret otherwise

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.accounts.models import Municipality, Role, SizeClass, User  # noqa: E402
from app.authz import Actor  # noqa: E402
from app.content.service import current_guidance, current_version  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from app.main import app  # noqa: E402
from app.plan.models import Measure  # noqa: E402
from app.review import national  # noqa: E402
from app.review.models import RoundShare, SharedArea  # noqa: E402
from app.rounds.models import Round  # noqa: E402
from tests.conftest import (  # noqa: E402
    drop_postgres_database,
    login,
    migrate,
    postgres_database,
    sqlite_url,
)
from tests.factories import make_user  # noqa: E402

MUNICIPALITIES, ROUNDS = 357, 20
COUNTIES = ["Agder", "Innlandet", "Nordland", "Trøndelag", "Vestland", "Viken", "Troms"]

FLOOR = text(
    """
    SELECT s.id, m.name, a.area_id, a.score FROM (
      SELECT id, row_number() OVER (PARTITION BY municipality_id
                                    ORDER BY round_closed_at DESC, id DESC) AS rank
      FROM roundshare WHERE active_round_id IS NOT NULL AND round_closed_at >= :since
    ) latest
    JOIN roundshare s ON s.id = latest.id AND latest.rank = 1
    JOIN municipality m ON m.id = s.municipality_id
    LEFT JOIN sharedarea a ON a.share_id = s.id
    """
)


def build(session: Session) -> User:
    """357 municipalities, each with 20 closed rounds over ten years, all shared; every other
    share with its action plan of four measures, every fourth plan with one overdue."""
    version = current_version(session)
    areas = current_guidance().areas
    adviser = make_user(session, "radgiver@ks.no", Role.KS_ADVISER)
    sharer = make_user(session, "leder@bench.no", Role.MANAGER)
    now = datetime.now(UTC)
    sizes = list(SizeClass)
    for n in range(MUNICIPALITIES):
        m = Municipality(number=f"{n:04d}", name=f"Kommune {n}", county=COUNTIES[n % 7],
                         size_class=sizes[n % 3])  # fmt: skip
        session.add(m)
        session.flush()
        for r in range(ROUNDS):
            closed = now - timedelta(days=180 * r + n % 90)
            rnd = Round(municipality_id=m.id, name=f"Runde {r}", status="closed",
                        content_version_id=version.id, closed_at=closed)  # fmt: skip
            session.add(rnd)
            session.flush()
            result = session.execute(
                insert(RoundShare).values(
                    round_id=rnd.id,
                    municipality_id=m.id,
                    active_round_id=rnd.id,
                    round_closed_at=closed,
                    include_comments=False,
                    include_plan=r % 2 == 0,
                    shared_at=closed,
                    shared_by_id=sharer.id,
                    respondents=6,
                )  # fmt: skip
            )
            share_id = result.inserted_primary_key[0]
            session.execute(
                insert(SharedArea),
                [
                    {
                        "share_id": share_id,
                        "area_id": a.id,
                        "core": a.core,
                        "score": (n * 7 + r * 13 + i * 17) % 100,
                        "spread": (n + i) % 40,
                        "dont_know_share": (n * 3 + i) % 45,
                    }  # fmt: skip
                    for i, a in enumerate(areas)
                ],
            )
            session.execute(insert(Measure), _measures(rnd.id or 0, n + r, now))
        session.commit()
    # As `app.synthetic` does: statistics as a database in use has them (autovacuum would).
    session.execute(text("ANALYZE"))
    session.commit()
    return adviser


def _measures(round_id: int, seed: int, now: datetime) -> list[dict[str, object]]:
    """Four measures: done, in progress and planned with a due date ahead, and one more that
    is overdue in every fourth plan (its due date passed, still planned)."""
    today = now.date()
    due = today - timedelta(days=10) if seed % 4 == 0 else today + timedelta(days=30)
    return [
        {"round_id": round_id, "title": f"Tiltak {i}", "owner_text": "Nav-kontoret",
         "due": d, "status": st, "note": "", "created_at": now, "updated_at": now}
        for i, (d, st) in enumerate(
            [(today - timedelta(days=40), "done"), (today + timedelta(days=60), "in_progress"),
             (today + timedelta(days=90), "planned"), (due, "planned")]
        )
    ]  # fmt: skip


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm up caches and the connection pool
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def measure(url: str, runs: int) -> None:
    migrate(url)  # a no-op on a database already at head
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        adviser = session.exec(select(User).where(User.email == "radgiver@ks.no")).first()
        adviser = adviser or build(session)
        built = time.perf_counter() - started
        actor = Actor(adviser.id or 0, "ks_adviser", None, adviser.email)
        since = datetime.now(UTC) - timedelta(days=730)
        floor = timed(lambda: session.execute(FLOOR, {"since": since}).all(), runs)
        service = timed(lambda: national.overview(session, actor), runs)
        app.dependency_overrides[get_session] = lambda: session
        with TestClient(app, follow_redirects=False) as client:
            login(client, adviser)
            page = timed(lambda: client.get("/ks/oversikt").raise_for_status(), runs)
        app.dependency_overrides.clear()
    engine.dispose()
    print(f"{engine.dialect.name}: {MUNICIPALITIES}×{ROUNDS} shares ready in {built:.0f} s; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    for label, (p50, p95) in (("floor", floor), ("service", service), ("page", page)):
        print(f"  {label:8} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the built databases")
    parser.add_argument("--db", action="append", default=[], help="time this database URL")
    args = parser.parse_args()
    for url in args.db:
        measure(url, args.runs)
    if args.db:
        return
    url = sqlite_url()
    measure(url, args.runs)
    if args.keep:
        print(f"  kept: {url}")
    if not args.sqlite_only:
        url, admin = postgres_database()
        try:
            measure(url, args.runs)
        finally:
            if args.keep:
                print(f"  kept: {url}")
            else:
                drop_postgres_database(url, admin)


if __name__ == "__main__":
    main()
