"""Alembic environment: the only way the schema is created, on SQLite and PostgreSQL alike.

The database URL comes from the app's settings (GODEGREP_DATABASE_URL); tests may hand over
an open connection in config.attributes["connection"].
"""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.db import make_engine
from app.settings import get_settings

target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table (copy, DROP, rename). With foreign keys on, dropping a
        # table that other rows point to fails, so a database with data in it could not be
        # upgraded. SQLite only honours this outside a transaction: before anything else runs.
        # The check after the migrations makes sure the rebuilt tables still fit together.
        outside = not connection.in_transaction()
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        if outside:  # end the transaction this began, or Alembic would not commit its own
            connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def run_migrations_online() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()  # no pooled connection is left with foreign keys off


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
