"""Pages for the developer of the local demo only (404 unless GODEGREP_DEMO is on)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access
from app.errors import NotFound
from app.i18n import _
from app.web import allow, render

router = APIRouter(prefix="/utvikler")


LOOPBACK = {"127.0.0.1", "::1"}


@router.get("/epost", dependencies=[allow(Access.DEVELOPER)])
def sent_mail(request: Request) -> Response:
    # The demo's mail holds live links (password resets): only for the person at this machine.
    if request.client is None or request.client.host not in LOOPBACK:
        raise NotFound(_("Vi fant ikke siden du ba om."))
    inbox = getattr(request.app.state, "inbox", None)
    messages = list(reversed(inbox.messages)) if inbox else []
    return render(request, "dev/mail.html", {"messages": messages, "running": inbox is not None})
