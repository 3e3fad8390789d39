"""Tables as files people download: CSV, XLSX (Excel) and ODS (LibreOffice, OpenOffice).

Every export in SaferStat (data annexes, tables beside charts, audit logs) goes through this
module, so every one is protected the same way against formula injection: a spreadsheet
treats a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or a
carriage return) as a formula, and a formula can run commands or send data elsewhere
(OWASP "CSV Injection"). `safe_cell` puts an apostrophe in front of such text, which
spreadsheets show as text. Numbers are written as numbers, so `-3` is still minus three.

XLSX and ODS cells are typed: numbers are numbers, dates are dates, booleans are booleans,
text is text and `None` is an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

#: Characters that make a spreadsheet read text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Format name -> (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
}

# Characters XML 1.0 (so XLSX and ODS) cannot hold, which have no place in a report anyway:
# C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | Decimal | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Sheet:
    """One table in a workbook: a name, a header row and the rows under it."""

    name: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def safe_cell(value: Any) -> Cell:
    """The value as it should be written to a spreadsheet cell.

    Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers,
    booleans and dates are returned as they are (a negative number stays a number).
    Aware datetimes become local time without a zone (spreadsheets have no time zones),
    infinite and not-a-number floats become empty cells, and anything else becomes text.

    >>> safe_cell("=HYPERLINK(\\"http://evil\\")"), safe_cell(-3), safe_cell("-3")
    ('\\'=HYPERLINK("http://evil")', -3, "'-3")
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    text = _NOT_XML.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _safe_row(row: Sequence[Any]) -> list[Cell]:
    return [safe_cell(value) for value in row]


def _sheet_name(name: str, used: set[str]) -> str:
    """A sheet name both Excel and LibreOffice accept: at most 31 characters, no []:*?/\\."""
    base = _SHEET_NAME_BAD.sub(" ", _NOT_XML.sub("", str(name))).strip().strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


# ---------------------------------------------------------------------------------- CSV


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(v) for v in _safe_row(header)])
    for row in rows:
        writer.writerow([_csv_text(v) for v in _safe_row(row)])
    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------------- XLSX


def workbook_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook with one worksheet per table; the header row is bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_name(sheet.name, used))
        worksheet.freeze_panes = "A2"
        header = _safe_row(sheet.header)
        for index, title in enumerate(header, start=1):
            width = min(60, max(10, len(_csv_text(title)) + 2))
            worksheet.column_dimensions[get_column_letter(index)].width = width
        header_cells = []
        for title in header:
            cell = WriteOnlyCell(worksheet, value=title)
            cell.font = bold
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append(_safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Data"
) -> bytes:
    """The table as a one-sheet Excel workbook."""
    return workbook_xlsx([Sheet(sheet_name, header, rows)])


# ---------------------------------------------------------------------------------- ODS


def _ods_cell(value: Cell, style=None):
    from odf.table import TableCell
    from odf.teletype import addTextToElement
    from odf.text import P

    attributes = {"stylename": style} if style is not None else {}
    if value is None:
        return TableCell(**attributes)
    if isinstance(value, bool):
        cell = TableCell(
            valuetype="boolean", booleanvalue="true" if value else "false", **attributes
        )
        shown = "TRUE" if value else "FALSE"
    elif isinstance(value, int | float | Decimal):
        cell = TableCell(valuetype="float", value=str(value), **attributes)
        shown = str(value)
    elif isinstance(value, dt.datetime | dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attributes)
        shown = _csv_text(value)
    else:
        cell = TableCell(valuetype="string", **attributes)
        shown = value
    paragraph = P()
    addTextToElement(paragraph, shown)
    cell.addElement(paragraph)
    return cell


def workbook_ods(sheets: Sequence[Sheet]) -> bytes:
    """An OpenDocument spreadsheet with one table per sheet; the header row is bold."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TextProperties
    from odf.table import Table, TableRow

    document = OpenDocumentSpreadsheet()
    bold = Style(name="header", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    used: set[str] = set()
    for sheet in sheets:
        table = Table(name=_sheet_name(sheet.name, used))
        header_row = TableRow()
        for value in _safe_row(sheet.header):
            header_row.addElement(_ods_cell(value, bold))
        table.addElement(header_row)
        for row in sheet.rows:
            table_row = TableRow()
            for value in _safe_row(row):
                table_row.addElement(_ods_cell(value))
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def export_ods(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Data"
) -> bytes:
    """The table as a one-sheet OpenDocument spreadsheet."""
    return workbook_ods([Sheet(sheet_name, header, rows)])


# ------------------------------------------------------------------------------ dispatch


def export_table(
    fmt: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Data"
) -> bytes:
    """The table in `fmt` ("csv", "xlsx" or "ods")."""
    if fmt == "csv":
        return export_csv(header, rows)
    if fmt == "xlsx":
        return export_xlsx(header, rows, sheet_name=sheet_name)
    if fmt == "ods":
        return export_ods(header, rows, sheet_name=sheet_name)
    raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def export_response(
    fmt: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    sheet_name: str = "Data",
):
    """A download response for a view: the table in `fmt`, saved as `<filename>.<ext>`."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    content = export_table(fmt, header, rows, sheet_name=sheet_name)
    content_type, extension = FORMATS[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
