"""Audit events in words: the log stores stable codes, people read Norwegian (or their language)."""

from collections.abc import Callable
from datetime import UTC, datetime

from app.clock import OSLO, day_text
from app.i18n import _

# Functions, not strings: each name is translated when the page is rendered, in the reader's
# language. A code without a name here is shown as it is, so a new event is never hidden.
EVENT_NAMES: dict[str, Callable[[], str]] = {
    "login": lambda: _("Innlogging"),
    "login_failed": lambda: _("Mislykket innlogging"),
    "login_locked": lambda: _("Innlogging sperret midlertidig"),
    "login_inactive": lambda: _("Innlogging til deaktivert konto"),
    "login_oidc": lambda: _("Innlogging med ekstern identitet"),
    "login_oidc_failed": lambda: _("Mislykket innlogging med ekstern identitet"),
    "logout": lambda: _("Utlogging"),
    "password_changed": lambda: _("Passord endret"),
    "password_change_refused": lambda: _("Feil nåværende passord ved passordbytte"),
    "password_reset_requested": lambda: _("Nytt passord bedt om"),
    "password_reset": lambda: _("Nytt passord satt"),
    "invitation_sent": lambda: _("Invitasjon sendt"),
    "invitation_resent": lambda: _("Invitasjon sendt på nytt"),
    "invitation_withdrawn": lambda: _("Invitasjon trukket tilbake"),
    "invitation_accepted": lambda: _("Invitasjon tatt imot"),
    "role_changed": lambda: _("Rolle endret"),
    "user_activated": lambda: _("Bruker aktivert"),
    "user_deactivated": lambda: _("Bruker deaktivert"),
    "user_moved": lambda: _("Bruker flyttet til annen kommune"),
    "municipality_updated": lambda: _("Kommune endret"),
    "municipality_exported": lambda: _("Kommunens data eksportert"),
    "municipality_deleted": lambda: _("Kommunens data slettet"),
    "register_imported": lambda: _("Kommuneregisteret lest inn"),
    "content_version_loaded": lambda: _("Ny innholdsversjon tatt i bruk"),
    "round_created": lambda: _("Runde startet"),
    "round_closed": lambda: _("Runde lukket"),
    "round_cancelled": lambda: _("Runde avlyst"),
    "respondent_added": lambda: _("Svarer lagt til etter start"),
    "deadline_extended": lambda: _("Svarfrist forlenget"),
    "reminder_sent": lambda: _("Påminnelse sendt"),
    "readings_recorded": lambda: _("Felles vurdering fra møtet lagret"),
    "results_exported": lambda: _("Resultater eksportert"),
    "sessions_ended": lambda: _("Alle innlogginger avsluttet"),
    "measure_created": lambda: _("Tiltak lagt til"),
    "measure_updated": lambda: _("Tiltak endret"),
    "round_shared": lambda: _("Runde delt med KS"),
    "round_share_changed": lambda: _("Deling med KS endret"),
    "round_share_withdrawn": lambda: _("Deling med KS trukket tilbake"),
    "share_taken": lambda: _("KS-rådgiver tok runden til gjennomgang"),
    "share_released": lambda: _("KS-rådgiver ga runden fri"),
    "feedback_draft_saved": lambda: _("Utkast til tilbakemelding fra KS lagret"),
    "feedback_sent": lambda: _("Tilbakemelding fra KS sendt"),
    "feedback_replied": lambda: _("Tilbakemelding fra KS besvart"),
    "review_done": lambda: _("KS-gjennomgang ferdig"),
}


def event_name(code: str) -> str:
    """The event in words, in the reader's language; the code itself if it has no name yet."""
    name = EVENT_NAMES.get(code)
    return name() if name else code


def oslo_time(moment: datetime) -> str:
    """A stored moment (UTC) as Norwegian local time, its day as the reader's language writes
    it (app.clock.day_text)."""
    if moment.tzinfo is None:  # SQLite gives naive datetimes back; they were stored in UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(OSLO)
    return f"{day_text(local.date())} {local:%H:%M:%S}"
