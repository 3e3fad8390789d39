"""Reading a partner file (CSV or the first sheet of an XLSX) into rows with line numbers."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saferstat.analytics.importing import (
    CsvRows,
    IssueCollector,
    ValidationIssue,
)
from saferstat.analytics.partner.schema import (
    MAX_BLANK_ROWS,
    MAX_CELLS,
    MAX_FILE_COLUMNS,
    MAX_ISSUES,
    MAX_LINE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    PartnerValidationError,
    _show,
)

# --- reading files ---------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SUFFIXES = (".csv", ".xlsx")


@dataclass
class RawTable:
    """A file as read, before it is checked against a schema.

    Attributes:
        name: the file's name as the user knows it.
        header: the header cells (the first non-blank row), trailing empty cells removed.
        header_line: the header's line (CSV) or row (XLSX) number.
        rows: ``(line, values)`` for each non-blank data row. CSV values are text; XLSX
            values are what the cell holds (text, number, date or None).
        sha256: SHA-256 of the file's bytes.
        size_bytes: size of the file.
        issues: problems found while reading (bad encoding, formula cells, ...), listed.
        issue_total: how many problems were found while reading.
        truncated: reading stopped at ``max_rows`` data rows.
    """

    name: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[Any]]]
    sha256: str
    size_bytes: int
    issues: list[ValidationIssue] = field(default_factory=list)
    issue_total: int = 0
    truncated: bool = False


def read_table(
    path: str | os.PathLike, *, name: str | None = None, max_rows: int = MAX_ROWS
) -> RawTable:
    """Read a partner file: CSV, or the first sheet of an XLSX workbook.

    CSV: UTF-8 with or without a byte order mark, CRLF or LF line ends, values may be
    quoted. XLSX: read without running anything; a cell holding a formula is reported as an
    error (paste values instead), as is an error value such as ``#N/A``.

    Args:
        path: the file.
        name: its real name when ``path`` is a temporary copy (an upload); decides CSV or XLSX.
        max_rows: read at most this many data rows (more is reported as an error).

    Returns:
        The header and rows, with any problem met while reading.

    Raises:
        PartnerValidationError: the file cannot be read at all (wrong kind, empty, no header).
        OSError: the file cannot be opened.
    """
    path = Path(path)
    display = Path(name).name if name else path.name
    raw = path.read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    issues = IssueCollector(display, MAX_ISSUES, PartnerValidationError, by_line=True)

    def refuse(column: str, reason: str) -> PartnerValidationError:
        issues.add(None, column, reason)
        return issues.error()

    suffix = Path(display).suffix.lower()
    if raw.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise refuse("file", "this is an old Excel (.xls) file: save it as .xlsx or as CSV UTF-8")
    if suffix not in SUFFIXES:
        raise refuse("file", f"{display!r} must be a .csv or .xlsx file")
    if not raw.strip():
        raise refuse("file", "the file is empty")
    if suffix == ".csv" and raw.startswith(_ZIP_MAGIC):
        raise refuse("file", "this is an Excel workbook, not a CSV file: name it .xlsx")
    if suffix == ".xlsx":
        if not raw.startswith(_ZIP_MAGIC):
            raise refuse("file", "this is not an Excel workbook (.xlsx)")
        cells = _xlsx_rows(raw, issues, refuse, max_rows)
    else:
        if raw.startswith(_UTF16_BOMS):
            raise refuse("encoding", "the file is UTF-16 text: save it as CSV UTF-8")
        cells = _csv_rows(raw, issues, refuse)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[Any]]] = []
    truncated = False
    blank = 0
    for line, values in cells:
        if all(_blank(v) for v in values):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise refuse(
                    "rows",
                    f"the file has more than {MAX_BLANK_ROWS:,} blank rows: delete them, or "
                    "save only the rows with data",
                )
            continue  # a blank line keeps its number and holds nothing
        if header is None:
            header = [("" if v is None else str(v)).strip() for v in values]
            while header and not header[-1]:
                header.pop()
            header_line = line
            continue
        if len(rows) >= max_rows:
            truncated = True
            issues.add(
                None,
                "rows",
                f"the file has more than {max_rows:,} data rows: split it into several files "
                "(by period)",
            )
            break
        rows.append((line, values))
    if header is None:
        raise refuse("header", "the file has no header row (it is empty or blank)")
    return RawTable(
        name=display,
        header=header,
        header_line=header_line,
        rows=rows,
        sha256=sha256,
        size_bytes=len(raw),
        issues=issues.listed,
        issue_total=issues.total,
        truncated=truncated,
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_rows(data: bytes, issues: IssueCollector, refuse) -> Iterator[tuple[int, list[Any]]]:
    """``(first line, fields)`` of each CSV row, with exact line numbers (:class:`CsvRows`).

    A row with more than :data:`MAX_FILE_COLUMNS` fields, or more than :data:`MAX_CELLS`
    fields in all, refuses the file at once (a wide file costs far more memory than its
    size). Fields are at most ``csv.field_size_limit()`` characters (128 K) and lines at
    most :data:`MAX_LINE_BYTES`.
    """
    cells = 0
    for start, row in CsvRows(data, issues, max_line_bytes=MAX_LINE_BYTES):
        _check_width(len(row), start, "line", refuse)
        cells += len(row)
        _check_cells(cells, refuse)
        yield start, row


def _check_width(width: int, where: int | None, noun: str, refuse) -> None:
    if width > MAX_FILE_COLUMNS:
        at = f"{noun} {where:,}" if where is not None else f"a {noun}"
        raise refuse(
            "file",
            f"{at} has more than {MAX_FILE_COLUMNS:,} columns (empty ones included); the "
            "file is refused. Keep only the dataset's columns",
        )


def _check_cells(cells: int, refuse) -> None:
    if cells > MAX_CELLS:
        raise refuse(
            "file",
            f"the file has more than {MAX_CELLS:,} cells (empty ones included); the file is "
            "refused. Split it into several files (by period)",
        )


def _xlsx_rows(
    raw: bytes, issues: IssueCollector, refuse, max_rows: int
) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, values)`` of the first sheet; formula and error cells are reported."""
    import openpyxl  # only needed for workbooks

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse("file", f"this is not a readable Excel workbook ({exc})") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise refuse(
            "file",
            f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_XLSX_UNPACKED_BYTES:,}",
        )
    # Count cells and texts before openpyxl reads anything: opening a workbook already
    # parses a sheet that records no dimensions, and a row is built whole in memory.
    names = set(archive.namelist())
    for member in sorted(n for n in names if _is_shared_strings(n)):
        _xlsx_scan(archive, member, refuse, strings=True)
    for index, (title, member) in enumerate(_xlsx_sheets(raw, refuse)):
        if member in names:
            _xlsx_scan(archive, member, refuse, strings=False, sheet=title if index else None)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(raw), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise refuse(
            "file", f"this is not a readable Excel workbook ({type(exc).__name__})"
        ) from None
    try:
        sheets = book.worksheets
        if not sheets or not hasattr(sheets[0], "iter_rows"):
            raise refuse("file", "the first sheet of the workbook is not a worksheet")
        sheet = sheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        rows = []
        headers: list[str] = []
        for cells in sheet.iter_rows():
            line = next((c.row for c in cells if getattr(c, "row", None)), None)
            if line is None:
                continue  # an empty row
            values = []
            for index, cell in enumerate(cells):
                value = cell.value
                if cell.data_type == "f":
                    column = headers[index] if index < len(headers) else f"column {index + 1}"
                    issues.add(
                        line,
                        column or f"column {index + 1}",
                        f"holds a formula ({_show(value)}): formulas are not run; paste the "
                        "values instead (Paste Special, Values)",
                    )
                    value = None
                elif cell.data_type == "e":
                    column = headers[index] if index < len(headers) else f"column {index + 1}"
                    issues.add(
                        line,
                        column or f"column {index + 1}",
                        f"holds the error value {_show(value)}",
                    )
                    value = None
                values.append(value)
            if not headers and not all(_blank(v) for v in values):
                headers = [("" if v is None else str(v)).strip() for v in values]
            rows.append((line, values))
            if len(rows) > max_rows + 1:
                break  # the header and one row too many: enough to report the limit
    finally:
        book.close()
    return iter(rows)


