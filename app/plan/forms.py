"""Parse the measure form into plain values; the service checks them against the round."""

from dataclasses import dataclass
from datetime import date

from app.errors import InvalidInput
from app.i18n import _, pgettext
from app.plan.models import MeasureStatus


@dataclass(frozen=True)
class MeasureForm:
    """What the manager typed, kept as text so a refused form can be shown again as it was."""

    title: str = ""
    owner: str = ""  # a user id, or "" for a free-text owner
    owner_text: str = ""
    due: str = ""
    status: str = MeasureStatus.PLANNED.value
    note: str = ""
    statements: tuple[str, ...] = ()
    advice_id: str = ""


@dataclass(frozen=True)
class MeasureInput:
    title: str
    owner_user_id: int | None
    owner_text: str
    due: date | None
    status: MeasureStatus
    note: str
    statements: tuple[str, ...]
    advice_id: str | None


def parse_measure(form: MeasureForm) -> MeasureInput:
    """The form's values, or InvalidInput saying what is wrong with the first bad one."""
    title = form.title.strip()
    if not title:
        raise InvalidInput(_("Skriv hva tiltaket går ut på."), field="title")
    owner = form.owner.strip()
    if owner and not (owner.isascii() and owner.isdigit() and len(owner) <= 10):
        raise InvalidInput(_("Velg en ansvarlig blant de ansatte i kommunen."), field="owner")
    try:
        status = MeasureStatus(form.status)
    except ValueError:
        raise InvalidInput(_("Velg en av statusene i listen."), field="status") from None
    return MeasureInput(
        title=title,
        owner_user_id=int(owner) if owner else None,
        owner_text="" if owner else form.owner_text.strip(),
        due=_date(form.due),
        status=status,
        note=form.note.replace("\r\n", "\n").strip(),
        statements=tuple(dict.fromkeys(s.strip() for s in form.statements if s.strip())),
        advice_id=form.advice_id.strip() or None,
    )


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            pgettext("tiltak", "Fristen må være en dato, for eksempel 2027-03-31."), field="due"
        ) from None
