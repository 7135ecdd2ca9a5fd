"""Benchmark of the development page, the peer medians and the council report PDF over many
years of rounds from every municipality.

What is measured
    For each backend (SQLite in a temporary file; PostgreSQL in a fresh database on the local
    server, dropped afterwards) the script migrates with Alembic, writes synthetic closed
    rounds with `python -m app.synthetic`'s generator (default 357 municipalities x 20 rounds,
    one every six months, the last four on the newest content version), adds a manager to the
    first municipality, logs in, and then times, in this process (server time, no network):

    floor     reading one snapshot row (SELECT … FROM roundsnapshot WHERE round_id = ?): what
              one round trip to the database costs by itself
    peers     app.trend.peers.peer_medians: national and size-class medians per area
    page      GET /utvikling through the whole app (session, authorisation, 20 rounds of
              snapshots as the reader may see them, peer medians, ~40 SVG charts, template)
    pdf       GET /runder/{latest}/rapport.pdf as a reader asking again gets it: the report's
              data and HTML, and the PDF from app.trend.pdf's cache (same HTML, same PDF)
    pdf-cold  the same with the cache emptied first: team results, development, WeasyPrint

    Each is run once untimed, then --repeat times (the PDF --pdf-repeat times). Figures:
    p50 and p95 in milliseconds, and p50 as a multiple of the floor. --only pdf-cold (or any
    comma-separated subset of peers,page,pdf,pdf-cold) times just those, to iterate on one
    quickly; the floor is always timed.

Usage (what `make bench-compare` runs; writes test-results/bench-compare.json as well):
    .venv/bin/python tests/bench/compare.py [--municipalities 357] [--rounds 20]
        [--repeat 30] [--pdf-repeat 10] [--backends sqlite,postgres] [--only pdf]
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GODEGREP_SECRET_KEY", "bench-secret-key-0123456789abcdefghijkl")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.accounts.models import Municipality, Role  # noqa: E402
from app.accounts.service import create_user  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from app.main import app  # noqa: E402
from app.rounds.models import Round  # noqa: E402
from app.synthetic import generate  # noqa: E402
from app.trend.pdf import cache as pdf_cache  # noqa: E402
from app.trend.peers import peer_medians  # noqa: E402
from tests.conftest import fresh_database, migrate  # noqa: E402

PASSWORD = "benchmark passord som er langt nok"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "n": len(ordered)}


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="godegrep-bench-")
        url = f"sqlite:///{folder}/bench.db"
        migrate(url)
        yield url
        return
    with fresh_database("postgres") as url:
        migrate(url)
        yield url


def login(client: TestClient, email: str) -> None:
    page = client.get("/logg-inn")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/logg-inn", data=data).status_code == 303


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, object]:
    with database(backend) as url:
        engine = make_engine(url)
        with Session(engine) as session:
            started = time.perf_counter()
            made = generate(session, args.municipalities, args.rounds, seed=1)
            generated = time.perf_counter() - started
            first = session.exec(select(Municipality).order_by(col(Municipality.number))).first()
            assert first is not None
            create_user(session, "leder@bench.no", PASSWORD, Role.MANAGER, first)
            latest = session.exec(
                select(Round)
                .where(Round.municipality_id == first.id)
                .order_by(col(Round.closed_at).desc())
            ).first()
            assert latest is not None
            latest_id, first_id = latest.id, first.id
            session.commit()
        print(f"{backend}: {made} rounds generated in {generated:.1f} s", flush=True)
        with Session(engine) as session:
            first = session.get(Municipality, first_id)
            assert first is not None
            app.dependency_overrides[get_session] = lambda: session
            with TestClient(app, follow_redirects=False) as client:
                login(client, "leder@bench.no")
                pdf_url = f"/runder/{latest_id}/rapport.pdf"
                floor_sql = text(
                    "SELECT respondents, invited FROM roundsnapshot WHERE round_id = :r"
                )
                measures: dict[str, Callable[[], list[float]]] = {
                    "floor": lambda: timed(
                        lambda: session.execute(floor_sql, {"r": latest_id}).all(), args.repeat * 5
                    ),
                    "peers": lambda: timed(lambda: peer_medians(session, first), args.repeat),
                    "page": lambda: timed(lambda: _ok(client.get("/utvikling")), args.repeat),
                    "pdf": lambda: timed(lambda: _ok(client.get(pdf_url)), args.pdf_repeat),
                    "pdf-cold": lambda: timed(
                        lambda: (pdf_cache.clear(), _ok(client.get(pdf_url))), args.pdf_repeat
                    ),
                }
                results = {
                    name: measure()
                    for name, measure in measures.items()
                    if name == "floor" or name in args.only
                }
            app.dependency_overrides.clear()
        engine.dispose()
    figures = {name: summary(samples) for name, samples in results.items()}
    return {"rounds": made, "generate_seconds": round(generated, 1), **figures}


def _ok(response: object) -> None:
    assert getattr(response, "status_code", None) == 200, response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=357)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pdf-repeat", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--only", default="peers,page,pdf,pdf-cold", help="what to time besides the floor, e.g. pdf"
    )
    args = parser.parse_args()
    args.only = args.only.split(",")
    report = {b: run_backend(b, args) for b in args.backends.split(",")}
    print(
        f"\n{args.municipalities} municipalities x {args.rounds} closed rounds; server time in ms"
    )
    print(f"{'backend':10} {'what':8} {'p50':>8} {'p95':>8} {'p50/floor':>10}")
    for backend, figures in report.items():
        floor = figures["floor"]["p50"]  # type: ignore[index]
        for name in figures:
            if not isinstance(figures[name], dict):
                continue
            f = figures[name]  # type: ignore[index]
            print(f"{backend:10} {name:8} {f['p50']:8.2f} {f['p95']:8.2f} {f['p50'] / floor:10.0f}")
    for name in ("pdf", "pdf-cold"):
        if name in args.only:
            ok = all(f[name]["p95"] < 1500 for f in report.values())  # type: ignore[index]
            print(f"{name} under 1.5 s (p95):", "yes" if ok else "NO")
    print("Load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    out = ROOT / "test-results" / "bench-compare.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": report}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
