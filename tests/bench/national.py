"""How fast KS's national overview is with 357 municipalities × 20 shared rounds each.

    .venv/bin/python tests/bench/national.py [--runs 30] [--sqlite-only]

Builds the data on a fresh SQLite file and a fresh PostgreSQL database (as the tests do), then
times, in the same process: the floor (one query reading each municipality's latest shared
round and its area figures, nothing else), the service (`national.overview`), and the whole
page through the app (GET /ks/oversikt as a logged-in adviser, TestClient). Prints p50/p95.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.accounts.models import Municipality, Role, SizeClass, User  # noqa: E402
from app.authz import Actor  # noqa: E402
from app.content.service import current_guidance, current_version  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from app.main import app  # noqa: E402
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
    """357 municipalities, each with 20 closed rounds over ten years, all shared."""
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
                    include_plan=False,
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
        session.commit()
    return adviser


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
    migrate(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        adviser = build(session)
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
    print(f"{engine.dialect.name}: built {MUNICIPALITIES}×{ROUNDS} shares in {built:.0f} s")
    for label, (p50, p95) in (("floor", floor), ("service", service), ("page", page)):
        print(f"  {label:8} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    measure(sqlite_url(), args.runs)
    if not args.sqlite_only:
        url, admin = postgres_database()
        try:
            measure(url, args.runs)
        finally:
            drop_postgres_database(url, admin)


if __name__ == "__main__":
    main()
