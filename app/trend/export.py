"""The municipality's own results as a spreadsheet (XLSX) and as CSV: the same figures as the
development page (aggregates from the snapshots, hidden ones left empty), never an answer.

CSV is for Norwegian Excel: UTF-8 with a byte order mark (so æ, ø and å come out right),
`;` between fields and a decimal comma.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.audit import record
from app.authz import Actor
from app.clock import oslo_date
from app.i18n import _, pgettext
from app.results.snapshot import shared_minimum
from app.trend.service import Development, Point, RoundInfo, Series, development
from app.workbooks import describe

Cell = str | float | int | date | None


@dataclass(frozen=True)
class Sheet:
    name: str
    header: list[str]
    rows: list[list[Cell]]


def results_sheets(session: Session, actor: Actor, ip: str) -> tuple[str, list[Sheet]]:
    """The municipality number and its sheets (areas, statements, measures); audited."""
    dev = development(session, actor, shared=True)
    record(session, actor, "results_exported", ip=ip, municipality_id=actor.municipality_id)
    session.commit()
    return dev.municipality.number, [_areas(dev), _statements(dev), _measures(dev)]


def _point_header() -> list[str]:
    return [
        _("Runde (navnet dere ga den)"),
        _("Lukket (dato)"),
        _("Innholdsversjon spørsmålene er hentet fra"),
    ]


def _value_header(dev: Development) -> list[str]:
    return [
        _("Poeng 0–100 (tomt: færre enn %(n)s sto bak, eller ikke spurt)")
        % {"n": shared_minimum(dev.needed)},
        _("Endring i poeng siden runden før (tomt: ingen runde før, eller ikke sammenlignbar)"),
        _("Direkte sammenlignbar med runden før (ja/nei; tomt: ingen runde før)"),
        _("Merknad"),
    ]


def _areas(dev: Development) -> Sheet:
    header = [*_point_header(), _("Område-id (fast)"), _("Område"), *_value_header(dev)]
    rows = [
        [*_round_cells(dev, p), trend.area.id, trend.series.label, *_value_cells(p, i)]
        for trend in dev.areas
        for i, p in enumerate(trend.series.points)
    ]
    return Sheet(_("Områder"), header, rows)


def _statements(dev: Development) -> Sheet:
    header = [
        *_point_header(),
        _("Område-id (fast)"),
        _("Påstand-id (fast)"),
        _("Påstand"),
        *_value_header(dev),
    ]
    rows = [
        [*_round_cells(dev, p), trend.area.id, st.key, _label(st), *_value_cells(p, i)]
        for trend in dev.areas
        for st in trend.statements
        for i, p in enumerate(st.points)
    ]
    return Sheet(_("Påstander"), header, rows)


def _measures(dev: Development) -> Sheet:
    header = [
        _("Runden tiltaket svarer på"),
        pgettext("kolonne", "Tiltak"),
        _("Område-id (tomt: hele tjenesten)"),
        _("Ansvarlig"),
        _("Frist (dato)"),
        _("Status"),
        _("Gjennomført (dato)"),
        _("Oppfølging"),
    ]
    rows: list[list[Cell]] = [
        [_info(dev, m.round_id).round.name, m.title, m.area_id, m.owner, m.due, m.status, m.done_on,
         m.follow_up]
        for m in dev.measures
    ]  # fmt: skip
    return Sheet(_("Tiltak"), header, rows)


def _label(series: Series) -> str:
    return series.label + (f" ({_('ikke lenger med')})" if series.retired else "")


def _round_cells(dev: Development, point: Point) -> list[Cell]:
    info = _info(dev, point.round_id)
    closed = oslo_date(info.round.closed_at) if info.round.closed_at else None  # as shown
    return [point.round_name, closed, info.version]


def _info(dev: Development, round_id: int) -> RoundInfo:
    return next(r for r in dev.rounds if r.round.id == round_id)


def _value_cells(point: Point, index: int) -> list[Cell]:
    """The point's figures; `index` is its place in its series (the first has none before)."""
    return [
        None if point.score is None else round(point.score, 1),
        None if point.change is None else round(point.change, 1),
        None if index == 0 or point.score is None else _("ja") if point.comparable else _("nei"),
        point.note,
    ]


def to_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook with one sheet each, a bold explaining header row frozen at the top."""
    # Imported here, as WeasyPrint is: openpyxl is 9 MB in every app process that never exports.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    describe(book, _("Resultater fra Gode grep"))
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        ws.append(sheet.header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            ws.append(row)
        ws.freeze_panes = "A2"
        for column in ws.iter_cols(min_row=1, max_row=1):
            ws.column_dimensions[column[0].column_letter].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheets: list[Sheet]) -> bytes:
    """Areas and statements in one table: the statement columns are empty on area rows."""
    areas, statements = sheets[0], sheets[1]
    names = {row[3]: row[4] for row in areas.rows}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    kind = _("Nivå (område eller påstand)")
    writer.writerow([kind, *areas.header[:5], *statements.header[4:]])
    for row in areas.rows:
        writer.writerow([_("område"), *map(_csv, row[:5]), "", "", *map(_csv, row[5:])])
    for row in statements.rows:
        area = names.get(row[3], "")
        writer.writerow([_("påstand"), *map(_csv, row[:4]), area, *map(_csv, row[4:])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
