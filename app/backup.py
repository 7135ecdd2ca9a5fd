"""Back up and restore the database named by GODEGREP_DATABASE_URL, while the app runs:

    python -m app.backup backup FILE     (make backup FILE=…)
    python -m app.backup restore FILE    (make restore FILE=…; into an empty database)

On PostgreSQL FILE may be `-`: the backup goes to standard output, the restore reads standard
input (`docker compose exec -T app python -m app.backup backup - > x.backup`). A backup file
holds e-mail addresses, password hashes and answers, so it is made readable by its owner only.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot of the whole database, taken in
a single transaction; saves go on meanwhile) and `pg_restore` in a single transaction, so a
restore either completes or leaves the target empty. SQLite: the online backup API
(`sqlite3.Connection.backup`), which copies a consistent state of a live database; a file copy
of a database in WAL mode can miss committed pages or be torn. The restored copy is checked
with `PRAGMA integrity_check`.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, make_url, text, update
from sqlmodel import col

from app.accounts.models import LoginSession
from app.settings import get_settings


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no `+psycopg`), and the
    environment with the password in it (PGPASSWORD), so it never shows in a process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise SystemExit("a SQLite database in a file is needed")
    return Path(database)


STREAM = Path("-")


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the live database to `target` (`-`: standard output)."""
    if target == STREAM:
        _only_postgresql(url)
        if sys.stdout.isatty():
            raise SystemExit("backup -: send standard output to a file (… > x.backup)")
        _run(["pg_dump", "--format=custom", "--no-owner"], url, stdout=sys.stdout.buffer)
        return
    old = os.umask(0o077)  # the folder and the file for the owner only, from the start
    # Written beside the target and moved over it only when complete: a backup that fails
    # leaves an older file of that name as it was, and a new file never takes an old one's mode.
    part = target.with_name(f".{target.name}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part.unlink(missing_ok=True)
        if url.startswith("postgresql"):
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(part)], url)
        else:
            _backup_sqlite(url, part)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
        os.umask(old)


def _only_postgresql(url: str) -> None:
    if not url.startswith("postgresql"):
        raise SystemExit("- (standard input or output) is for PostgreSQL; SQLite needs a file")


def require_sqlite_file(url: str) -> None:
    """Stop with a clear line where a SQLite database should be and is not; connecting would
    make an empty one. Most often GODEGREP_DATABASE_URL is not exported (cron, a new shell)."""
    if url.startswith("sqlite") and not sqlite_path(url).exists():
        raise SystemExit(
            f"no database at {sqlite_path(url)}: is GODEGREP_DATABASE_URL set in this shell?"
        )


def _backup_sqlite(url: str, target: Path) -> None:
    require_sqlite_file(url)
    source = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # all pages in one step: one consistent state
        _check_sqlite(copy)
    finally:
        copy.close()
        source.close()


def restore(url: str, source: Path) -> None:
    """Load a backup into the database at `url`, which must be empty (never over live data)."""
    streamed = source == STREAM
    if streamed:
        _only_postgresql(url)
    elif not source.is_file():
        raise SystemExit(f"no backup at {source}")
    if url.startswith("postgresql"):
        _require_empty(url)
        command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
        command += ["--exit-on-error", *([] if streamed else [str(source)])]
        _run(command, url, "--dbname", stdin=sys.stdin.buffer if streamed else None)
        _end_logins(url)
        return
    path = sqlite_path(url)
    if path.exists() and path.stat().st_size > 0:
        raise SystemExit(f"{path} exists: restore into a new file, then move it into place")
    backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        with target:
            backup_copy.backup(target)
        _check_sqlite(target)
    finally:
        target.close()
        backup_copy.close()
    _end_logins(url)


def _end_logins(url: str) -> None:
    """End every login in the restored copy: a logout, or "log out on all devices", made after
    the backup was taken is not in it, and must not come back to life. Everyone logs in again."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            update(LoginSession)
            .where(col(LoginSession.ended_at).is_(None))
            .values(ended_at=datetime.now(UTC))
        )
    engine.dispose()


def _require_empty(url: str) -> None:
    """Refuse a PostgreSQL database that has tables already: restore only into a new one."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar_one()
    finally:
        engine.dispose()
    if tables:
        name = make_url(url).database
        raise SystemExit(
            f"the database {name} is not empty ({tables} tables): restore into a new, empty "
            "database (createdb), then point GODEGREP_DATABASE_URL at it; nothing was changed"
        )


def _check_sqlite(connection: sqlite3.Connection) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise SystemExit(f"the copy failed its integrity check: {result}")


def _run(
    command: list[str],
    url: str,
    flag: str = "",
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> None:
    """Run pg_dump or pg_restore on the database; its messages become the error if it fails."""
    target, env = libpq(url)
    command = [*command, *([flag] if flag else []), target]
    done = subprocess.run(
        command, env=env, stdin=stdin, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE
    )
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    url = get_settings().database_url
    if args.action == "backup":
        backup(url, args.file)
    else:
        restore(url, args.file)
    print(f"{args.action}: done ({args.file})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
