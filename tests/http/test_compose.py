"""docker-compose.yml runs what we test: the same migration command, then the app, on
PostgreSQL, in production configuration (Docker cannot run here, so we run its commands)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest
import yaml

from tests.conftest import drop_postgres_database, postgres_database
from tests.live import live_server

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_migrates_before_it_serves():
    command = COMPOSE["services"]["app"]["command"]
    assert command.index("alembic upgrade head") < command.index("uvicorn app.main:app")
    env = COMPOSE["services"]["app"]["environment"]
    assert env["GODEGREP_ENVIRONMENT"] == "production"
    assert env["GODEGREP_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:15")
    assert "GODEGREP_DEMO" not in env


@pytest.mark.postgres
def test_the_compose_commands_work_on_postgresql():
    url, admin = postgres_database()
    env = {
        **os.environ,
        "GODEGREP_DATABASE_URL": url,
        "GODEGREP_ENVIRONMENT": "production",
        "GODEGREP_SECRET_KEY": "x" * 40,
        "GODEGREP_DEMO": "0",
    }
    migrate = re.search(
        r"uv run --no-sync (alembic upgrade head)", COMPOSE["services"]["app"]["command"]
    )
    assert migrate
    try:
        done = subprocess.run(
            [sys.executable, "-m", *migrate.group(1).split()],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        with live_server(url, production=True) as base:
            page = httpx.get(f"{base}/logg-inn")
            assert page.status_code == 200
            assert "demo-badge" not in page.text
            assert "secure" in page.headers["set-cookie"].lower()
    finally:
        drop_postgres_database(url, admin)


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
