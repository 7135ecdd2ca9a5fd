"""One open round at a time for each person.

Two rounds open at once whose respondents differ by one person would give that person away:
asked the same statements in the same weeks, people answer alike, so the level counts of the
one round minus those of the other are that person's answers. So nobody is asked to answer
two open rounds of their municipality at once. Rounds for different teams (no one in both)
can still run side by side; a round closed and another started with one person fewer is the
same risk as any change of staff between two rounds, and is not prevented here.
"""

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Municipality, User
from app.errors import InvalidInput
from app.i18n import _, ngettext
from app.rounds.models import Round, RoundInvitee, RoundRespondent, RoundStatus


def hold(session: Session, municipality_id: int) -> None:
    """Take the municipality's row until commit, so who is in which open round changes one
    transaction at a time: PostgreSQL locks the row, and SQLite takes its write lock with
    this statement, before the check reads anything."""
    row = col(Municipality.id) == municipality_id
    session.execute(update(Municipality).where(row).values(active=col(Municipality.active)))


def busy(session: Session, municipality_id: int, besides: int | None = None) -> dict[str, str]:
    """Address -> name of the municipality's open round (other than `besides`) that the person
    is asked to answer: as a respondent, or invited as new and not yet joined."""
    open_round = [
        col(Round.municipality_id) == municipality_id,
        col(Round.status) == RoundStatus.OPEN,
        col(Round.id) != (besides or 0),
    ]
    joined = (
        select(User.email, Round.name)
        .join(RoundRespondent, col(RoundRespondent.user_id) == col(User.id))
        .join(Round, col(Round.id) == col(RoundRespondent.round_id))
        .where(*open_round)
    )
    waiting = (
        select(RoundInvitee.email, Round.name)
        .join(Round, col(Round.id) == col(RoundInvitee.round_id))
        .where(*open_round)
    )
    return dict([*session.exec(joined), *session.exec(waiting)])


def refuse_busy(
    session: Session,
    municipality_id: int,
    addresses: Iterable[str],
    field: str,
    besides: int | None = None,
) -> None:
    """InvalidInput naming each of the addresses already asked to answer another open round
    of the municipality; call `hold` first, in the same transaction as the writes. A refusal
    lets go of the hold at once (nothing has been written), not after the page is rendered.
    `field` says what the person can do about it: "round-respondents" (chosen in the list),
    "round-new-people" (typed as new) or "add-respondent" (added to the open round `besides`)."""
    taken = busy(session, municipality_id, besides)
    clashes = [f"{a} («{taken[a]}»)" for a in dict.fromkeys(addresses) if a in taken]
    if not clashes:
        return
    session.rollback()
    reason = ngettext(
        "%(people)s er allerede med i en annen åpen runde.",
        "%(people)s er allerede med i en annen åpen runde.",
        len(clashes),
    ) % {"people": ", ".join(clashes)}
    why = _(
        "Ingen kan være med i to åpne runder samtidig, for da kunne svarene til én person "
        "regnes ut ved å sammenligne rundene."
    )
    if field == "add-respondent":
        remedy = _("Personen kan legges til når den andre runden er lukket.")
    elif field == "round-new-people":
        remedy = ngettext(
            "Ta adressen ut av feltet, eller lukk den andre runden først.",
            "Ta adressene ut av feltet, eller lukk den andre runden først.",
            len(clashes),
        )
    else:
        remedy = ngettext(
            "Velg personen bort, eller lukk den andre runden først.",
            "Velg dem bort, eller lukk den andre runden først.",
            len(clashes),
        )
    raise InvalidInput(f"{reason} {why} {remedy}", field=field)
