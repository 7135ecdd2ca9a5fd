"""The development page, the council report (page and PDF) and the results exports."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access
from app.db import SessionDep
from app.trend import view
from app.web import ActorDep, allow, render

router = APIRouter()


@router.get("/utvikling", dependencies=[allow(Access.MANAGER)])
def development(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    page = view.development_page(session, actor)
    return render(request, "trend/development.html", {"page": page})
