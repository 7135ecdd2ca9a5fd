"""The development page, the council report (page and PDF) and the results exports."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.authz import Access
from app.db import SessionDep
from app.templating import templates
from app.trend import export, pdf, view
from app.trend import report as reports
from app.web import ActorDep, Id, allow, client_ip, render

router = APIRouter()


@router.get("/utvikling", dependencies=[allow(Access.MANAGER)])
def development(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    page = view.development_page(session, actor)
    return render(request, "trend/development.html", {"page": page})


@router.get("/runder/{round_id}/rapport", dependencies=[allow(Access.MANAGER)])
def report_page(request: Request, round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    report = reports.council_report(session, actor, round_id)
    return render(request, "trend/report.html", {"report": report})


@router.get("/runder/{round_id}/rapport.pdf", dependencies=[allow(Access.MANAGER)])
def report_pdf(round_id: Id, actor: ActorDep, session: SessionDep) -> Response:
    report = reports.council_report(session, actor, round_id)
    template = templates.env.get_template("trend/report_pdf.html")
    html = template.render(report=report, css=reports.report_css())
    filename = report.filename
    return Response(
        pdf.pdf_bytes(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/utvikling/eksport.xlsx", dependencies=[allow(Access.MANAGER)])
def export_xlsx(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    number, sheets = export.results_sheets(session, actor, client_ip(request))
    return _download(export.to_xlsx(sheets), XLSX, f"gode-grep-resultater-{number}.xlsx")


@router.get("/utvikling/eksport.csv", dependencies=[allow(Access.MANAGER)])
def export_csv(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    number, sheets = export.results_sheets(session, actor, client_ip(request))
    csv_type = "text/csv; charset=utf-8"
    return _download(export.to_csv(sheets), csv_type, f"gode-grep-resultater-{number}.csv")


def _download(data: bytes, media_type: str, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
