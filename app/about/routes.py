"""Pages everyone may read: about the service (method, sources, privacy) and the
accessibility statement linked from every page's footer."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access
from app.content.service import current_guidance
from app.results.service import min_respondents
from app.web import allow, render

router = APIRouter()


@router.get("/om", dependencies=[allow(Access.PUBLIC)])
def about(request: Request) -> Response:
    guidance = current_guidance()
    ctx = {
        "guidance": guidance,
        "minimum": min_respondents(guidance),
        "core": [a for a in guidance.areas if a.core],
        "modules": guidance.modules,
    }
    return render(request, "about/about.html", ctx)


@router.get("/tilgjengelighet", dependencies=[allow(Access.PUBLIC)])
def accessibility(request: Request) -> Response:
    return render(request, "about/accessibility.html")
