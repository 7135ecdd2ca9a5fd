"""Pages for rounds: the list and the new-round form, a round's overview, answering area by
area, submitting, and the manager's changes to an open round (ending one, by closing or
cancelling it: app/rounds/ending_routes.py)."""

import logging
import time
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.authz import Access, Action, Decision, can
from app.clock import OSLO
from app.content.service import current_guidance
from app.db import SessionDep, in_database_thread
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import _, ngettext
from app.notices.service import notify_round_opened
from app.results.service import min_respondents
from app.rounds import cancel, fastsave, hotpath, invitees, lifecycle, overlap, respondents, service
from app.rounds.forms import AnswerForm, parse_answer_form
from app.rounds.models import Round
from app.settings import get_settings
from app.web import (
    ActorDep,
    AllowInHandler,
    Id,
    Kind,
    accept_login,
    allow,
    check_request,
    client_ip,
    csrf_protect,
    is_htmx,
    redirect,
    reject_control_characters,
    render,
    render_blocks,
    session_token,
    without_control_characters,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/runder")
# The autosave alone: included without the request-check dependency, which it calls itself.
save_router = APIRouter(prefix="/runder")
# Room for twice the addresses a manager may paste at once (invitees.MAX_NEW), so one list too
# long gets the cap's own message from invitees.parse_addresses rather than a bare refusal.
NEW_PEOPLE_CHARS = 2 * invitees.MAX_NEW * 256


@router.get("", dependencies=[allow(Access.MUNICIPALITY)])
def list_page(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    return render(request, "rounds/list.html", _list_context(session, actor))


@router.post("", dependencies=[allow(Access.MANAGER)])
def create(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=100)] = "",
    participants: Annotated[str, Form(max_length=40)] = "",
    deadline: Annotated[str, Form(max_length=10)] = "",
    respondents: Annotated[list[str] | None, Form(max_length=12)] = None,
    modules: Annotated[list[str] | None, Form(max_length=80)] = None,
    new_people: Annotated[str, Form(max_length=NEW_PEOPLE_CHARS)] = "",
    invited: Annotated[list[str] | None, Form(max_length=254)] = None,
    *,
    background: BackgroundTasks,
) -> Response:
    try:
        addresses = invitees.parse_addresses(new_people)
        rnd = service.create_round(
            session,
            actor,
            name,
            _optional_int(participants),
            _optional_date(deadline),
            [_id(v) for v in respondents or []],
            modules or [],
            addresses,
            invitees.parse_chosen(invited or []),
        )
    except InvalidInput as exc:
        # Re-show the form with what was typed and the reason, so nothing is lost.
        typed = {
            "name": name,
            "participants": participants,
            "deadline": deadline,
            "respondents": respondents or [],
            "modules": modules or [],
            "new_people": new_people,
            "invited": invited or [],
        }
        ctx = {
            **_list_context(session, actor),
            "typed": typed,
            "error": exc.message,
            "error_field": exc.field,
        }
        return render(request, "rounds/list.html", ctx, status_code=422)
    # The "round opened" mail goes after the response (a slow mail server does not hold up
    # the page); a mail that fails is claimed again and sent by the jobs command.
    background.add_task(_announce, session, rnd.id)
    invited_now = invitees.send_invitations(session, actor, rnd, client_ip(request))
    return redirect(f"/runder/{rnd.id}", invited_now.message(), request, invited_now.kind)


def _announce(session: SessionDep, round_id: int | None) -> None:
    """The request's session, used again once the response is out (it is closed after this
    runs: see app.db.RequestSessions)."""
    try:
        rnd = session.get(Round, round_id)
        if rnd is not None:
            notify_round_opened(session, rnd)
    except Exception:  # after the response: nobody to tell but the log; the jobs retry
        log.exception("round %s: the round-opened mail was left to the jobs command", round_id)
    finally:
        session.rollback()  # nothing is left to write: this hands back the connection


def _list_context(session: SessionDep, actor: ActorDep) -> dict[str, object]:
    can_create = can(actor, Action.MANAGE_ROUND, actor.municipality_id) is Decision.ALLOW
    people = respondents.possible_respondents(session, actor.municipality_id or 0)
    busy = overlap.busy(session, actor.municipality_id or 0) if can_create else {}
    invited = (
        invitees.invited_not_registered(session, actor.municipality_id or 0) if can_create else []
    )
    return {
        "rounds": service.list_rounds(session, actor),
        "submitted": respondents.own_submissions(session, actor),
        "can_create": can_create,
        "people": people if can_create else [],
        "invited": invited,  # on /kommune, with no account yet
        "busy": busy,
        "listed_busy": [busy[u.email] for u in people if u.email in busy],  # round names
        "modules": current_guidance().modules if can_create else (),
        "typed": None,
        "max_new": invitees.MAX_NEW,
    }


