"""Load the register of Norwegian municipalities (see README.md beside this file)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import Municipality, SizeClass
from app.audit import record

HERE = Path(__file__).parent
STANDARDS = {"Bokmål": "nb", "Nynorsk": "nn", "Nøytral": "neutral"}


@dataclass(frozen=True)
class Entry:
    number: str
    name: str
    county: str
    population: int | None
    written_standard: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    retired: int
    unchanged: int


def size_class(population: int | None) -> SizeClass:
    """Size class from population: under 5 000, 5 000–19 999, 20 000 and more."""
    if population is None:
        return SizeClass.MEDIUM
    if population < 5_000:
        return SizeClass.SMALL
    return SizeClass.MEDIUM if population < 20_000 else SizeClass.LARGE


def read_register(folder: Path = HERE) -> list[Entry]:
    counties = {c["f_id"]: c["f_name"] for c in _json(folder / "fylker-2025.json")}
    entries = []
    for row in _json(folder / "kommuner-2025.json"):
        name = (
            row["k_name_no"]
            if row["k_name"] == row["k_name_no"]
            else f"{row['k_name']} - {row['k_name_no']}"
        )
        entries.append(
            Entry(
                number=row["k_id"],
                name=name,
                county=counties.get(row["k_id"][:2], ""),
                population=row.get("k_population"),
                written_standard=STANDARDS.get(row.get("k_language", ""), "nb"),
            )
        )
    return entries


def import_register(session: Session, entries: list[Entry]) -> ImportReport:
    """Add new municipalities, update changed ones, retire those no longer in the register.

    Real municipality numbers are four digits from 0301 to 5636; test and demo municipalities
    use 99xx and are never retired by an import.
    """
    existing = {m.number: m for m in session.exec(select(Municipality))}
    created = updated = unchanged = 0
    for entry in entries:
        municipality = existing.get(entry.number)
        if municipality is None:
            session.add(_new(entry))
            created += 1
        elif _update(municipality, entry):
            session.add(municipality)
            updated += 1
        else:
            unchanged += 1
    numbers = {e.number for e in entries}
    retired = 0
    for number, municipality in existing.items():
        if number not in numbers and not number.startswith("99") and municipality.active:
            municipality.active = False
            session.add(municipality)
            retired += 1
    record(
        session,
        None,
        "register_imported",
        "kommuner-2025.json",
        created=created,
        updated=updated,
        retired=retired,
    )
    session.commit()
    return ImportReport(created, updated, retired, unchanged)


def _new(entry: Entry) -> Municipality:
    return Municipality(
        number=entry.number,
        name=entry.name,
        county=entry.county,
        population=entry.population,
        size_class=size_class(entry.population),
        written_standard=entry.written_standard,
    )


def _update(municipality: Municipality, entry: Entry) -> bool:
    values = {
        "name": entry.name,
        "county": entry.county,
        "population": entry.population,
        "written_standard": entry.written_standard,
        "active": True,
    }
    if not municipality.size_class_manual:
        values["size_class"] = size_class(entry.population)
    changed = False
    for field, value in values.items():
        if getattr(municipality, field) != value:
            setattr(municipality, field, value)
            changed = True
    return changed


def _json(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data
