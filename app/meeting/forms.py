"""Parse the agreed-readings form: `note.<area id>` = text, `level.<area id>` = "" or 1–4."""

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request

from app.errors import InvalidInput
from app.i18n import _


@dataclass(frozen=True)
class ReadingInput:
    note: str
    level: int | None


def parse_readings(form: Mapping[str, object]) -> dict[str, ReadingInput]:
    """Area id -> the note and level typed for it; InvalidInput for a level outside 1–4."""
    notes: dict[str, str] = {}
    levels: dict[str, int | None] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            raise InvalidInput(_("Skjemaet inneholdt noe vi ikke kan ta imot."))
        if key.startswith("note."):
            notes[key[5:]] = value.replace("\r\n", "\n").strip()
        elif key.startswith("level."):
            if value not in ("", "1", "2", "3", "4"):
                raise InvalidInput(_("Det felles nivået må være 1, 2, 3 eller 4, eller stå tomt."))
            levels[key[6:]] = int(value) if value else None
    areas = dict.fromkeys([*notes, *levels])
    return {a: ReadingInput(notes.get(a, ""), levels.get(a)) for a in areas}


async def readings_form(request: Request) -> dict[str, ReadingInput]:
    return parse_readings(await request.form())
