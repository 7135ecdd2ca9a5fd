"""The national table and its signals as CSV (UTF-8 with BOM, `;`, for Excel in Norway) and
XLSX (numbers as numbers, a frozen header, a sheet explaining every column)."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from app.accounts.service import size_name
from app.clock import oslo_date
from app.content.service import current_guidance
from app.i18n import _, current_locale
from app.results.service import min_respondents
from app.results.snapshot import shared_minimum
from app.review.national import Overview, Row, signal_rules
from app.workbooks import describe

Value = str | float | int | date | None


def _columns(ov: Overview) -> list[tuple[str, str]]:
    """(header, what the column holds) for the national table."""
    loc = current_locale()
    fixed = [
        (_("Kommunenummer"), _("Kommunenummeret.")),
        (_("Kommune"), _("Kommunens navn.")),
        (_("Fylke"), _("Fylket kommunen ligger i.")),
        (_("Størrelse"), _("Størrelsesgruppe etter innbyggertall.")),
        (_("Runde"), _("Den siste runden kommunen har delt med KS.")),
        (_("Lukket"), _("Datoen runden ble lukket (ÅÅÅÅ-MM-DD).")),
        (_("Delt"), _("Datoen runden ble delt med KS (ÅÅÅÅ-MM-DD).")),
        (_("Svar"), _("Hvor mange som sendte inn svar i runden.")),
    ]
    minimum = min_respondents(current_guidance())
    fewer = _("Poeng 0–100 for området; tomt der færre enn %(n)s står bak tallet.") % {
        "n": shared_minimum(minimum)
    }
    areas = [(a.title[loc], fewer) for a in ov.areas]
    return [*fixed, *areas, (_("Signaler"), _("Signalene runden utløser, skilt med |."))]


def _row(row: Row) -> list[Value]:
    return [
        row.number,
        row.name,
        row.county or "",
        size_name(row.size_class).capitalize(),  # as the page writes it
        row.round_name,
        oslo_date(row.closed_at),  # the day as the page shows it, in Norway
        oslo_date(row.shared_at),
        row.respondents,
        *[round(s, 1) if s is not None else None for s in row.scores],
        " | ".join(line.text for line in row.signal_lines),
    ]


def _rows(ov: Overview) -> Iterator[list[Value]]:
    for row in ov.rows:
        yield _row(row)


def csv_bytes(ov: Overview) -> bytes:
    """The table as CSV: a header row, then one row per municipality."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([h for h, _x in _columns(ov)])
    for values in _rows(ov):
        writer.writerow(
            [
                "" if v is None else str(v).replace(".", ",") if isinstance(v, float) else v
                for v in values
            ]  # a date prints as ÅÅÅÅ-MM-DD
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(ov: Overview) -> bytes:
    """The table, the signals and an explanation of every column, one sheet each."""
    from openpyxl import Workbook  # imported here: see app.trend.export.to_xlsx

    book = Workbook()
    describe(book, _("Nasjonal oversikt fra Gode grep"))
    table = book.active
    assert table is not None
    table.title = _("Oversikt")
    columns = _columns(ov)
    _sheet(table, [h for h, _x in columns], list(_rows(ov)))
    signals = book.create_sheet(_("Signaler"))
    header = [_("Kommune"), _("Fylke"), _("Runde"), _("Signal")]
    lines: list[list[Value]] = [
        [r.name, r.county or "", r.round_name, line.text]
        for r in ov.flagged
        for line in r.signal_lines
    ]
    _sheet(signals, header, lines)
    explain = book.create_sheet(_("Forklaring"))
    rules: list[list[Value]] = [[_("Signal"), text] for _k, text in signal_rules()]
    described: list[list[Value]] = [[h, d] for h, d in columns]
    _sheet(explain, [_("Kolonne"), _("Forklaring")], described + rules)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Any, header: list[str], rows: list[list[Value]]) -> None:
    from openpyxl.styles import Font

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):  # a date cell, shown as ÅÅÅÅ-MM-DD
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
