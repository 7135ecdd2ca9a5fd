"""Rounds: their life cycle, each respondent's response and the autosaved answers."""

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, literal_column, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Session, col, select

from app.accounts.models import Municipality
from app.audit import record
from app.authz import Action, Actor, require
from app.clock import oslo_today
from app.content.schema import Guidance
from app.content.service import current_guidance, current_version, guidance_for
from app.db import insert_ignore, serialized_writes, upsert, upsert_async
from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.i18n import N_, _, current_locale
from app.notices.service import claim
from app.rounds import invitees, overlap
from app.rounds.forms import AnswerForm
from app.rounds.hotpath import Found
from app.rounds.models import Answer, AreaComment, Response, Round, RoundRespondent, RoundStatus
from app.rounds.pii import contains_national_id
from app.rounds.respondents import is_respondent, possible_respondents
from app.settings import get_settings


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    per_area: dict[str, tuple[int, int]]  # area id -> (answered, total)

    @property
    def complete(self) -> bool:
        return self.answered >= self.total


def get_round(session: Session, actor: Actor, round_id: int, action: Action) -> Round:
    """The round, if the actor may take the action on it (404 for other municipalities)."""
    rnd = session.get(Round, round_id)
    require(actor, action, rnd.municipality_id if rnd else None)
    assert rnd is not None
    return rnd


def list_rounds(session: Session, actor: Actor) -> list[Round]:
    """The rounds of the actor's own municipality, newest first (none without one)."""
    if actor.municipality_id is None:
        return []
    require(actor, Action.VIEW_ROUND, actor.municipality_id)
    query = select(Round).where(Round.municipality_id == actor.municipality_id)
    return list(session.exec(query.order_by(col(Round.created_at).desc(), col(Round.id).desc())))


def create_round(
    session: Session,
    actor: Actor,
    name: str,
    participants: int | None,
    deadline: date | None,
    respondent_ids: Sequence[int] | None = None,
    modules: Sequence[str] = (),
    addresses: Sequence[str] = (),
    invited: Sequence[str] = (),
) -> Round:
    """A manager opens a new round with the current guidance content and invites respondents
    (by default everyone active in the municipality who answers rounds). `addresses` (typed,
    already parsed: see app.rounds.invitees) and `invited` (ticked on the list of those
    invited on /kommune who have no account yet): staff of the municipality among them are
    chosen too; new people wait in the round for their invitation, or their mail about the
    round, which the caller sends once this has been committed. Nothing is written unless
    every input is good.

    The "round opened" mail is not sent here: the caller has it sent after the response."""
    require(actor, Action.MANAGE_ROUND, actor.municipality_id)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Gi runden et navn, for eksempel «Vår 2027»."), field="round-name")
    if participants is not None and not 0 <= participants <= 100_000:
        raise InvalidInput(
            _("Antall deltakere må være et tall mellom 0 og 100 000."), field="round-participants"
        )
    if deadline is not None and deadline < oslo_today():
        raise InvalidInput(_("Fristen må være i dag eller senere."), field="round-deadline")
    assert actor.municipality_id is not None
    asked = _asked(session, actor.municipality_id, respondent_ids, addresses, invited)
    if not asked.chosen and not asked.new:
        raise InvalidInput(_("Velg minst én som skal svare på runden."))
    offered = {m.id for m in current_guidance().modules}
    if any(m not in offered for m in modules):
        raise InvalidInput(_("Velg bare blant modulene som er tilbudt."))
    overlap.hold(session, actor.municipality_id)
    chosen_on_list = [*asked.staff, *asked.listed]  # waiting new people count as any other
    overlap.refuse_busy(session, actor.municipality_id, chosen_on_list, "round-respondents")
    overlap.refuse_busy(session, actor.municipality_id, asked.typed, "round-new-people")
    version = current_version(session)
    assert version.id is not None
    rnd = Round(
        municipality_id=actor.municipality_id,
        name=name,
        participants=participants,
        deadline=deadline,
        content_version_id=version.id,
        modules=" ".join(sorted(set(modules))),
    )
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    for user_id in asked.chosen:
        session.add(RoundRespondent(round_id=rnd.id, user_id=user_id))
    if actor.user_id in asked.chosen:  # the manager started it: no «new round» mail about it
        claim(session, "round_opened", f"{rnd.id}:{actor.user_id}")
    invitees.add_pending(session, rnd, asked.new)
    record(
        session,
        actor,
        "round_created",
        f"round {rnd.id}: {name}",
        municipality_id=rnd.municipality_id,
        respondents=len(asked.chosen),
        new_people=len(asked.new),
    )
    session.commit()
    return rnd


