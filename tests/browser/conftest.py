"""Browser tests: Debian's Chromium driven by Playwright against the real app (never
`playwright install`)."""

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app.db import make_engine
from app.demo import OPEN_ROUND
from tests.conftest import sqlite_url
from tests.live import live_server, prepare

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture
def context(context):  # type: ignore[no-untyped-def]
    """pytest-playwright's context, whose route handlers are stopped, not waited for, when the
    test ends. Since Playwright 1.41 closing a context waits for handlers still running; a
    test that fails every autosave (page.route) leaves the page retrying every few seconds,
    and one full run hung for minutes at that teardown while the machine was busy."""
    yield context
    for page in context.pages:
        page.unroute_all(behavior="ignoreErrors")
    context.unroute_all(behavior="ignoreErrors")


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[str, str]]:
    url = sqlite_url()
    prepare(url)
    with live_server(url) as base:
        yield base, url


@pytest.fixture
def app_url(server) -> str:
    """A clean, open demo round for every test: earlier answers are wiped, and a round a test
    closed is open again without its snapshot (only the demo's open round, OPEN_ROUND)."""
    base, url = server
    engine = make_engine(url)
    demo_round = f"SELECT id FROM round WHERE name = '{OPEN_ROUND}'"
    with engine.begin() as conn:
        responses = f"SELECT id FROM response WHERE round_id IN ({demo_round})"
        for table in ("answer", "areacomment"):
            conn.execute(text(f"DELETE FROM {table} WHERE response_id IN ({responses})"))
        conn.execute(text(f"DELETE FROM response WHERE round_id IN ({demo_round})"))
        for table in (
            "snapshotcomment",
            "snapshotstatement",
            "snapshotarea",
            "snapshotareascore",
            "roundsnapshot",
        ):
            conn.execute(text(f"DELETE FROM {table} WHERE round_id IN ({demo_round})"))
        conn.execute(
            text(f"UPDATE round SET status = 'open', closed_at = NULL WHERE id IN ({demo_round})")
        )
    engine.dispose()
    return base


def log_in(page, app_url: str, email: str) -> None:
    page.goto(f"{app_url}/logg-inn")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill("demo")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r".*/runder$"))
