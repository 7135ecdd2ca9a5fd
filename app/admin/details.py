"""What an audit event concerned and its details, in words.

The log keeps both as data, never rewritten: a target such as `round 12: Vår 2026` and the
details as a JSON object. The administrator reads them in their language: «Runde 12: Vår 2026»
and «Kommentarer: ja». A key or value without words here is shown as stored, so nothing is
ever hidden."""

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from app.accounts.service import size_name
from app.clock import day_text
from app.content.service import current_guidance
from app.i18n import _, current_locale
from app.plan.service import status_name
from app.templating import role_name, standard_name

TARGET = re.compile(r"(round|measure|feedback) (\d+)(?: \(round (\d+)\))?(: .*)?", re.S)

LABELS: dict[str, Callable[[], str]] = {
    "active": lambda: _("Aktiv"),
    "after": lambda: _("Etter"),
    "answers": lambda: _("Svar"),
    "areas": lambda: _("Områder"),
    "before": lambda: _("Før"),
    "by": lambda: _("Lukket av"),
    "checksum": lambda: _("Sjekksum"),
    "comments": lambda: _("Kommentarer"),
    "created": lambda: _("Nye"),
    "due": lambda: _("Frist"),
    "feedback": lambda: _("Tilbakemeldinger"),
    "invitations": lambda: _("Invitasjoner"),
    "inactive": lambda: _("Deaktivert konto"),
    "invited_by": lambda: _("Invitasjoner fra brukerne"),
    "invited_elsewhere": lambda: _("Respondentplasser for brukerne"),
    "invitees": lambda: _("Inviterte"),
    "issuer": lambda: _("Utsteder"),
    "known": lambda: _("Kjent adresse"),
    "measure_statements": lambda: _("Koblinger mellom tiltak og påstander"),
    "measures": lambda: _("Tiltak"),
    "municipality_id": lambda: _("Kommune"),
    "new": lambda: _("Ny frist"),
    "new_people": lambda: _("Nye personer"),
    "old": lambda: _("Tidligere frist"),
    "owner_user_id": lambda: _("Ansvarlig (bruker-id)"),
    "plan": lambda: _("Handlingsplan"),
    "readings": lambda: _("Felles vurderinger"),
    "reason": lambda: _("Årsak"),
    "recipients": lambda: _("Mottakere"),
    "resets": lambda: _("Lenker for nytt passord"),
    "respondents": lambda: _("Respondenter"),
    "responses": lambda: _("Besvarelser"),
    "retired": lambda: _("Utgått"),
    "role": lambda: _("Rolle"),
    "round": lambda: _("Runde"),
    "roundsnapshot": lambda: _("Resultater: runder"),
    "rounds": lambda: _("Runder"),
    "shared_areas": lambda: _("Delte områder"),
    "shares": lambda: _("Delinger med KS"),
    "size_class": lambda: _("Størrelse"),
    "snapshotarea": lambda: _("Resultater: områder"),
    "snapshotareascore": lambda: _("Resultater: poeng per område"),
    "snapshotcomment": lambda: _("Resultater: kommentarer"),
    "snapshotstatement": lambda: _("Resultater: påstander"),
    "status": lambda: _("Status"),
    "sub": lambda: _("Ekstern id"),
    "taken_by": lambda: _("Tatt av"),
    "updated": lambda: _("Endret"),
    "users": lambda: _("Brukere"),
    "valid_address": lambda: _("Gyldig e-postadresse"),
    "via": lambda: _("Via"),
    "written_standard": lambda: _("Målform"),
}


def area_name(area_id: str) -> str:
    """An area's title in the reader's language; the id itself for an area the current
    guidance no longer has."""
    area = next((a for a in current_guidance().areas if a.id == area_id), None)
    return area.title[current_locale()] if area else area_id


# Stored codes among the values, by the key they stand under.
VALUES: dict[str, Callable[[str], str]] = {
    "areas": area_name,
    "role": role_name,
    "status": status_name,
    "size_class": size_name,
    "by": lambda code: {"manager": _("leder"), "deadline": _("fristen")}.get(code, code),
    "via": lambda code: {"command line": _("kommandolinjen")}.get(code, code),
    "written_standard": standard_name,
}
DATES = {"due", "old", "new"}


def target_text(target: str) -> str:
    """`round 12: Vår 2026` → «Runde 12: Vår 2026»; any other target as it is."""
    found = TARGET.fullmatch(target)
    if found is None:
        return target
    kind, number, round_id, rest = found.groups()
    if kind == "round":
        words = _("Runde %(id)s") % {"id": number}
    elif kind == "feedback":
        words = _("Tilbakemelding %(id)s") % {"id": number}
    elif round_id is not None:
        words = _("Tiltak %(id)s (runde %(round)s)") % {"id": number, "round": round_id}
    else:
        return target
    return words + (rest or "")


def detail_lines(detail: str, places: Mapping[int, str] | None = None) -> list[str]:
    """The details, one line per key («Kommentarer: ja»); nothing for an empty object.
    `places`: municipalities by id, so a stored id reads «Bergen (4601)», not «358»."""
    try:
        values = json.loads(detail)
    except ValueError:
        return [detail] if detail else []
    if not isinstance(values, dict):
        return [detail]
    return [f"{_label(key)}: {_value(key, value, places or {})}" for key, value in values.items()]


def _label(key: str) -> str:
    label = LABELS.get(key)
    return label() if label else key


def _value(key: str, value: Any, places: Mapping[int, str]) -> str:
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if value is None:
        return "–"
    if isinstance(value, dict):
        pairs = (f"{_label(k)}: {_value(k, v, places)}" for k, v in value.items())
        return "(" + ", ".join(pairs) + ")"
    if isinstance(value, list):
        return ", ".join(_value(key, item, places) for item in value)
    if key == "municipality_id" and isinstance(value, int):
        return places.get(value, str(value))
    if key in DATES and isinstance(value, str):
        try:
            return day_text(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    words = VALUES.get(key)
    try:
        return words(str(value)) if words else str(value)
    except ValueError:  # a code these words do not know (yet): the log must still open
        return str(value)
