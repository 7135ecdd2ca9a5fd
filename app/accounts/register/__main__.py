"""python -m app.accounts.register: load or refresh the register of municipalities."""

import sys

from sqlmodel import Session

from app.accounts.register import import_register, read_register
from app.db import get_engine


def main() -> int:
    with Session(get_engine()) as session:
        report = import_register(session, read_register())
    print(
        f"Municipalities: {report.created} added, {report.updated} updated, "
        f"{report.retired} retired, {report.unchanged} unchanged."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