@router.get("/{round_id}", dependencies=[allow(Access.MUNICIPALITY)])
def round_page(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.VIEW_ROUND)
    return render(request, "rounds/round.html", _overview(session, actor, rnd))


@router.get("/{round_id}/omrade/{area_id}", dependencies=[allow(Access.MUNICIPALITY)])
def area_page(
    request: Request, round_id: Id, area_id: str, actor: ActorDep, session: SessionDep
) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    return render(request, "rounds/area.html", _area_context(session, actor, rnd, area_id))


SAVE_ACCESS = AllowInHandler(Access.MUNICIPALITY)


# The autosave, every click on a level: the busiest route, kept to one function rather than a
# chain of dependencies, and one query before the write (see app/rounds/hotpath.py): on the
# event loop for the usual save (app/rounds/fastsave.py), else in one trip to a worker
# thread. Same rules as any other route: SAVE_ACCESS is its declared access, decided on the
# login that query finds; control characters and CSRF are checked first, by the same function
# every other route has as a dependency.
@save_router.post("/{round_id}/omrade/{area_id}", dependencies=[Depends(SAVE_ACCESS)])
async def save_area(request: Request, round_id: Id, area_id: str, session: SessionDep) -> Response:
    try:
        await check_request(request)
    except InvalidInput:  # control characters
        if is_htmx(request):
            raise
        args = (request, session, round_id, area_id, await request.form())
        return await run_in_threadpool(_without_control_characters, *args)
    form = parse_answer_form(await request.form())
    now = time.time()
    sid = session_token(request, now) or ""

    def accept(found: hotpath.Found | None) -> None:
        SAVE_ACCESS.enforce(accept_login(request, found.actor if found else None, now))

    def work() -> service.Progress:
        found = hotpath.find(session, sid, datetime.fromtimestamp(now, UTC), round_id)
        accept(found)
        assert found is not None
        return service.autosave(session, found, form)

    try:
        progress = await fastsave.try_save(session, sid, now, round_id, form, accept)
        if progress is None:
            progress = await in_database_thread(session, work)
    except InvalidInput as exc:
        return await run_in_threadpool(_not_saved, request, session, round_id, area_id, form, exc)
    except Conflict as exc:  # the round closed, or the response was submitted from elsewhere
        if is_htmx(request):
            raise  # the message goes to the page's status line; the text stays in the field
        return await run_in_threadpool(_too_late, request, session, round_id, area_id, form, exc)
    if not is_htmx(request):
        url = await run_in_threadpool(_goto_url, session, round_id, area_id, form.goto or "next")
        return redirect(url, _("Svarene er lagret."), request)
    saved_at = datetime.now(OSLO).strftime("%H:%M:%S")
    ctx = {
        "progress": progress,
        "saved": True,
        "saved_at": saved_at,
        # A comment sent again as saved (on leaving the field, or only trimmed) is saved too.
        "saved_statements": [
            *form.answers,
            *(f"comment-{a}" for a in [*form.comments, *form.unchanged]),
        ],
    }
    blocks = ["save_status", "progress", "statement_status"]
    return render_blocks(request, "rounds/area.html", blocks, ctx)


def _not_saved(
    request: Request,
    session: SessionDep,
    round_id: int,
    area_id: str,
    form: AnswerForm,
    exc: InvalidInput,
) -> Response:
    """Re-show what was typed with the reason, so nothing the user wrote is lost. A comment
    saved elsewhere meanwhile is shown below the one typed here; the page's `was.` field now
    holds it, so pressing a button again writes over it knowingly."""
    actor = request.state.actor
    rnd = service.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    ctx = _area_context(session, actor, rnd, area_id, typed=form, error=exc.message)
    ctx["error_field"] = exc.field
    ctx["may_keep"] = isinstance(exc, service.CommentTooLong)
    if isinstance(exc, service.CommentChanged):
        ctx["saved_elsewhere"] = exc.saved
    blocks = ["save_status"]
    return render(request, "rounds/area.html", ctx, blocks=blocks, status_code=exc.status_code)