@dataclass(frozen=True)
class Asked:
    """Who a new round asks to answer, as chosen, ticked and typed on the form."""

    chosen: list[int]  # respondents with an account
    staff: list[str]  # the addresses of those chosen on the list or typed
    listed: list[str]  # new people ticked on the list (an open invitation, no account yet)
    typed: list[str]  # new people typed, and not also ticked

    @property
    def new(self) -> list[str]:
        return [*self.listed, *self.typed]


def _asked(
    session: Session,
    municipality_id: int,
    respondent_ids: Sequence[int] | None,
    addresses: Sequence[str],
    invited: Sequence[str],
) -> Asked:
    """Sort who the form asks; InvalidInput for anyone who may not be asked. Someone ticked as
    invited who has made their account since the page was shown is simply chosen."""
    eligible = {u.id: u.email for u in possible_respondents(session, municipality_id) if u.id}
    chosen = list(eligible) if respondent_ids is None else list(dict.fromkeys(respondent_ids))
    if any(uid not in eligible for uid in chosen):
        raise InvalidInput(_("Velg bare blant de ansatte i kommunen."))
    try:
        joined, listed = invitees.sort_addresses(session, municipality_id, invited)
    except invitees.AddressProblem as exc:  # ticked on the list, not typed: point there
        raise InvalidInput(exc.message, field="round-respondents") from None
    # Ticked on the list of open invitations: only those (typed addresses go by the field
    # below, with its limit of new people at a time).
    standing = invitees.holding(session, municipality_id, listed)
    for address in listed:
        if address not in standing:
            msg = _(
                "«%(address)s» har ikke lenger en åpen invitasjon. Last siden på nytt, eller "
                "skriv adressen under «Inviter nye personer»."
            )
            raise InvalidInput(msg % {"address": address}, field="round-respondents")
    known, typed = invitees.sort_addresses(session, municipality_id, addresses)
    new = {*listed, *typed}
    staff = [eligible[u] for u in chosen] + [a for a in (*invited, *addresses) if a not in new]
    return Asked(
        chosen=list(dict.fromkeys([*chosen, *joined, *known])),
        staff=list(dict.fromkeys(staff)),
        listed=listed,
        typed=[a for a in typed if a not in listed],
    )


def guidance_of(session: Session, rnd: Round) -> Guidance:
    """The round's questionnaire: the core areas and the modules chosen for it."""
    return guidance_for(session, rnd.content_version_id, tuple(rnd.modules.split()))


def own_response(session: Session, actor: Actor, rnd: Round) -> Response:
    """The actor's response to the round, created the first time (safe under concurrency)."""
    require(actor, Action.ANSWER_ROUND, rnd.municipality_id)
    found = existing_response(session, actor, rnd)
    if found is not None:
        return found
    if not is_respondent(session, actor, rnd):
        raise Forbidden(_("Du er ikke invitert til å svare på denne runden."))
    insert_ignore(
        session, Response, {"round_id": rnd.id, "user_id": actor.user_id}, ["round_id", "user_id"]
    )
    session.commit()
    found = existing_response(session, actor, rnd)
    assert found is not None
    return found


def existing_response(session: Session, actor: Actor, rnd: Round) -> Response | None:
    """The actor's response to the round, if they have started one."""
    query = select(Response).where(Response.round_id == rnd.id, Response.user_id == actor.user_id)
    return session.exec(query).first()


def answers_of(session: Session, response: Response) -> dict[str, int]:
    rows = session.exec(select(Answer).where(Answer.response_id == response.id))
    return {a.statement_id: a.level for a in rows}


def comments_of(session: Session, response: Response) -> dict[str, str]:
    rows = session.exec(select(AreaComment).where(AreaComment.response_id == response.id))
    return {c.area_id: c.text for c in rows}


SUBMITTED = N_("Du har sendt inn svaret ditt. Åpne det igjen for å gjøre endringer.")

# An autosave writes only while the response is not submitted, checked in the write itself:
# `hotpath.find` read the response first, and a submit from another tab or process may have
# committed since. On PostgreSQL, FOR SHARE holds the response row until the save commits, so
# a submit (an UPDATE of that row) waits for it and then counts what it saved; SQLite has one
# writer at a time, so the check sees the latest submit.
UNSUBMITTED = (
    sa_select(col(Response.id))
    .where(
        col(Response.id) == bindparam("response_id", type_=Integer),
        col(Response.submitted_at).is_(None),
    )
    .with_for_update(read=True)
    .exists()
)


