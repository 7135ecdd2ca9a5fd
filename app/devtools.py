"""Pages for the developer of the local demo only (404 unless GODEGREP_DEMO is on)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access
from app.web import allow, render

router = APIRouter(prefix="/utvikler")


@router.get("/epost", dependencies=[allow(Access.DEVELOPER)])
def sent_mail(request: Request) -> Response:
    inbox = getattr(request.app.state, "inbox", None)
    messages = list(reversed(inbox.messages)) if inbox else []
    return render(request, "dev/mail.html", {"messages": messages, "running": inbox is not None})
