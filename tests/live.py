"""Run the real app with uvicorn on a free loopback port, against a given database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
from sqlmodel import Session

from app.db import make_engine
from app.demo import load_demo
from tests.conftest import fresh_database, migrate

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-for-live-servers-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str) -> None:
    """Migrate and load the demo municipality, its users and open round."""
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session)
    engine.dispose()


def demo_round(url: str) -> tuple[int, str, list[str]]:
    """The demo municipality's open round: its id, its first area and that area's statements."""
    from sqlmodel import select

    from app.accounts.models import Municipality
    from app.content.service import guidance_for
    from app.rounds.models import Round

    engine = make_engine(url)
    with Session(engine) as session:
        demo = session.exec(select(Municipality).where(Municipality.number == "9901")).one()
        query = select(Round).where(Round.municipality_id == demo.id, Round.status == "open")
        rnd = session.exec(query).one()  # not the first of all its rounds: rows have no order
        assert rnd is not None
        assert rnd.id is not None
        area = guidance_for(session, rnd.content_version_id).areas[0]
        found = rnd.id, area.id, [s.id for s in area.statements]
    engine.dispose()
    return found


@contextmanager
def served(backend: str) -> Iterator[tuple[str, str]]:
    """A new database on `backend` with the demo data, behind one live server: (base, url)."""
    with fresh_database(backend) as url:
        prepare(url)
        with live_server(url) as base:
            yield base, url


@contextmanager
def live_server(
    url: str,
    production: bool = False,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[str]:
    """One uvicorn process; with `log`, its JSON log lines (app/logging.json) go to that file."""
    port = free_port()
    env = {
        **os.environ,
        "GODEGREP_DATABASE_URL": url,
        "GODEGREP_DEMO": "0" if production else "1",
        "GODEGREP_ENVIRONMENT": "production" if production else "test",
        "GODEGREP_SECRET_KEY": SECRET,
        "GODEGREP_SMTP_PORT": str(free_port()),  # the demo's own mail server, on a free port
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-server-header", "--no-proxy-headers"]
    command += ["--log-config", "app/logging.json"] if log else ["--log-level", "warning"]
    output = open(log, "ab") if log else None  # noqa: SIM115  (closed below)
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/helse", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the app did not start within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if output:
            output.close()