def _without_control_characters(
    request: Request, session: SessionDep, round_id: int, area_id: str, sent: FormData
) -> Response:
    """A button pressed on a page without script, with control characters in what was sent (a
    text copied from Word keeps its soft line breaks as vertical tabs; with script, autosave.js
    leaves them out of a paste). Refused like any, but with the page again, the text as typed
    less those characters (line breaks as line breaks), to press the button again: never an
    error page that loses the text. Only after the checks a save would pass."""
    reject_control_characters(request, None)  # in the address: refused as anywhere
    csrf_protect(request, sent)
    now = time.time()
    when = datetime.fromtimestamp(now, UTC)
    found = hotpath.find(session, session_token(request, now) or "", when, round_id)
    SAVE_ACCESS.enforce(accept_login(request, found.actor if found else None, now))
    form = parse_answer_form(
        {key: without_control_characters(value) for key, value in sent.items()}
    )
    message = _(
        "Det du skrev, inneholdt usynlige kontrolltegn som vi ikke kan ta imot, for eksempel "
        "fra en tekst som er kopiert fra et annet program. Vi har tatt dem bort. Se over "
        "teksten og trykk knappen igjen. Ingenting er lagret ennå."
    )
    refused = InvalidInput(message, field=f"c.{area_id}" if area_id in form.comments else None)
    return _not_saved(request, session, round_id, area_id, form, refused)


def _too_late(
    request: Request,
    session: SessionDep,
    round_id: int,
    area_id: str,
    form: AnswerForm,
    exc: Conflict,
) -> Response:
    """A button pressed after the answers were locked: the page as it now is, read-only, with
    the reason and the comment that was not saved, to copy."""
    actor = request.state.actor
    rnd = service.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    ctx = _area_context(session, actor, rnd, area_id, error=exc.message) | {"unsaved": form}
    return render(request, "rounds/area.html", ctx, status_code=exc.status_code)


def _goto_url(session: SessionDep, round_id: int, area_id: str, goto: str) -> str:
    """Where a plain form post goes once it has saved: every way out of the page saves first."""
    rnd = session.get(Round, round_id)
    assert rnd is not None  # it was just saved to
    areas = [a.id for a in service.guidance_of(session, rnd).areas]
    index = areas.index(area_id) if area_id in areas else len(areas)
    step = {"next": 1, "previous": -1}.get(goto)
    if step is not None and 0 <= index + step < len(areas):
        return f"/runder/{round_id}/omrade/{areas[index + step]}"
    return f"/runder/{round_id}"