def autosave(session: Session, found: Found, form: AnswerForm) -> Progress:
    """Save the given answers and comments at once, for the login, round and response that
    `hotpath.find` fetched in one query; every check passes before anything is written."""
    require(found.actor, Action.ANSWER_ROUND, found.municipality_id)
    guidance = guidance_for(session, found.content_version_id, found.modules)
    check_save(guidance, found.status, form)
    response_id, submitted, answered = found.response_id, found.submitted, found.answered
    if response_id is None:  # the first save: create the response (another tab may have)
        rnd = session.get(Round, found.round_id)
        assert rnd is not None
        response = own_response(session, found.actor, rnd)
        assert response.id is not None
        response_id, submitted = response.id, response.submitted_at is not None
        answered = frozenset(_answered(session, response_id))
    if submitted:
        raise Conflict(_(SUBMITTED))
    # Progress counts the statements being saved now as answered, so nothing is read after
    # the write: the write transaction holds the database's write lock only for the writes,
    # and the connection goes back to the pool at the commit.
    progress = tally(guidance, answered | set(form.answers))
    with serialized_writes(session):
        for row in rows_to_save(response_id, form):
            if not write(session, row):  # submitted or commented elsewhere since the read
                refusal = why_not_written(session, response_id, form)
                session.rollback()
                raise refusal
        session.commit()
    return progress


def write(session: Session | Connection, row: "SaveRow") -> bool:
    """Write one row of a save: only while the response is unsubmitted, and a comment only
    over the text the page showed. Returns whether it was written."""
    return upsert(session, row.model, row.values, row.keys, UNSUBMITTED, *row.guard())


async def write_async(connection: AsyncConnection, row: "SaveRow") -> bool:
    """`write` through an asyncio connection (app.rounds.fastsave)."""
    return await upsert_async(
        connection, row.model, row.values, row.keys, UNSUBMITTED, *row.guard()
    )


class CommentTooLong(InvalidInput):
    """A comment over the limit, and nothing else wrong with it (no fødselsnummer): the page
    may keep it, in the browser tab, until it is shortened (autosave.js)."""


class CommentChanged(InvalidInput):
    """A comment was saved from another tab or device after the page showed it."""

    status_code = 412  # autosave.js shows the saved text beside the one typed here

    def __init__(self, area_id: str, saved: str) -> None:
        super().__init__(
            _(
                "Kommentaren ble ikke lagret: den er endret i en annen fane eller på en annen "
                "enhet etter at du åpnet siden. Teksten som er lagret nå, står under feltet."
            ),
            field=f"c.{area_id}",
        )
        self.saved = saved


def why_not_written(session: Session, response_id: int, form: AnswerForm) -> DomainError:
    """Why a save's row was not written, read in the write's transaction: the response was
    submitted meanwhile, or one of the form's comments is no longer the text the page showed."""
    response = session.get(Response, response_id, populate_existing=True)
    if response is not None and response.submitted_at is None:
        saved = comments_of(session, response)
        for area_id, before in form.replaces.items():
            if saved.get(area_id, before) not in (before, form.comments[area_id]):
                return CommentChanged(area_id, saved[area_id])
    return Conflict(_(SUBMITTED))


def check_save(guidance: Guidance, status: str, form: AnswerForm) -> None:
    """What an autosave must pass, once the actor may answer the round, before anything is
    written: the form names only the round's statements and areas, and the round is open."""
    _check_form(guidance, form)
    _check_open(status)


@dataclass(frozen=True)
class SaveRow:
    """One row an autosave writes: an answer or an area comment, with its key columns."""

    model: type[Answer | AreaComment]
    values: dict[str, Any]
    keys: list[str]
    replaces: str | None = None  # a comment: the saved text it may replace (SAME_COMMENT)

    def guard(self) -> tuple[Any, dict[str, Any] | None]:
        """The condition on a row already there, and its parameters (see app.db.upsert)."""
        if self.replaces is None:
            return None, None
        return SAME_COMMENT, {"replaces": self.replaces}


# A comment replaces only the text the page showed (AnswerForm.replaces), or the same text.
SAME_COMMENT = or_(
    col(AreaComment.text) == bindparam("replaces", type_=String),
    col(AreaComment.text) == literal_column("excluded.text"),
)


def rows_to_save(response_id: int, form: AnswerForm) -> list[SaveRow]:
    """The rows the form writes to the response: one per answer, one per area comment."""
    now = datetime.now(UTC)
    rows = [
        SaveRow(
            Answer,
            {"response_id": response_id, "statement_id": s, "level": lvl, "updated_at": now},
            ["response_id", "statement_id"],
        )
        for s, lvl in form.answers.items()
    ]
    for area, text in form.comments.items():
        values = {"response_id": response_id, "area_id": area, "text": text, "updated_at": now}
        keys = ["response_id", "area_id"]
        rows.append(SaveRow(AreaComment, values, keys, form.replaces.get(area)))
    return rows


