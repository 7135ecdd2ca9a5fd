"""The schema comes only from Alembic, and it matches the models on both databases."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[2]


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_there_is_exactly_one_migration_head():
    script = ScriptDirectory.from_config(Config(toml_file=str(ROOT / "pyproject.toml")))
    assert len(script.get_heads()) == 1


def test_the_app_never_creates_tables_itself():
    sources = "\n".join(p.read_text() for p in (ROOT / "app").rglob("*.py"))
    assert "create_all" not in sources


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_migrations_go_down_and_up_again(backend):
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    with fresh_database(backend) as url:
        engine = make_engine(url)
        try:
            for target in ("head", "base", "head"):
                with engine.begin() as connection:
                    config.attributes["connection"] = connection
                    (command.upgrade if target == "head" else command.downgrade)(config, target)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection)
                assert compare_metadata(context, SQLModel.metadata) == []
        finally:
            engine.dispose()
