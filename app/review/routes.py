"""Sharing a round with KS (the manager) and KS's review pages (the adviser)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from app.authz import Access, Action
from app.content.service import current_guidance
from app.db import SessionDep
from app.errors import Conflict, InvalidInput, NotFound
from app.filenames import plain_words
from app.i18n import _
from app.results import view
from app.results.service import min_respondents
from app.results.view import AdviceGrouping
from app.review import adviser, export, lists, national, sending, service, share_check
from app.review.forms import (
    FeedbackForm,
    ShareChoice,
    feedback_form,
    feedback_id,
    share_form,
    size_filter,
)
from app.review.signals import MIN_MUNICIPALITIES
from app.rounds import service as rounds
from app.web import ActorDep, Id, allow, redirect, render

router = APIRouter()
ShareForm = Annotated[ShareChoice, Depends(share_form)]
FeedbackFormDep = Annotated[FeedbackForm, Depends(feedback_form)]


@router.post("/runder/{round_id}/del-med-ks", dependencies=[allow(Access.MANAGER)])
def share(
    request: Request, round_id: Id, actor: ActorDep, session: SessionDep, choice: ShareForm
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.SHARE_ROUND)
    if check := share_check.comments_to_check(session, actor, rnd, choice, changing=False):
        return render(request, "review/share_check.html", {"check": check})
    service.share_round(session, actor, rnd, choice.comments, choice.plan)
    return redirect(f"/runder/{rnd.id}/resultater", _("Runden er delt med KS."), request)


@router.post("/runder/{round_id}/endre-deling", dependencies=[allow(Access.MANAGER)])
def change_share(
    request: Request, round_id: Id, actor: ActorDep, session: SessionDep, choice: ShareForm
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.SHARE_ROUND)
    if check := share_check.comments_to_check(session, actor, rnd, choice, changing=True):
        return render(request, "review/share_check.html", {"check": check})
    url = f"/runder/{rnd.id}/resultater#ks"
    # The message under the section's heading: the boxes look the same before and after, and
    # at the top of the page it was a screen further up, unseen.
    if service.change_share(session, actor, rnd, choice.comments, choice.plan):
        msg = _("Endringen er lagret. KS ser runden slik du nå har valgt.")
        return redirect(url, msg, request, at="ks")
    msg = _("Delingen var allerede slik. Ingenting er endret.")
    return redirect(url, msg, request, "info", at="ks")


@router.post("/runder/{round_id}/trekk-deling", dependencies=[allow(Access.MANAGER)])
def withdraw(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.SHARE_ROUND)
    service.withdraw_share(session, actor, rnd)
    msg = _("Delingen er trukket tilbake. KS ser ikke lenger noe av runden.")
    return redirect(f"/runder/{rnd.id}/resultater", msg, request)


@router.post("/runder/{round_id}/tilbakemelding/svar", dependencies=[allow(Access.MANAGER)])
def reply(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    feedback: Annotated[str, Form(max_length=12)] = "",
    text: Annotated[str, Form(max_length=50_000)] = "",  # too long: shown again, as typed
) -> Response:
    rnd = rounds.get_round(session, actor, round_id, Action.SHARE_ROUND)
    fid = feedback_id(feedback)
    try:
        service.reply_to_feedback(session, actor, rnd, fid, text)
    except (InvalidInput, Conflict) as exc:  # the feedback and the reply as typed, the reason
        sent = service.share_panel(session, actor, rnd).feedback
        fb = next((f for f in sent if f.id == fid), None)
        # Answered already (another leader, or this one in another tab): the text to copy.
        too_late = isinstance(exc, Conflict)
        ctx = {"rnd": rnd, "fb": fb, "typed": text, "error": exc.message, "too_late": too_late}
        return render(request, "review/reply.html", ctx, status_code=exc.status_code)
    # Straight to KS's feedback, where the reply now stands under what it answers.
    msg = _("Svaret ditt er sendt til KS.")
    url = f"/runder/{rnd.id}/resultater#ks-feedback"
    return redirect(url, msg, request, at="ks-feedback")


@router.get("/ks", dependencies=[allow(Access.KS)])
def queue(
    request: Request, actor: ActorDep, session: SessionDep, fylke: str = "", storrelse: str = ""
) -> Response:
    items = lists.review_queue(session, actor, fylke or None, size_filter(storrelse))
    counties = lists.filter_options(session, actor)
    ctx = {"items": items, "counties": counties, "county": fylke, "size": storrelse}
    return render(request, "review/queue.html", ctx)


@router.get("/ks/gjennomgatt", dependencies=[allow(Access.KS)])
def reviewed(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    fylke: str = "",
    storrelse: str = "",
    side: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    found = lists.reviewed_rounds(session, actor, fylke or None, size_filter(storrelse), side)
    counties = lists.filter_options(session, actor)
    chosen = {k: v for k, v in (("fylke", fylke), ("storrelse", storrelse)) if v}
    ctx = {
        "found": found,
        "counties": counties,
        "county": fylke,
        "size": storrelse,
        "newer": f"/ks/gjennomgatt?{urlencode(chosen | {'side': side - 1})}" if side > 1 else "",
        "older": f"/ks/gjennomgatt?{urlencode(chosen | {'side': side + 1})}" if found.more else "",
    }
    return render(request, "review/reviewed.html", ctx)


@router.get("/ks/runder/{round_id}", dependencies=[allow(Access.KS)])
def review(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    rad: AdviceGrouping = "omrade",
) -> Response:
    page = adviser.review_page(session, actor, round_id)
    ctx = {**view.context(page.results, rad), "review": page}
    return render(request, "review/review.html", ctx)


@router.post("/ks/runder/{round_id}/ta", dependencies=[allow(Access.KS)])
def take(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    adviser.take(session, actor, round_id)
    return redirect(f"/ks/runder/{round_id}", _("Du ser på denne runden nå."), request)


@router.post("/ks/runder/{round_id}/frigi", dependencies=[allow(Access.KS)])
def give_back(
    request: Request,
    round_id: Id,
    actor: ActorDep,
    session: SessionDep,
    tatt_av: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,  # as the page showed
) -> Response:
    holder_id = tatt_av or actor.user_id
    holder = adviser.give_back(session, actor, round_id, holder_id)
    if holder_id == actor.user_id:
        msg = _("Du har gitt fra deg runden. En annen rådgiver kan ta den nå.")
    else:
        msg = _("Runden er gitt fri. %(who)s ser ikke lenger på den.") % {"who": holder}
    return redirect(f"/ks/runder/{round_id}", msg, request)


@router.post("/ks/runder/{round_id}/tilbakemelding", dependencies=[allow(Access.KS)])
def save_feedback(
    request: Request, round_id: Id, form: FeedbackFormDep, actor: ActorDep, session: SessionDep
) -> Response:
    try:
        adviser.save_feedback(session, actor, round_id, form.texts, form.send, form.shown)
    except NotFound as exc:
        return _typed_back(request, form.texts, exc)
    except InvalidInput as exc:
        return _review_again(request, session, actor, round_id, form.texts, exc)
    if form.send:  # saved as typed; nothing is sent before the adviser confirms
        return redirect(f"/ks/runder/{round_id}/tilbakemelding/send")
    msg = _("Utkastet er lagret. Kommunen ser det ikke før du sender.")
    return redirect(f"/ks/runder/{round_id}", msg, request)


@router.get("/ks/runder/{round_id}/tilbakemelding/send", dependencies=[allow(Access.KS)])
def confirm_send(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    preview = sending.send_preview(session, actor, round_id)
    return render(request, "review/send.html", {"preview": preview})


@router.post("/ks/runder/{round_id}/tilbakemelding/send", dependencies=[allow(Access.KS)])
def send_feedback(
    request: Request, round_id: Id, form: FeedbackFormDep, actor: ActorDep, session: SessionDep
) -> Response:
    # The confirmation carries the drafts it showed (`s.<area>`): exactly those are sent.
    try:
        sent = sending.send_feedback(session, actor, round_id, form.shown)
    except NotFound as exc:
        return _typed_back(request, form.shown, exc)
    except InvalidInput as exc:  # changed since it was shown (409), or nothing to send
        return _review_again(request, session, actor, round_id, form.shown, exc, confirming=True)
    url = f"/ks/runder/{round_id}"
    # Until it is marked done the round stays in the advisers' queue as not yet reviewed.
    done = _("Er du ferdig med runden, trykk «Marker gjennomgangen som ferdig» nederst på siden.")
    nudge = "" if sent.review_done else " " + done
    if not sent.mailed:
        msg = _("Tilbakemeldingen er sendt og vises hos kommunen, men e-posten kunne ikke sendes.")
        return redirect(url, msg + nudge, request, "warning")
    msg = _("Tilbakemeldingen er sendt. Kommunens ledere har fått e-post.")
    return redirect(url, msg + nudge, request)


@router.post("/ks/runder/{round_id}/ferdig", dependencies=[allow(Access.KS)])
def done(
    request: Request,
    round_id: Id,
    form: FeedbackFormDep,  # the feedback as left on screen
    actor: ActorDep,
    session: SessionDep,
) -> Response:
    try:
        adviser.mark_reviewed(session, actor, round_id, form.texts, form.shown)
    except NotFound as exc:
        return _typed_back(request, form.texts, exc)
    except (InvalidInput, Conflict) as exc:  # a colleague marked it done meanwhile: 409
        return _review_again(request, session, actor, round_id, form.texts, exc)
    return redirect("/ks", _("Gjennomgangen er markert som ferdig."), request)


def _typed_back(request: Request, texts: dict[str, str], exc: NotFound) -> Response:
    """Withdrawn while the adviser wrote: their own text back to copy, nothing of the round
    (a 404 like any other); with nothing typed, the ordinary page."""
    typed = [(area, text) for area, text in texts.items() if text.strip()]
    if not typed:
        raise exc
    titles = {area.id: area.title for area in current_guidance().areas}
    kept = [(titles.get(area, area), text) for area, text in typed]
    return render(request, "review/unshared.html", {"typed": kept}, status_code=404)


def _review_again(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    round_id: int,
    typed: dict[str, str],
    exc: InvalidInput | Conflict,
    confirming: bool = False,
) -> Response:
    """The review page again with every text as typed and the reason at its field;
    `confirming`: refused at the confirmation, where the reason says nothing was sent."""
    page = adviser.review_page(session, actor, round_id)
    ctx = {**view.context(page.results, "omrade"), "review": page, "typed": typed}
    field = exc.field if isinstance(exc, InvalidInput) else None
    changed = exc.changed if isinstance(exc, adviser.DraftChanged) else set()
    # Sent meanwhile exactly as typed here (by a colleague, say): nothing to offer to copy.
    sent = {a: fb.text for a, fb in page.feedback.items() if fb.sent_at is not None}
    as_typed = {a for a in changed if a in sent and adviser.plain(typed.get(a, "")) == sent[a]}
    ctx |= {"error": exc.message, "error_field": field, "changed": changed}
    ctx |= {"sent_as_typed": as_typed, "confirming": confirming}
    return render(request, "review/review.html", ctx, status_code=exc.status_code)


def _overview(
    actor: ActorDep, session: SessionDep, fylke: str, storrelse: str, sorter: str, retning: str
) -> national.Overview:
    size = size_filter(storrelse)
    return national.overview(session, actor, fylke or None, size, sorter, retning == "synkende")


@router.get("/ks/oversikt", dependencies=[allow(Access.KS)])
def overview(
    request: Request,
    actor: ActorDep,
    session: SessionDep,
    fylke: str = "",
    storrelse: str = "",
    sorter: str = "navn",
    retning: str = "",
) -> Response:
    ov = _overview(actor, session, fylke, storrelse, sorter, retning)
    ctx = {
        "ov": ov,
        "county": fylke,
        "size": storrelse,
        "sort": sorter,
        "descending": retning == "synkende",
        "rules": national.signal_rules(),
        "minimum": min_respondents(current_guidance()),
        "min_municipalities": MIN_MUNICIPALITIES,
    }
    return render(request, "review/overview.html", ctx)


@router.get("/ks/oversikt.csv", dependencies=[allow(Access.KS)])
def overview_csv(
    actor: ActorDep, session: SessionDep, fylke: str = "", storrelse: str = ""
) -> Response:
    ov = _overview(actor, session, fylke, storrelse, "navn", "")
    return _download(
        export.csv_bytes(ov), "text/csv; charset=utf-8", _named(fylke, storrelse, "csv")
    )


@router.get("/ks/oversikt.xlsx", dependencies=[allow(Access.KS)])
def overview_xlsx(
    actor: ActorDep, session: SessionDep, fylke: str = "", storrelse: str = ""
) -> Response:
    ov = _overview(actor, session, fylke, storrelse, "navn", "")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(export.xlsx_bytes(ov), xlsx, _named(fylke, storrelse, "xlsx"))


def _named(fylke: str, storrelse: str, suffix: str) -> str:
    """The overview's file as filtered (oversikt-vestland-liten.csv), so two saved files of
    different selections are told apart; the filters as typed in the address."""
    words = ["oversikt", *(plain_words(f, 40) for f in (fylke, storrelse))]
    return "-".join(w for w in words if w) + "." + suffix


def _download(content: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="gode-grep-{name}"'}
    return Response(content, media_type=media_type, headers=headers)