def _check_form(guidance: Guidance, form: AnswerForm) -> None:
    statements = guidance.statement_area()
    unknown = [s for s in form.answers if s not in statements]
    if unknown:
        raise InvalidInput(
            _("Påstanden finnes ikke i denne runden: %(id)s") % {"id": unknown[0][:80]}
        )
    areas = {a.id for a in guidance.areas}
    limit = get_settings().max_comment_length
    for area_id, text in form.comments.items():
        if area_id not in areas:
            raise InvalidInput(
                _("Området finnes ikke i denne runden: %(id)s") % {"id": area_id[:80]}
            )
        # The fødselsnummer first: a comment refused only for its length holds none, so
        # autosave.js may keep it in the browser tab until it is shortened.
        if contains_national_id(text):
            raise InvalidInput(
                _(
                    "Kommentaren ser ut til å inneholde et fødselsnummer eller D-nummer. "
                    "Vi lagrer ikke personopplysninger om deltakere, så kommentaren ble ikke "
                    "lagret. Fjern nummeret og prøv igjen."
                ),
                field=f"c.{area_id}",
            )
        if len(text) > limit:
            raise CommentTooLong(
                _("Kommentaren er for lang: %(n)s tegn. Den kan være på høyst %(max)s tegn.")
                % {"n": len(text), "max": limit},
                field=f"c.{area_id}",
            )


def _check_open(status: str) -> None:
    if status != RoundStatus.OPEN:
        raise Conflict(_("Runden er lukket, så svarene kan ikke endres lenger."))


def lock_open(session: Session, rnd: Round) -> None:
    """Check that the round is still open, holding a shared lock on it (PostgreSQL) until
    commit, so a submission and the close that takes the snapshot never overlap."""
    query = sa_select(col(Round.status)).where(col(Round.id) == rnd.id).with_for_update(read=True)
    if session.connection().execute(query).scalar_one() != RoundStatus.OPEN:
        raise Conflict(_("Runden er lukket, så svarene kan ikke endres lenger."))


def progress(session: Session, guidance: Guidance, response: Response) -> Progress:
    assert response.id is not None
    return tally(guidance, _answered(session, response.id))


def tally(guidance: Guidance, answered: Set[str]) -> Progress:
    """How far a response is, given the statements it has answers to."""
    per_area = {
        a.id: (sum(s.id in answered for s in a.statements), len(a.statements))
        for a in guidance.areas
    }
    done = sum(n for n, _ in per_area.values())
    total = sum(t for _, t in per_area.values())
    return Progress(done, total, per_area)


def _answered(session: Session, response_id: int) -> set[str]:
    query = sa_select(col(Answer.statement_id)).where(col(Answer.response_id) == response_id)
    return set(session.connection().execute(query).scalars())


def submit(session: Session, actor: Actor, rnd: Round) -> None:
    """Submit the actor's response; every statement must have an answer ("Vet ikke" counts)."""
    require(actor, Action.ANSWER_ROUND, rnd.municipality_id)
    _check_open(rnd.status)
    response = own_response(session, actor, rnd)
    lock_open(session, rnd)
    guidance = guidance_of(session, rnd)
    done = progress(session, guidance, response)
    if not done.complete:
        missing = [
            guidance.area(a).title[current_locale()] for a, (n, t) in done.per_area.items() if n < t
        ]
        raise InvalidInput(
            _("Svar på alle påstandene før du sender inn. Det mangler svar i: %(areas)s.")
            % {"areas": ", ".join(missing)},
            field="missing-areas",
        )
    if response.submitted_at is None:
        _set_submitted(session, rnd, response, datetime.now(UTC))


def reopen(session: Session, actor: Actor, rnd: Round) -> None:
    """Take a submitted response back to change it, as long as the round is open."""
    require(actor, Action.ANSWER_ROUND, rnd.municipality_id)
    _check_open(rnd.status)
    response = existing_response(session, actor, rnd)
    if response is None:
        raise NotFound(_("Du har ikke svart på denne runden ennå."))
    lock_open(session, rnd)
    _set_submitted(session, rnd, response, None)


def _set_submitted(
    session: Session, rnd: Round, response: Response, moment: datetime | None
) -> None:
    """Submit or take back a response only while the round is still open, in one statement:
    the snapshot taken at close must match exactly what was submitted then."""
    still_open = sa_select(col(Round.status)).where(col(Round.id) == rnd.id).scalar_subquery()
    result = session.execute(
        update(Response)
        .where(col(Response.id) == response.id, still_open == RoundStatus.OPEN)
        .values(submitted_at=moment)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(_("Runden er lukket, så svarene kan ikke endres lenger."))
    session.commit()
    response.submitted_at = moment


def municipality_of(session: Session, rnd: Round) -> Municipality:
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    return municipality
