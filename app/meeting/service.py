"""The team meeting: the agreed reading per area, recorded beside the snapshot's raw figures
(which never change), and the projector view's steps (app/meeting/steps.py)."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.audit import record
from app.authz import Action, Actor, require
from app.db import upsert
from app.errors import Conflict, InvalidInput
from app.i18n import _
from app.meeting.forms import ReadingInput
from app.meeting.models import AgreedReading
from app.rounds.models import Round, RoundStatus
from app.rounds.pii import contains_national_id
from app.rounds.service import guidance_of

NOTE_LIMIT = 1000


def readings(session: Session, actor: Actor, rnd: Round) -> dict[str, AgreedReading]:
    """The agreed readings of a round by area id (only a note or a level where one was set)."""
    require(actor, Action.VIEW_RESULTS, rnd.municipality_id)
    rows = session.exec(select(AgreedReading).where(AgreedReading.round_id == rnd.id))
    return {r.area_id: r for r in rows if r.note or r.level}


def save_readings(
    session: Session, actor: Actor, rnd: Round, typed: dict[str, ReadingInput]
) -> None:
    """Record the team's agreed reading per area of a closed round; all checks pass first."""
    require(actor, Action.EDIT_PLAN, rnd.municipality_id)
    if rnd.status != RoundStatus.CLOSED:
        raise Conflict(_("Felles vurdering skrives når runden er lukket og resultatene er klare."))
    areas = {a.id for a in guidance_of(session, rnd).areas}
    for area_id, reading in typed.items():
        if area_id not in areas:
            raise InvalidInput(
                _("Området finnes ikke i denne runden: %(id)s") % {"id": area_id[:80]}
            )
        field = f"note-{area_id}"  # the note's field on the page, marked and focused
        if len(reading.note) > NOTE_LIMIT:
            too_long = _("Notatet er for langt: høyst %(max)s tegn.") % {"max": NOTE_LIMIT}
            raise InvalidInput(too_long, field)
        if contains_national_id(reading.note):
            raise InvalidInput(
                _(
                    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Vi lagrer "
                    "ikke personopplysninger om deltakere. Fjern nummeret og prøv igjen."
                ),
                field,
            )
    now = datetime.now(UTC)
    for area_id, reading in typed.items():
        values = {
            "round_id": rnd.id,
            "area_id": area_id,
            "note": reading.note,
            "level": reading.level,
            "updated_at": now,
        }
        upsert(session, AgreedReading, values, ["round_id", "area_id"])
    record(
        session,
        actor,
        "readings_recorded",
        f"round {rnd.id}: {rnd.name}",
        municipality_id=rnd.municipality_id,
        areas=sorted(a for a, r in typed.items() if r.note or r.level),
    )
    session.commit()
