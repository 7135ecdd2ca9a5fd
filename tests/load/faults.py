"""Load and faults (a script, not a test): a staff meeting where everyone answers at once, while
things break.

    .venv/bin/python tests/load/faults.py [--staff 300] [--minutes 10] [--think-s 10]

What it does
    1. Makes its OWN PostgreSQL cluster (initdb into a temporary folder, port 5499, run as the
       `postgres` user), so restarting PostgreSQL touches nobody else; the shared server at 5432
       is never used. Migrates, loads the demo data, adds --staff staff users invited to the
       demo round.
    2. Starts two app processes (uvicorn, one worker each) on that database, with the rate
       limits in Redis when it answers at 127.0.0.1:6379 (own key prefix, removed afterwards).
    3. Every simulated person logs in at a random moment in the first --arrive-s seconds
       (a login waits up to 30 s, as a person would, and is tried again 5–15 s later) and clicks a
       level every few seconds (uniform 0.2–1.8 × --think-s), statement after statement. Each
       request goes to the processes in turn, like a load balancer; when a process cannot be
       connected to at all (nothing sent), the request goes to the other one, as nginx's
       `proxy_next_upstream error` does. Everything else a person gets back counts as what they
       saw: a 200 "Lagret" is an acknowledged save; anything else is an error they saw.
    4. Faults: at 40 % of the run one app process gets SIGKILL and is started again 5 s later
       (what a container platform does); at 70 % PostgreSQL is restarted (`pg_ctl restart`).
    5. Afterwards: every acknowledged save must be in the database (its level, or the level of
       a later click on the same statement whose answer was lost: the server may have saved
       it before a connection broke). Prints acknowledged saves, found, missing, errors seen
       by kind and when (seconds after the start, and how long each burst lasted).

The servers and the cluster are stopped and removed at the end, also on Ctrl-C; the app
processes' JSON logs stay in the folder it prints, for a look at what happened.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.accounts.models import Role, User  # noqa: E402
from app.accounts.service import hash_password  # noqa: E402
from app.content.service import guidance_for  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.rounds.models import Response, Round, RoundRespondent  # noqa: E402
from tests.conftest import migrate  # noqa: E402
from tests.live import SECRET, free_port  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PORT = 5499
PASSWORD = "moete i dag, alle svarer samtidig"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REDIS_URL = "redis://127.0.0.1:6379/0"


# --- our own PostgreSQL -----------------------------------------------------------------------


class Cluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="godegrep-faults-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    def as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        self.as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.pg_ctl("start")
        self.as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(PORT), "faults")

    def pg_ctl(self, action: str) -> None:
        options = f"-p {PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self.as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-m",
            "fast",
            action,
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/faults"


# --- data -------------------------------------------------------------------------------------


@dataclass
class Seed:
    round_id: int
    statements: list[tuple[str, str]]  # (area, statement)
    emails: list[str]


def seed(url: str, staff: int) -> Seed:
    migrate(url)
    engine = make_engine(url)
    digest = hash_password(PASSWORD)
    with Session(engine, expire_on_commit=False) as session:
        municipality = load_demo(session)
        # The demo's open round (it also has earlier, closed rounds).
        query = select(Round).where(
            Round.municipality_id == municipality.id, Round.status == "open"
        )
        rnd = session.exec(query).one()
        users = [
            User(
                email=f"moete{i}@demo.kommune.no",
                password_hash=digest,
                role=Role.STAFF,
                municipality_id=municipality.id,
            )
            for i in range(1, staff + 1)
        ]
        session.add_all(users)
        session.flush()
        for user in users:
            session.add(RoundRespondent(round_id=rnd.id, user_id=user.id))  # type: ignore[arg-type]
            session.add(Response(round_id=rnd.id, user_id=user.id))  # type: ignore[arg-type]
        session.commit()
        guidance = guidance_for(session, rnd.content_version_id)
        pairs = [(a.id, s.id) for a in guidance.areas for s in a.statements]
        assert rnd.id is not None
        found = Seed(rnd.id, pairs, [u.email for u in users])
    engine.dispose()
    return found


# --- the app processes ------------------------------------------------------------------------


@dataclass
class App:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-server-header",
            "--no-access-log",
            "--log-config",
            "app/logging.json",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stderr=out, start_new_session=True
            )

    def wait_ready(self, seconds: float = 60) -> float:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            try:
                if (
                    httpx.get(f"http://127.0.0.1:{self.port}/helse/live", timeout=1).status_code
                    == 200
                ):
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"app on {self.port} did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# --- the people -------------------------------------------------------------------------------


@dataclass
class Record:
    start: float
    acked: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    attempts: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    errors: list[tuple[float, str]] = field(default_factory=list)
    rerouted: int = 0
    clicks: int = 0
    sequence: int = 0

    def next_seq(self) -> int:
        self.sequence += 1
        return self.sequence


class Balancer:
    """Round robin over the processes; a request that could not even be connected goes to the
    next process (nothing was sent, so it is safe)."""

    def __init__(self, ports: list[int], record: Record) -> None:
        self.bases = [f"http://127.0.0.1:{p}" for p in ports]
        self.turn = 0
        self.record = record

    async def request(
        self, client: httpx.AsyncClient, method: str, path: str, **kw: object
    ) -> httpx.Response:
        self.turn = (self.turn + 1) % len(self.bases)
        first = self.turn  # this request's own order: other requests move `turn` meanwhile
        for attempt in range(len(self.bases)):
            base = self.bases[(first + attempt) % len(self.bases)]
            try:
                return await client.request(method, base + path, **kw)  # type: ignore[arg-type]
            except httpx.ConnectError:
                if attempt + 1 == len(self.bases):
                    raise
                self.record.rerouted += 1
        raise AssertionError("unreachable")


async def person(
    email: str, data: Seed, lb: Balancer, record: Record, end: float, think: float, arrive: float
) -> None:
    await asyncio.sleep(random.uniform(0, arrive))
    # A browser waits long for a page; a person waits some 30 s for a login before giving up.
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        token = await log_in(client, email, lb, record, end)
        if token is None:
            return
        order = data.statements[:]
        random.shuffle(order)
        n = 0
        while time.monotonic() < end:
            area, statement = order[n % len(order)]
            n += 1
            level = random.randint(0, 4)
            key = (email, statement)
            seq = record.next_seq()
            record.attempts.setdefault(key, []).append((seq, level))
            record.clicks += 1
            form = {"csrf_token": token, f"a.{statement}": str(level)}
            try:
                response = await lb.request(
                    client,
                    "POST",
                    f"/runder/{data.round_id}/omrade/{area}",
                    data=form,
                    headers={"HX-Request": "true"},
                )
                if response.status_code == 200 and "Lagret" in response.text:
                    record.acked.setdefault(key, []).append((seq, level))
                else:
                    record.errors.append(
                        (time.monotonic() - record.start, str(response.status_code))
                    )
            except httpx.HTTPError as exc:
                record.errors.append((time.monotonic() - record.start, type(exc).__name__))
            await asyncio.sleep(random.uniform(0.2 * think, 1.8 * think))


async def log_in(
    client: httpx.AsyncClient, email: str, lb: Balancer, record: Record, end: float
) -> str | None:
    """Log in (trying again after a pause, as a person would, if it fails)."""
    while time.monotonic() < end:
        try:
            # A login whose answer was lost (a timeout) may have gone through: look first.
            page = await lb.request(client, "GET", "/konto")
            match = CSRF.search(page.text) if page.status_code == 200 else None
            if match:
                return match.group(1)
            page = await lb.request(client, "GET", "/logg-inn")
            form = {
                "email": email,
                "password": PASSWORD,
                "csrf_token": CSRF.search(page.text).group(1),
            }  # type: ignore[union-attr]
            done = await lb.request(client, "POST", "/logg-inn", data=form)
            if done.status_code == 303:
                page = await lb.request(client, "GET", "/konto")
                match = CSRF.search(page.text)
                if match:
                    return match.group(1)
            record.errors.append((time.monotonic() - record.start, f"login {done.status_code}"))
        except (httpx.HTTPError, AttributeError) as exc:
            record.errors.append((time.monotonic() - record.start, f"login {type(exc).__name__}"))
        await asyncio.sleep(random.uniform(5, 15))  # people wait a bit before trying again
    return None


# --- faults and the run -----------------------------------------------------------------------


async def faults(
    apps: list[App], cluster: Cluster, record: Record, seconds: float, events: list[str]
) -> None:
    def note(text: str) -> None:
        stamp = time.monotonic() - record.start
        events.append(f"{stamp:7.1f} s  {text}")
        print(events[-1], flush=True)

    await asyncio.sleep(0.4 * seconds)
    apps[0].kill()
    note(f"SIGKILL app process on port {apps[0].port}")
    await asyncio.sleep(5)
    apps[0].start()
    took = await asyncio.to_thread(apps[0].wait_ready)
    note(f"app process on port {apps[0].port} started again (ready after {took:.1f} s)")
    await asyncio.sleep(max(0.0, 0.7 * seconds - (time.monotonic() - record.start)))
    note("PostgreSQL restart begins")
    await asyncio.to_thread(cluster.pg_ctl, "restart")
    note("PostgreSQL restarted")


async def meeting(
    data: Seed, apps: list[App], cluster: Cluster, args: argparse.Namespace, events: list[str]
) -> Record:
    record = Record(start=time.monotonic())
    seconds = args.minutes * 60
    end = record.start + seconds
    lb = Balancer([a.port for a in apps], record)
    people = [person(e, data, lb, record, end, args.think_s, args.arrive_s) for e in data.emails]
    await asyncio.gather(faults(apps, cluster, record, seconds, events), *people)
    return record


def verify(url: str, record: Record) -> tuple[int, int, list[tuple[str, str]]]:
    engine = create_engine(url)
    query = text(
        "SELECT u.email, a.statement_id, a.level FROM answer a JOIN response r "
        'ON r.id = a.response_id JOIN "user" u ON u.id = r.user_id'
    )
    with engine.connect() as conn:
        stored = {(e, s): lvl for e, s, lvl in conn.execute(query)}
    engine.dispose()
    missing = []
    for key, acks in record.acked.items():
        last_seq, last_level = acks[-1]
        later = {lvl for seq, lvl in record.attempts[key] if seq > last_seq}
        if stored.get(key) not in {last_level} | later:
            missing.append(key)
    return sum(len(a) for a in record.acked.values()), len(record.acked), missing


def bursts(errors: list[tuple[float, str]], gap: float = 3.0) -> list[tuple[float, float, int]]:
    """Errors grouped into bursts (no error for `gap` seconds ends one): start, length, count."""
    found: list[list[float]] = []
    for moment, _ in sorted(errors):
        if found and moment - found[-1][1] <= gap:
            found[-1][1] = moment
            found[-1][2] += 1
        else:
            found.append([moment, moment, 1])
    return [(a, b - a, int(n)) for a, b, n in found]


def report(
    record: Record,
    acked: int,
    keys: int,
    missing: list[tuple[str, str]],
    events: list[str],
    args: argparse.Namespace,
) -> None:
    print(f"\n== {args.staff} staff, {args.minutes:g} min, a click every ~{args.think_s:g} s each")
    print("faults:")
    for line in events:
        print("   " + line)
    print(
        f"clicks: {record.clicks}; acknowledged saves: {acked} ({keys} distinct person × statement)"
    )
    print(
        f"acknowledged saves found afterwards: {keys - len(missing)} of {keys} "
        f"(missing: {len(missing)})"
    )
    print(f"requests sent to the other process after a refused connection: {record.rerouted}")
    kinds = Counter(kind for _, kind in record.errors)
    print(f"errors people saw: {len(record.errors)} {dict(kinds)}")
    for start, length, count in bursts(record.errors):
        print(f"   from {start:7.1f} s for {length:5.1f} s: {count} errors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--think-s", type=float, default=10, help="mean pause between clicks")
    parser.add_argument("--arrive-s", type=float, default=60, help="logins spread over (60)")
    args = parser.parse_args()
    cluster = Cluster()
    apps: list[App] = []
    prefix = f"godegrep-faults-{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="godegrep-faults-"))
    try:
        cluster.start()
        print(f"own PostgreSQL at 127.0.0.1:{PORT} in {cluster.dir}", flush=True)
        data = seed(cluster.url, args.staff)
        env = {
            **os.environ,
            "GODEGREP_DATABASE_URL": cluster.url,
            "GODEGREP_ENVIRONMENT": "test",
            "GODEGREP_SECRET_KEY": SECRET,
            "GODEGREP_LOGIN_LIMIT_ADDRESS": "100000/minute",
            "GODEGREP_RATE_LIMIT_STORAGE": REDIS_URL,
            "GODEGREP_REDIS_KEY_PREFIX": prefix,
        }
        apps = [App(free_port(), env, workdir / f"app{n}.log") for n in (1, 2)]
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready()
        print(f"two app processes on ports {[a.port for a in apps]}; logs in {workdir}", flush=True)
        events: list[str] = []
        record = asyncio.run(meeting(data, apps, cluster, args, events))
        acked, keys, missing = verify(cluster.url, record)
        report(record, acked, keys, missing, events, args)
        return 1 if missing else 0
    finally:
        for app in apps:
            app.stop()
        cluster.stop()
        try:
            import redis

            store = redis.Redis.from_url(REDIS_URL)
            for key in store.scan_iter(f"{prefix}*"):
                store.delete(key)
        except Exception:  # noqa: BLE001  (Redis is optional here)
            pass


if __name__ == "__main__":
    sys.exit(main())
