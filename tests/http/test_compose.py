"""docker-compose.yml runs what we test: the same migration command, then the app, on
PostgreSQL, in production configuration (Docker cannot run here, so we run its commands)."""

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis
import yaml
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_URL
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


SERVICES = COMPOSE["services"]
VENV_BIN = str(ROOT / ".venv" / "bin")
REDIS_URL = "redis://127.0.0.1:6379/0"


def test_compose_runs_each_part_as_its_own_service_and_publishes_only_the_app():
    assert set(SERVICES) == {"db", "redis", "migrate", "app", "jobs"}
    assert [name for name, s in SERVICES.items() if "ports" in s] == ["app"]
    # … and on the host's loopback unless told otherwise: the proxy in front does TLS.
    [published] = SERVICES["app"]["ports"]
    default = re.fullmatch(r"\$\{APP_ADDRESS:-([0-9.]+)\}:8000:8000", published)
    assert default, published
    assert default.group(1) == "127.0.0.1"
    assert SERVICES["db"]["image"].startswith("postgres:15")
    for name, service in SERVICES.items():
        if name != "migrate":  # a one-shot: its exit status is its health
            assert service["healthcheck"]["test"], name
            assert service["restart"] == "unless-stopped", name
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("app", "jobs"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    env = SERVICES["app"]["environment"]
    assert env["GODEGREP_ENVIRONMENT"] == "production"
    assert env["GODEGREP_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["GODEGREP_RATE_LIMIT_STORAGE"].startswith("redis://")
    assert "GODEGREP_DEMO" not in env


def test_the_image_has_what_backups_and_pdf_reports_need_besides_python():
    """pg_dump of the compose file's PostgreSQL major version (app.backup) and WeasyPrint's
    libraries (make system-deps), on the Debian release these machines run and test with."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.M)
    installed = set(" ".join(re.findall(r"apt-get install[^&]*", dockerfile)).split())
    major = SERVICES["db"]["image"].split(":")[1].split(".")[0]
    assert f"postgresql-client-{major}" in installed
    makefile = (ROOT / "Makefile").read_text()
    pdf_deps = re.search(r"^PDF_DEPS := (.*)$", makefile, re.M).group(1).split()  # type: ignore[union-attr]
    assert set(pdf_deps) <= installed


def test_backups_stay_out_of_the_image_and_out_of_git():
    """A backup holds e-mail addresses, password hashes and answers: `COPY . .` must not bake
    one into an image layer, nor `git add .` commit one (make backup writes to backups/)."""
    docker = set((ROOT / ".dockerignore").read_text().split())
    assert {"**/backups", "**/*.backup", "**/*.db"} <= docker  # in any folder, not only the top
    git = set((ROOT / ".gitignore").read_text().split())  # git matches these in any folder
    assert {"backups/", "*.backup", "*.db"} <= git


def test_the_env_file_can_also_be_read_by_the_shell():
    """Without Docker the README exports .env with `set -a; . ./.env; set +a`: every line
    must mean the same to the shell as to docker compose (a value with spaces is quoted)."""
    names = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    script = "set -a; . ./.env.example; set +a; " + "; ".join(
        f'printf "%s\\0" "${name}"' for name in names
    )
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shell = dict(zip(names, done.stdout.split("\0"), strict=False))
    compose = {  # docker compose strips the quotes around a value, and nothing else
        name: value.strip('"')
        for name, value in re.findall(
            r"^([A-Z_]+)=(.*)$", (ROOT / ".env.example").read_text(), re.M
        )
    }
    assert shell == compose
    assert shell["GODEGREP_MAIL_FROM"] == "Gode grep <ikke-svar@example.kommune.no>"


def test_secrets_come_from_an_env_file_that_is_not_committed():
    text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD"} <= used
    for name in used | {"GODEGREP_SECRET_KEY", "WEB_CONCURRENCY"}:
        assert re.search(rf"^{name}=", example, re.M), f"{name} missing from .env.example"
    assert all(s.get("env_file") == ".env" for n, s in SERVICES.items() if n in {"app", "jobs"})
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert not re.search(r"PASSWORD: [^$]", text), "a literal password in docker-compose.yml"


def compose_env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "GODEGREP_DATABASE_URL": url,
        "GODEGREP_ENVIRONMENT": "production",
        "GODEGREP_SECRET_KEY": "x" * 40,
        "GODEGREP_DEMO": "0",
        **extra,
    }


def unescape(words: list[str]) -> list[str]:
    """What compose hands the container: `$$` becomes `$`."""
    return [w.replace("$$", "$") for w in words]


@pytest.fixture
def app_user_database() -> Iterator[str]:
    """The database user and database as the db service makes them on its first start (the
    compose file's own script), under a name of this test's own on the shared server; the URL
    the app uses. Both are dropped afterwards."""
    server = make_url(POSTGRES_URL)
    name = f"godegrep_compose_{uuid.uuid4().hex[:10]}"
    script = re.sub(r"\bgodegrep\b", name, COMPOSE["configs"]["db-app-user"]["content"])
    env = {
        **os.environ,
        "PGHOST": server.host or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
        "POSTGRES_USER": server.username or "postgres",
        "APP_DB_PASSWORD": "app-secret",
    }
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        made = subprocess.run(["bash", "-c", script.replace("$$", "$")], env=env, timeout=60)
        assert made.returncode == 0
        yield server.set(username=name, password="app-secret", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_the_app_database_user_is_made_once_and_is_no_superuser():
    db = SERVICES["db"]
    assert db["environment"]["POSTGRES_USER"] == "postgres"  # the image's superuser ...
    assert "godegrep:${POSTGRES_PASSWORD" in SERVICES["app"]["environment"]["GODEGREP_DATABASE_URL"]
    [init] = db["configs"]  # ... and the app's own user, made on the volume's first start
    assert init["target"].startswith("/docker-entrypoint-initdb.d/")
    assert init["source"] in COMPOSE["configs"]
    # Ready only once the real server listens on TCP, as the other services reach it: the
    # image's first start runs these scripts on a server that listens on its socket only.
    assert "-h 127.0.0.1" in db["healthcheck"]["test"][1]


@pytest.mark.postgres
def test_the_compose_commands_work_on_postgresql_and_redis(tmp_path, app_user_database):
    url = app_user_database
    prefix = f"godegrep-test-{uuid.uuid4().hex[:10]}"
    port = free_port()
    env = compose_env(
        url,
        GODEGREP_RATE_LIMIT_STORAGE=REDIS_URL,
        GODEGREP_REDIS_KEY_PREFIX=prefix,
        WEB_CONCURRENCY="2",
        JOBS_EVERY_SECONDS="1",
    )
    heartbeat = tmp_path / "jobs-ok"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        migrate = subprocess.run(
            unescape(SERVICES["migrate"]["command"]),
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert migrate.returncode == 0, migrate.stderr
        assert "Shared rounds: figures computed again for 0." in migrate.stdout  # ran, no shares
        user = make_url(url).username
        with create_engine(url).connect() as conn:  # the app's user owns what it made ...
            owner = "SELECT tableowner FROM pg_tables WHERE tablename = 'auditevent'"
            assert conn.execute(text(owner)).scalar() == user
            rights = "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = :u"
            assert tuple(conn.execute(text(rights), {"u": user}).one()) == (False, False, False)
        app_command = [w.replace("0.0.0.0", "127.0.0.1") for w in SERVICES["app"]["command"]]
        app_command[app_command.index("--port") + 1] = str(port)
        log = open(tmp_path / "app.log", "wb")  # noqa: SIM115
        processes.append(subprocess.Popen(app_command, env=env, cwd=ROOT, stderr=log))
        jobs = [w.replace("/tmp/jobs-ok", str(heartbeat)) for w in SERVICES["jobs"]["command"]]
        processes.append(subprocess.Popen(unescape(jobs), env=env, cwd=ROOT))
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{base}/helse/klar", timeout=1).status_code == 200)
        page = httpx.get(f"{base}/logg-inn")
        assert page.status_code == 200
        assert "demo-badge" not in page.text
        assert "secure" in page.headers["set-cookie"].lower()
        probe = [w.replace(":8000", f":{port}") for w in SERVICES["app"]["healthcheck"]["test"][1:]]
        assert subprocess.run(probe, env=env, cwd=ROOT, timeout=30).returncode == 0
        wait_for(heartbeat.exists)
        check = SERVICES["jobs"]["healthcheck"]["test"][1].replace("/tmp/jobs-ok", str(heartbeat))
        assert subprocess.run(["sh", "-c", check.replace("$$", "$")], timeout=30).returncode == 0
        assert '"request_id"' in (tmp_path / "app.log").read_text()  # JSON lines
        # WEB_CONCURRENCY=2: uvicorn's supervisor runs two workers.
        pid = processes[0].pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        commands = [Path(f"/proc/{c}/cmdline").read_bytes() for c in children]
        assert sum(b"spawn_main" in command for command in commands) == 2
        # No proxy is trusted (GODEGREP_TRUSTED_PROXIES is empty): a forged X-Forwarded-For
        # from a local process changes neither the address counted nor the one logged.
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cookie = page.headers["set-cookie"].split(";")[0]  # Secure: sent by hand over http
        form = {"email": "ingen@kommune.no", "password": "feil", "csrf_token": token}
        forged = {"Cookie": cookie, "X-Forwarded-For": "10.9.9.9"}
        refused = httpx.post(f"{base}/logg-inn", data=form, headers=forged)
        assert refused.status_code == 422
        keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}*")]
        assert any("127.0.0.1" in key for key in keys), keys
        assert not any("10.9.9.9" in key for key in keys), keys
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)


def wait_for(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("not ready in time")


def test_production_refuses_the_development_secret_and_demo_data():
    env = {**os.environ, "GODEGREP_ENVIRONMENT": "production"}
    env.pop("GODEGREP_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import app.main"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "GODEGREP_SECRET_KEY" in done.stderr
    env |= {"GODEGREP_SECRET_KEY": "x" * 40, "GODEGREP_DEMO": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "app.demo"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "GODEGREP_DEMO" in done.stderr
