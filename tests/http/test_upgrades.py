"""Upgrades with data in the database: starting from the first revision, each step fills every
table (made by that revision) with rows, then upgrades to the next revision; nothing may fail
and no row may be lost, on SQLite and PostgreSQL. A database made by any earlier release thus
upgrades to this code's schema."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
)

from app.db import make_engine
from tests.conftest import ROOT, fresh_database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# Columns whose values the migrations read: give them values the app would write.
KNOWN = {"role": "staff", "status": "open", "size_class": "small", "standard": "nb"}
SKIP = object()


def revisions() -> tuple[Config, list[str]]:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    script = ScriptDirectory.from_config(config)
    return config, [r.revision for r in reversed(list(script.walk_revisions()))]


def value_for(conn: Connection, table: Table, column: Column[Any], n: int) -> Any:
    single_key = column.primary_key and len(table.primary_key.columns) == 1
    if single_key and isinstance(column.type, Integer) and not column.foreign_keys:
        return SKIP  # the database numbers it
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        found = conn.execute(select(func.max(target))).scalar()
        if found is None and not column.nullable:
            raise AssertionError(f"{table.name}.{column.name}: no row in {target.table.name}")
        return found
    kind = column.type
    if column.name in KNOWN:
        return KNOWN[column.name]
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer) and column.name in unique_columns(table):
        return 1000 + n  # a new value for every row
    if isinstance(kind, Integer):
        return 1 + n % 4  # small: levels and counts are checked against ranges
    if isinstance(kind, Float | Numeric):
        return 1.0
    if isinstance(kind, DateTime):
        return datetime.now(UTC)
    if isinstance(kind, Date):
        return datetime.now(UTC).date()
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String):
        text = f"{column.name}-{n}"
        if "mail" in column.name:
            text = f"person{n}@upgrade.example"
        length = getattr(kind, "length", None)
        return text[-length:] if length else text
    if column.nullable:
        return None
    raise AssertionError(f"no value for {table.name}.{column.name} ({kind!r})")


def unique_columns(table: Table) -> set[str]:
    """Columns that must differ from row to row on their own (a one-column unique key)."""
    keys = [c.columns for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [i.columns for i in table.indexes if i.unique]
    return {next(iter(k)).name for k in keys if len(k) == 1}


def fill(conn: Connection, n: int) -> dict[str, int]:
    """One more row in every table, parents first; returns every table's row count."""
    meta = MetaData()
    meta.reflect(conn)
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        values = {}
        for column in table.columns:
            value = value_for(conn, table, column, n)
            if value is not SKIP:
                values[column.name] = value
        conn.execute(table.insert().values(**values))
    return counts(conn)


def counts(conn: Connection) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(conn)
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in meta.sorted_tables
    }


@pytest.fixture(params=BACKENDS)
def empty(request) -> Iterator[Engine]:
    """A new, empty database on each backend."""
    with fresh_database(request.param) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@contextmanager
def migrating(engine: Engine, config: Config) -> Iterator[Connection]:
    """One transaction for Alembic's commands and the test's own statements beside them
    (migrations/env.py runs on the connection it is given)."""
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        yield conn


def test_every_revision_upgrades_from_its_predecessor_with_data(empty):
    config, chain = revisions()
    for n, (revision, following) in enumerate(itertools.pairwise([*chain, None])):
        with migrating(empty, config) as conn:
            command.upgrade(config, revision)
            before = fill(conn, n)
        if following is None:
            break
        with migrating(empty, config) as conn:
            command.upgrade(config, following)
            after = counts(conn)
        lost = {t: (c, after.get(t)) for t, c in before.items() if after.get(t, 0) < c}
        assert not lost, f"{revision} -> {following} lost rows: {lost}"
    with empty.connect() as conn:
        head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert head == chain[-1]
    assert len(chain) >= 4


def test_the_alembic_command_upgrades_a_sqlite_database_with_data(tmp_path):
    """The command operators run (and `make run`, and compose's migrate): it must commit."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'old.db'}"
    _, chain = revisions()
    env = {**os.environ, "GODEGREP_DATABASE_URL": url}

    def alembic(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    alembic("upgrade", chain[0])
    engine = make_engine(url)
    with engine.begin() as conn:
        before = fill(conn, 0)
    alembic("upgrade", "head")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == chain[-1]
        after = counts(conn)
    engine.dispose()
    assert all(after[t] >= n for t, n in before.items())


def test_snapshots_of_closed_rounds_count_the_people_who_never_accepted(empty):
    """Revision 5c2e8d71a4f6 corrects the invited count of snapshots taken before it."""
    config, chain = revisions()
    before, fixed = chain[chain.index("5c2e8d71a4f6") - 1], "5c2e8d71a4f6"
    invited = "SELECT invited FROM roundsnapshot"
    with migrating(empty, config) as conn:
        command.upgrade(config, before)
        fill(conn, 0)  # a round, its snapshot (invited 1) and one pending invitee
        conn.exec_driver_sql(
            "INSERT INTO roundinvitee (round_id, email, added_at)"
            " SELECT round_id, 'ny2@upgrade.example', added_at FROM roundinvitee"
        )
        assert conn.exec_driver_sql(invited).scalar() == 1
    with migrating(empty, config) as conn:
        command.upgrade(config, fixed)
        assert conn.exec_driver_sql(invited).scalar() == 3
    with migrating(empty, config) as conn:
        command.downgrade(config, before)
        assert conn.exec_driver_sql(invited).scalar() == 1