@router.post("/{round_id}/send-inn", dependencies=[allow(Access.MUNICIPALITY)])
def submit(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    try:
        service.submit(session, actor, rnd)
    except InvalidInput as exc:
        ctx = {**_overview(session, actor, rnd), "error": exc.message, "error_field": exc.field}
        return render(request, "rounds/round.html", ctx, status_code=422)
    msg = _("Takk! Svaret ditt er sendt inn. Her er dine egne resultater og råd.")
    return redirect(f"/runder/{rnd.id}/mine-resultater", msg, request)


@router.post("/{round_id}/gjenapne", dependencies=[allow(Access.MUNICIPALITY)])
def reopen(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.ANSWER_ROUND)
    service.reopen(session, actor, rnd)
    msg = _("Svaret ditt er åpnet igjen. Husk å sende det inn på nytt når du er ferdig.")
    return redirect(f"/runder/{rnd.id}", msg, request)


@router.post("/{round_id}/svarere", dependencies=[allow(Access.MANAGER)])
def add_respondent(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    user: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    try:
        lifecycle.add_respondent(session, actor, rnd, _id(user))
    except InvalidInput as exc:  # e.g. in another open round since the page was read
        return redirect(f"/runder/{rnd.id}", exc.message, request, "warning")
    msg = _("Personen er lagt til. Alle som svarer, ser at hen ble lagt til etter start.")
    return redirect(f"/runder/{rnd.id}", msg, request)


@router.post("/{round_id}/frist", dependencies=[allow(Access.MANAGER)])
def extend_deadline(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    deadline: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    try:
        lifecycle.extend_deadline(session, actor, rnd, _optional_date(deadline))
    except InvalidInput as exc:  # the page again, the date as typed, the reason at the field
        ctx = {**_overview(session, actor, rnd), "deadline_error": exc.message, "typed": deadline}
        return render(request, "rounds/round.html", ctx, status_code=422)
    return redirect(f"/runder/{rnd.id}", _("Fristen er flyttet."), request)


@router.post("/{round_id}/paminnelse", dependencies=[allow(Access.MANAGER)])
def remind(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = service.get_round(session, actor, round_id, Action.MANAGE_ROUND)
    reminded = lifecycle.remind_unfinished(session, actor, rnd)
    sent, pending = reminded.sent, reminded.unreachable
    if sent:
        msg = ngettext(
            "Påminnelsen er sendt til %(num)s person som ikke er ferdig.",
            "Påminnelsen er sendt til %(num)s personer som ikke er ferdige.",
            sent,
        ) % {"num": sent}
    elif reminded.only_sender and pending:
        msg = _("Ingen fikk påminnelse: av dem som har konto, er det bare du som ikke er ferdig.")
    elif reminded.only_sender:
        msg = _("Ingen fikk påminnelse: du er den eneste som ikke er ferdig.")
    else:
        msg = _("Ingen fikk påminnelse nå: alle er ferdige, eller de har alt fått en i dag.")
    if pending:  # no account yet, so no address to remind at; their invitation can go again
        msg += " " + ngettext(
            "%(num)s person har ikke tatt imot invitasjonen sin ennå og fikk ingen påminnelse. "
            "Invitasjonen kan sendes på nytt fra siden Kommunen.",
            "%(num)s personer har ikke tatt imot invitasjonen sin ennå og fikk ingen påminnelse. "
            "Invitasjonen kan sendes på nytt fra siden Kommunen.",
            pending,
        ) % {"num": pending}
    kind: Kind = "warning" if pending else "success" if sent else "info"  # a catch, done, a fact
    return redirect(f"/runder/{rnd.id}", msg, request, kind)


def _overview(session: SessionDep, actor: ActorDep, rnd: Round) -> dict[str, object]:
    guidance = service.guidance_of(session, rnd)
    response = service.existing_response(session, actor, rnd)
    progress = service.progress(session, guidance, response) if response else None
    can_manage = can(actor, Action.MANAGE_ROUND, rnd.municipality_id) is Decision.ALLOW
    counts = lifecycle.counts(session, rnd) if can_manage else None
    invited = respondents.respondents(session, rnd)
    invited_emails = {r.email for r in invited}
    busy = overlap.busy(session, rnd.municipality_id, rnd.id) if can_manage else {}
    others = [
        u
        for u in respondents.possible_respondents(session, rnd.municipality_id)
        if u.email not in invited_emails
    ]
    addable = [u for u in others if u.email not in busy]
    return {
        "rnd": rnd,
        "guidance": guidance,
        "response": response,
        "progress": progress,
        "counts": counts,
        "can_manage": can_manage,
        "respondents": invited,
        "may_answer": respondents.is_respondent(session, actor, rnd),
        "addable": addable if can_manage else [],
        # in another open round: not addable (how many, and which rounds)
        "busy_elsewhere": len(others) - len(addable),
        "may_cancel": counts is not None and cancel.cancellable(rnd, counts.started),
        "busy_rounds": list(dict.fromkeys(busy[u.email] for u in others if u.email in busy)),
        "uninvited": invitees.without_invitation(session, rnd) if can_manage else [],
    }


def _area_context(
    session: SessionDep,
    actor: ActorDep,
    rnd: Round,
    area_id: str,
    typed: AnswerForm | None = None,
    error: str | None = None,
) -> dict[str, object]:
    guidance = service.guidance_of(session, rnd)
    areas = [a.id for a in guidance.areas]
    if area_id not in areas:
        raise NotFound(_("Området finnes ikke i denne runden."))
    response = service.existing_response(session, actor, rnd)
    if response is None and not respondents.is_respondent(session, actor, rnd):
        raise Forbidden(_("Du er ikke invitert til å svare på denne runden."))
    stored = service.answers_of(session, response) if response else {}
    stored_comments = service.comments_of(session, response) if response else {}
    answers, comments = dict(stored), dict(stored_comments)
    if typed is not None:
        answers |= typed.answers
        comments |= typed.comments
    index = areas.index(area_id)
    return {
        "rnd": rnd,
        "guidance": guidance,
        "area": guidance.areas[index],
        "number": index + 1,
        "previous": areas[index - 1] if index > 0 else None,
        "next": areas[index + 1] if index + 1 < len(areas) else None,
        "answers": answers,
        "comments": comments,
        "stored": stored,  # as saved: the form's `was.` fields (see app/rounds/forms.py)
        "stored_comments": stored_comments,
        "progress": service.progress(session, guidance, response) if response else None,
        "locked": bool(response and response.submitted_at) or rnd.status != "open",
        "error": error,
        "saved_elsewhere": None,  # a comment saved from elsewhere meanwhile (CommentChanged)
        "minimum": min_respondents(guidance),  # behind any comment the manager reads
        "max_comment": get_settings().max_comment_length,
    }


def _optional_int(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    # isascii: "²" and other Unicode digits pass isdigit() but are no number to int().
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(
            _("Antall deltakere må være et helt tall, 0 eller mer (bare sifre)."),
            field="round-participants",
        )
    return int(value)


def _id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise InvalidInput(_("Velg bare blant de ansatte i kommunen."))
    return int(value)


def _optional_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _("Fristen må være en dato, for eksempel 2027-03-31."), field="round-deadline"
        ) from None