#: A row, cell or shared-string start tag in a workbook's XML (any namespace prefix).
_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|si)(?=[\s/>])([^<>]*)")
_CELL_REF = re.compile(rb"\sr=[\"']([A-Za-z]{1,3})(\d+)[\"']")
_ROW_REF = re.compile(rb"\sr=[\"'](\d+)[\"']")
_SCAN_PIECE = 1 << 20


def _is_shared_strings(name: str) -> bool:
    return name.lower().rsplit("/", 1)[-1] == "sharedstrings.xml"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _xlsx_sheets(raw: bytes, refuse) -> list[tuple[str, str]]:
    """``(title, member)`` of each sheet, in workbook order, read from the workbook part and
    its relationships only (as openpyxl finds them, without opening a sheet)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(raw), read_only=True)
        reader.read_manifest()
        reader.read_workbook()
        found = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()]
        reader.archive.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise refuse(
            "file", f"this is not a readable Excel workbook ({type(exc).__name__})"
        ) from None
    return found


def _xlsx_scan(
    archive: zipfile.ZipFile, member: str, refuse, *, strings: bool, sheet: str | None = None
) -> None:
    """Count a worksheet's cells (or the shared strings) piece by piece, keeping nothing.

    openpyxl builds a whole row, and the whole shared-string table, in memory: a workbook
    of a few hundred KB can hold one row of millions of cells (gigabytes once read). This
    pass refuses such a file after reading at most one row too many, with no more memory
    than a piece of the XML. Comments or CDATA that look like cells can only make it count
    more, never less.
    """
    cells = rows = in_row = row_number = 0
    tail = b""
    with archive.open(member) as src:
        while True:
            piece = src.read(_SCAN_PIECE)
            buf = tail + piece
            cut = len(buf)
            if piece:
                last_open = buf.rfind(b"<")
                if last_open >= 0 and buf.find(b">", last_open) < 0:
                    cut = last_open  # a tag split across pieces: finish it next time
            for match in _XLSX_TAG.finditer(buf, 0, cut):
                tag, attrs = match.group(1), match.group(2)
                if tag == b"si":
                    cells += 1
                    if strings and cells > MAX_CELLS:
                        raise refuse(
                            "file",
                            f"the workbook holds more than {MAX_CELLS:,} texts; the limit is "
                            f"{MAX_CELLS:,}. Split it into several files (by period)",
                        )
                elif strings:
                    continue
                elif tag == b"row":
                    rows += 1
                    in_row = 0
                    ref = _ROW_REF.search(attrs)
                    row_number = int(ref.group(1)) if ref else row_number + 1
                else:
                    in_row += 1
                    cells += 1
                    ref = _CELL_REF.search(attrs)
                    column = _column_number(ref.group(1)) if ref else in_row
                    noun = "row" if sheet is None else f"sheet {sheet!r}: row"
                    _check_width(max(in_row, column), row_number or None, noun, refuse)
                    _check_cells(cells, refuse)
            tail = buf[cut:]
            if len(tail) > MAX_LINE_BYTES:
                raise refuse("file", "this is not a readable Excel workbook (a tag is too long)")
            if not piece:
                return
