"""Login, logout and the language switch."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app import i18n
from app.accounts import service
from app.db import SessionDep
from app.i18n import _
from app.web import OptionalActorDep, end_session, redirect, render, start_session

router = APIRouter()


@router.get("/")
def home(actor: OptionalActorDep) -> Response:
    return redirect("/runder" if actor else "/logg-inn")


@router.get("/logg-inn")
def login_page(request: Request, actor: OptionalActorDep) -> Response:
    if actor is not None:
        return redirect("/runder")
    return render(request, "accounts/login.html", {"email": ""})


@router.post("/logg-inn")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    user = service.authenticate(session, email, password)
    if user is None:
        error = _("E-postadressen eller passordet er feil.")
        ctx = {"email": email, "error": error}
        return render(request, "accounts/login.html", ctx, status_code=400)
    start_session(request, user)
    return redirect("/runder")


@router.post("/logg-ut")
def logout(request: Request) -> Response:
    end_session(request)
    return redirect("/logg-inn", _("Du er logget ut."), request)


@router.post("/sprak")
def choose_language(
    request: Request,
    lang: Annotated[str, Form(max_length=2)],
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    if lang not in i18n.LOCALES:
        lang = i18n.DEFAULT_LOCALE
    request.session["lang"] = lang
    # Only local paths, so the switch can't be used to send people elsewhere.
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return redirect(target)
