"""Partner datasets: data police.uk does not publish, uploaded as CSV or XLSX, checked, stored.

A partnership admin declares a dataset (:class:`DatasetSchema`): its columns, which one
holds the period (month or financial-year quarter), which the area (an LSOA, a ward or the
whole partnership), which are categories, whether one column is a count or each row is one
record, and an optional outcome. Analysts then upload files against it:

1. :func:`read_table` reads a CSV (UTF-8 with or without a byte order mark, CRLF or LF) or
   the first sheet of an XLSX workbook (values only; a cell holding a formula is an error:
   formulas are never evaluated);
2. :func:`validate` checks every row against the schema and the partnership's area codes
   and reports every problem as ``file:line: column: reason`` (at most :data:`MAX_ISSUES`,
   then "... and N more"); a file with any problem is refused whole;
3. :func:`store` publishes the rows in the warehouse as dataset
   ``partner_<partnership>_<dataset>`` (:func:`dataset_name`), one partition per period, with
   the same atomic manifest switch as police.uk files. The periods in the file replace those
   periods; other periods stay as they were.

:func:`load_file` does the three steps. :func:`connect <saferstat.analytics.warehouse.connect>`
adds the view ``partner_records`` (every partner row, with the LSOA 2021, ward and local
authority of its area), and :func:`partner_counts` counts it like
:func:`saferstat.analytics.measures.counts` counts crimes: periods with no data loaded are
reported as missing, never counted as zero.

The rules are written out for users in ``docs/partner-data.md``.
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import time
import zipfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from saferstat.analytics.errors import QueryError
from saferstat.analytics.measures import expand_area_codes
from saferstat.analytics.periods import (
    FY_START_MONTH,
    Period,
    financial_year_of,
    parse_period,
    quarter_of,
    quarter_period,
)
from saferstat.analytics.policeuk import (
    FileValidationError,
    IssueCollector,
    ValidationIssue,
    iter_lines,
)
from saferstat.analytics.reference import UnknownAreaError
from saferstat.analytics.warehouse.catalogue import PARTNER_DATASET_PREFIX, PARTNER_STORED_SCHEMA

# --- vocabulary ------------------------------------------------------------------------

#: Warehouse datasets of partner data are named ``partner_<partnership>_<dataset>``.
DATASET_PREFIX = PARTNER_DATASET_PREFIX

#: What a column holds. ``ignore``: allowed in the file, checked for nothing, never stored
#: (e.g. a partner's own reference number: we keep no free text).
COLUMN_TYPES = ("period", "area", "category", "count", "outcome", "ignore")
GRANULARITIES = ("month", "quarter")
AREA_LEVELS = ("lsoa", "ward", "partnership")

ColumnType = Literal["period", "area", "category", "count", "outcome", "ignore"]
Granularity = Literal["month", "quarter"]
AreaLevel = Literal["lsoa", "ward", "partnership"]

#: Problems listed before "... and N more".
MAX_ISSUES = 200
#: Data rows one file may have (larger files are refused: split them by period).
MAX_ROWS = 200_000
#: Longest physical CSV line, and the most bytes an XLSX may unpack to.
MAX_LINE_BYTES = 64 * 1024
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Declared columns at most, and the longest category or outcome value.
MAX_COLUMNS = 30
#: Columns a file's row may have (empty ones included; the declared ones and room to
#: spare), and cells a whole file may have: a file is refused as soon as it has more, before
#: it is read into memory (a 256 KB workbook can hold one row of millions of cells).
MAX_FILE_COLUMNS = 256
MAX_CELLS = MAX_ROWS * MAX_COLUMNS
#: Blank rows a file may have (a file of millions of them would keep the worker busy).
MAX_BLANK_ROWS = 100_000
MAX_VALUE_CHARS = 200
#: Counts above this are refused as implausible (a typing slip, or a code in the wrong column).
MAX_COUNT = 10_000_000
#: Periods outside these years are refused as typing slips.
FIRST_YEAR, LAST_YEAR = 2000, 2099

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"
_SLUG_RE = re.compile(SLUG_PATTERN)

AREA_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "lsoa": (re.compile(r"^[EW]01\d{6}$"), "an LSOA code (E01 or W01 and 6 digits)"),
    "ward": (re.compile(r"^[EW]05\d{6}$"), "a ward code (E05 or W05 and 6 digits)"),
    "partnership": (
        re.compile(r"^[EW]0[6-9]\d{6}$"),
        "a local authority code (such as E08000018)",
    ),
}
AREA_LEVEL_NAMES = {
    "lsoa": "LSOAs (2011 or 2021 codes)",
    "ward": "wards (2024 ONS wards)",
    "partnership": "local authority codes",
}

#: Stored Parquet columns of every partner partition (one file per dataset and period).
STORED_SCHEMA = PARTNER_STORED_SCHEMA

#: Groupings accepted by :func:`partner_counts`.
COUNT_BY = ("period", "ward", "area", "category", "outcome")
NO_WARD = "(no ward)"
BLANK = "(blank)"


# --- the schema ------------------------------------------------------------------------


class SchemaError(ValueError):
    """A dataset declaration that does not make sense; ``problems`` lists why."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Column:
    """One column of a partner file.

    Attributes:
        name: the header text (matched without regard to case or surrounding spaces).
        type: ``period``, ``area``, ``category``, ``count``, ``outcome`` or ``ignore``.
        allowed: for a category or outcome, the only values accepted (any case; stored in the
            declared spelling). Empty: any text.
        required: a category or outcome may be left empty only when this is False. Period,
            area and count are always required.
    """

    name: str
    type: ColumnType
    allowed: tuple[str, ...] = ()
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "allowed": list(self.allowed),
            "required": self.required,
        }


@dataclass(frozen=True)
class DatasetSchema:
    """What an upload of one partner dataset must look like.

    Attributes:
        slug: the dataset's short name (``hate-incidents``): lower case, digits and hyphens.
        columns: every column of the file, each with its type. Exactly one ``period`` and one
            ``area`` column; at most one ``count`` (without one, each row is one record) and
            one ``outcome``; any number of ``category`` columns.
        granularity: ``month`` (values such as ``2024-05``, or a date: the record's month) or
            ``quarter`` (financial-year quarters such as ``2024/25-Q1``).
        area_level: ``lsoa``, ``ward`` or ``partnership`` (local authority code).
        sensitive: sensitive data (domestic abuse, exploitation, hate, ...): the web app hides
            it from scrutiny members unless shared, and public outputs must apply disclosure
            control.

    Raises:
        SchemaError: the declaration breaks a rule (every problem is listed).
    """

    slug: str
    columns: tuple[Column, ...]
    granularity: Granularity = "month"
    area_level: AreaLevel = "ward"
    sensitive: bool = False

    def __post_init__(self) -> None:
        # Accept lists (from JSON) but keep the frozen value hashable.
        object.__setattr__(self, "columns", tuple(self.columns))
        problems = _schema_problems(self)
        if problems:
            raise SchemaError(problems)

    def _of_type(self, kind: str) -> list[Column]:
        return [c for c in self.columns if c.type == kind]

    @property
    def period_column(self) -> str:
        return self._of_type("period")[0].name

    @property
    def area_column(self) -> str:
        return self._of_type("area")[0].name

    @property
    def category_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self._of_type("category"))

    @property
    def count_column(self) -> str | None:
        """The count column, or None when each row is one record."""
        found = self._of_type("count")
        return found[0].name if found else None

    @property
    def outcome_column(self) -> str | None:
        found = self._of_type("outcome")
        return found[0].name if found else None

    @property
    def is_record_level(self) -> bool:
        """True when each row is one record (no count column)."""
        return self.count_column is None

    @property
    def header(self) -> list[str]:
        """The column names in declared order (the header of a template file)."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The declaration as JSON-ready data (slug and sensitivity are kept apart)."""
        return {
            "granularity": self.granularity,
            "area_level": self.area_level,
            "columns": [c.to_dict() for c in self.columns],
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, slug: str, sensitive: bool = False
    ) -> DatasetSchema:
        """Build a schema from :meth:`to_dict` data.

        Raises:
            SchemaError: the data is malformed or breaks a rule.
        """
        if not isinstance(data, Mapping):
            raise SchemaError(["the schema must be an object with 'columns'"])
        raw_columns = data.get("columns")
        if not isinstance(raw_columns, list):
            raise SchemaError(["'columns' must be a list of columns"])
        columns = []
        problems = []
        for i, raw in enumerate(raw_columns, start=1):
            if not isinstance(raw, Mapping):
                problems.append(f"column {i} must be an object with 'name' and 'type'")
                continue
            unknown = set(raw) - {"name", "type", "allowed", "required"}
            if unknown:
                problems.append(f"column {i}: unknown key(s) {', '.join(sorted(unknown))}")
            allowed = raw.get("allowed") or []
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                problems.append(f"column {i}: 'allowed' must be a list of text values")
                allowed = []
            columns.append(
                Column(
                    name=str(raw.get("name", "")),
                    type=str(raw.get("type", "")),  # type: ignore[arg-type]
                    allowed=tuple(allowed),
                    required=bool(raw.get("required", True)),
                )
            )
        unknown = set(data) - {"columns", "granularity", "area_level"}
        if unknown:
            problems.append(f"unknown key(s) {', '.join(sorted(unknown))}")
        if problems:
            raise SchemaError(problems)
        return cls(
            slug=slug,
            columns=tuple(columns),
            granularity=data.get("granularity", "month"),
            area_level=data.get("area_level", "ward"),
            sensitive=bool(sensitive),
        )


def _schema_problems(schema: DatasetSchema) -> list[str]:
    problems = []
    if not isinstance(schema.slug, str) or not _SLUG_RE.match(schema.slug):
        problems.append(
            f"the short name {schema.slug!r} must be 1 to 50 lower-case letters, digits and "
            "hyphens, starting and ending with a letter or digit"
        )
    if schema.granularity not in GRANULARITIES:
        problems.append(f"the period must be 'month' or 'quarter', not {schema.granularity!r}")
    if schema.area_level not in AREA_LEVELS:
        problems.append(
            f"the area level must be 'lsoa', 'ward' or 'partnership', not {schema.area_level!r}"
        )
    if not schema.columns:
        problems.append("declare at least a period column and an area column")
        return problems
    if len(schema.columns) > MAX_COLUMNS:
        problems.append(f"at most {MAX_COLUMNS} columns")
    seen: dict[str, str] = {}
    for i, column in enumerate(schema.columns, start=1):
        if not isinstance(column, Column):
            problems.append(f"column {i} is not a Column")
            continue
        name = column.name
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            problems.append(f"column {i} needs a name without spaces around it")
        elif len(name) > 64 or any(ord(ch) < 32 for ch in name):
            problems.append(f"column {i}: the name must be at most 64 printable characters")
        else:
            key = name.casefold()
            if key in seen:
                problems.append(f"two columns are called {name!r} (names must differ)")
            seen[key] = name
        if column.type not in COLUMN_TYPES:
            problems.append(
                f"column {name!r}: the type must be one of {', '.join(COLUMN_TYPES)}, "
                f"not {column.type!r}"
            )
        if column.allowed and column.type not in ("category", "outcome"):
            problems.append(
                f"column {name!r}: only category and outcome columns take a list of values"
            )
        if len({a.strip().casefold() for a in column.allowed}) != len(column.allowed):
            problems.append(f"column {name!r}: the list of values repeats a value")
        if any(not a.strip() or len(a) > MAX_VALUE_CHARS for a in column.allowed):
            problems.append(
                f"column {name!r}: every listed value must be 1 to {MAX_VALUE_CHARS} characters"
            )
        if not column.required and column.type in ("period", "area", "count"):
            problems.append(f"column {name!r}: a {column.type} column is always required")
    types = [c.type for c in schema.columns if isinstance(c, Column)]
    for kind, low, high in (("period", 1, 1), ("area", 1, 1), ("count", 0, 1), ("outcome", 0, 1)):
        n = types.count(kind)
        if not low <= n <= high:
            wanted = "exactly one" if low == high else "at most one"
            problems.append(f"declare {wanted} {kind} column (found {n})")
    return problems


def dataset_name(partnership_slug: str, dataset_slug: str) -> str:
    """Warehouse name of a partner dataset: ``partner_<partnership>_<dataset>``."""
    return f"{DATASET_PREFIX}{partnership_slug}_{dataset_slug}"


# --- problems --------------------------------------------------------------------------


class PartnerValidationError(FileValidationError):
    """A partner file was refused; nothing of it was stored (``file:line: column: reason``)."""


def _show(value: object, width: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= width else text[: width - 3] + "...")


# --- reading files ---------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
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
    """``(first line, fields)`` of each CSV row, with exact line numbers.

    A row with more than :data:`MAX_FILE_COLUMNS` fields, or more than :data:`MAX_CELLS`
    fields in all, refuses the file at once (a wide file costs far more memory than its
    size). Fields are at most ``csv.field_size_limit()`` characters (128 K) and lines at
    most :data:`MAX_LINE_BYTES`.
    """
    reader = csv.reader(_decoded_lines(data, issues), strict=False)
    last = 0
    cells = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.add(last + 1, "row", f"cannot be read as CSV ({exc})")
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
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


def _decoded_lines(data: bytes, issues: IssueCollector) -> Iterator[str]:
    for number, raw_line in enumerate(iter_lines(data), start=1):
        if number == 1 and raw_line.startswith(_BOM):
            raw_line = raw_line[len(_BOM) :]
        body = raw_line.rstrip(b"\r\n")
        if len(body) > MAX_LINE_BYTES:
            issues.add(
                number,
                "line",
                f"the line is {len(body):,} bytes long; the limit is {MAX_LINE_BYTES:,}",
            )
            yield "\n"
            continue
        try:
            yield raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            issues.add(
                number,
                "encoding",
                f"not valid UTF-8 (byte 0x{body[exc.start]:02x} at byte {exc.start + 1} of the "
                "line): save the file as CSV UTF-8",
            )
            yield raw_line.decode("utf-8", errors="replace")


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


# --- validation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedFile:
    """A partner file that passed every check, ready to store.

    Attributes:
        name: the file's name.
        schema: the dataset it was checked against.
        table: one row per data row, :data:`STORED_SCHEMA` without the partnership and
            dataset columns (:func:`store` adds them), in file order.
        periods: the periods in the file (``2024-05`` or ``2024/25-Q1``), in time order.
        sha256: SHA-256 of the file.
    """

    name: str
    schema: DatasetSchema
    table: pa.Table
    periods: list[str]
    sha256: str

    @property
    def rows(self) -> int:
        return self.table.num_rows


@dataclass(frozen=True)
class _ParsedPeriod:
    label: str
    month: str
    months: int
    record_date: dt.date | None


_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_UK_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_NAMED_MONTH_RE = re.compile(r"^([A-Za-z]{3,9})[ -](\d{4})$")
_QUARTER_FORMS = (
    re.compile(r"^(\d{4})/(\d{2})[- ]?Q(\d)$", re.IGNORECASE),
    re.compile(r"^Q(\d)[- ](\d{4})/(\d{2})$", re.IGNORECASE),
)
_FY_RE = re.compile(r"^\d{4}/\d{2}$")
_MONTH_NAMES = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i], calendar.month_abbr[i] + ".")
}
_MONTH_NAMES["sept"] = 9
_MONTH_FORMS = "a month such as 2024-05 or May 2024, or a date such as 2024-05-13 or 13/05/2024"
_QUARTER_FORM = "a financial-year quarter such as 2024/25-Q1 (Q1 April-June ... Q4 January-March)"


def _year_ok(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _parse_month_value(value: Any) -> _ParsedPeriod | str:
    """A monthly period from a cell, or the reason it is not one."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if not _year_ok(value.year):
            return f"{value.isoformat()} is outside {FIRST_YEAR} to {LAST_YEAR}"
        month = f"{value.year:04d}-{value.month:02d}"
        return _ParsedPeriod(month, month, 1, value)
    if not isinstance(value, str):
        return f"{_show(value)} is not a month: expected {_MONTH_FORMS}"
    text = value.strip()
    year = mon = day = None
    if match := _MONTH_RE.match(text):
        year, mon = int(match[1]), int(match[2])
    elif match := _ISO_DATE_RE.match(text):
        year, mon, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _UK_DATE_RE.match(text):
        day, mon, year = int(match[1]), int(match[2]), int(match[3])
    elif (match := _NAMED_MONTH_RE.match(text)) and match[1].lower() in _MONTH_NAMES:
        year, mon = int(match[2]), _MONTH_NAMES[match[1].lower()]
    elif any(form.match(text) for form in _QUARTER_FORMS):
        return f"{_show(text)} is a quarter, but this dataset is monthly: expected {_MONTH_FORMS}"
    elif _FY_RE.match(text):
        return f"{_show(text)} is a financial year, not a month: expected {_MONTH_FORMS}"
    else:
        return f"{_show(text)} is not a month or a date: expected {_MONTH_FORMS}"
    if not 1 <= mon <= 12:
        return f"{_show(text)} is not a month: the month must be 1 to 12"
    if not _year_ok(year):
        return f"{_show(text)} is outside {FIRST_YEAR} to {LAST_YEAR}"
    record_date = None
    if day is not None:
        try:
            record_date = dt.date(year, mon, day)
        except ValueError:
            return f"{_show(text)} is not a date (day {day} does not exist in that month)"
    month = f"{year:04d}-{mon:02d}"
    return _ParsedPeriod(month, month, 1, record_date)


def _parse_quarter_value(value: Any) -> _ParsedPeriod | str:
    """A quarterly period from a cell, or the reason it is not one."""
    if isinstance(value, dt.date | dt.datetime):
        return (
            f"{_show(value.strftime('%Y-%m-%d'))} is a date, but this dataset is quarterly: "
            f"expected {_QUARTER_FORM}"
        )
    if not isinstance(value, str):
        return f"{_show(value)} is not a quarter: expected {_QUARTER_FORM}"
    text = value.strip()
    match = _QUARTER_FORMS[0].match(text)
    parts = (match[1], match[2], match[3]) if match else None
    if parts is None and (match := _QUARTER_FORMS[1].match(text)):
        parts = (match[2], match[3], match[1])
    if parts is None:
        if _FY_RE.match(text):
            return f"{_show(text)} is a financial year, not a quarter: expected {_QUARTER_FORM}"
        if isinstance(_parse_month_value(text), _ParsedPeriod):
            return (
                f"{_show(text)} is a month or a date, but this dataset is quarterly: expected "
                f"{_QUARTER_FORM}"
            )
        return f"{_show(text)} is not a quarter: expected {_QUARTER_FORM}"
    first, second, quarter = int(parts[0]), int(parts[1]), int(parts[2])
    if second != (first + 1) % 100:
        return f"{_show(text)} is not a quarter: the second year must follow the first"
    if not 1 <= quarter <= 4:
        return f"{_show(text)} is not a quarter: quarters are Q1 to Q4"
    if not _year_ok(first):
        return f"{_show(text)} is outside {FIRST_YEAR} to {LAST_YEAR}"
    period = quarter_period(first, quarter)
    return _ParsedPeriod(period.label, period.start, 3, None)


_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")


def _parse_count(value: Any) -> int | str:
    """A count from a cell (a whole number, 0 or more), or the reason it is not one."""
    if isinstance(value, bool):
        return f"{_show(value)} is not a whole number"
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            return f"{value!r} is not a whole number"
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _INT_RE.match(text):
            number = int(text)
        elif _DECIMAL_RE.match(text):
            if float(text).is_integer():
                number = int(float(text))
            else:
                return f"{_show(text)} is not a whole number"
        elif text in ("*", "-", "x", "..", "c") or text.startswith("<"):
            return (
                f"{_show(text)} looks like a suppressed or missing value: give the real count "
                "(suppression is applied when figures are published)"
            )
        else:
            return f"{_show(text)} is not a whole number"
    else:
        return f"{_show(value)} is not a whole number"
    if number < 0:
        return f"{number} is negative: a count must be 0 or more"
    if number > MAX_COUNT:
        return f"{number:,} is larger than {MAX_COUNT:,}: check the column"
    return number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


#: A header cell as a downloaded template writes a column name that a spreadsheet would run
#: as a formula (`saferstat.core.exports.safe_cell`): an apostrophe, then the name.
_ESCAPED_FORMULA = ("'=", "'+", "'-", "'@")


def validate(
    schema: DatasetSchema,
    table: RawTable,
    *,
    known_area_codes: Collection[str],
    max_issues: int = MAX_ISSUES,
) -> ValidatedFile:
    """Check a file against its dataset's schema; refuse it whole if anything is wrong.

    The checks: the header has every declared column and no other (any order, any case; a
    name starting ``=``, ``+``, ``-`` or ``@`` may have the apostrophe our template puts
    before it);
    every row's period is a month or a date (monthly datasets) or a financial-year quarter
    (quarterly); the area is a code of the declared level and one of ``known_area_codes``;
    counts are whole numbers from 0; categories and outcomes are filled in (unless optional)
    and one of their listed values (if listed); in a count dataset no two rows share a
    period, area, categories and outcome; at least one data row, at most :data:`MAX_ROWS`.

    Args:
        schema: the dataset's declaration.
        table: the file from :func:`read_table` (problems met while reading are reported too).
        known_area_codes: the codes accepted in the area column (the partnership's LSOAs,
            wards or local authority codes: :func:`known_area_codes`).
        max_issues: list at most this many problems, then "... and N more".

    Returns:
        The rows, ready for :func:`store`.

    Raises:
        PartnerValidationError: every problem, as ``file:line: column: reason``.
    """
    issues = IssueCollector(table.name, max_issues, PartnerValidationError, by_line=True)
    for issue in table.issues:
        issues.add(issue.line, issue.field, issue.reason)
    issues.total += table.issue_total - len(table.issues)

    # Header: every declared column once, nothing else.
    wanted = {c.name.casefold(): c for c in schema.columns}
    index: dict[str, int] = {}
    expected = ", ".join(schema.header)
    for i, cell in enumerate(table.header):
        key = cell.casefold()
        if key not in wanted and cell.startswith(_ESCAPED_FORMULA):
            key = cell[1:].casefold()  # as our template wrote it: `'=name` is `=name`
        if not cell:
            issues.add(
                table.header_line, f"column {i + 1}", f"has no name (the columns are: {expected})"
            )
        elif key not in wanted:
            issues.add(
                table.header_line,
                cell,
                f"is not a column of this dataset (the columns are: {expected})",
            )
        elif wanted[key].name in index:
            issues.add(table.header_line, cell, "appears twice in the header")
        else:
            index[wanted[key].name] = i
    for column in schema.columns:
        if column.name not in index:
            issues.add(
                table.header_line,
                column.name,
                f"missing: the header has no column {column.name!r} (the columns are: {expected})",
            )

    parse_period = _parse_month_value if schema.granularity == "month" else _parse_quarter_value
    pattern, what = AREA_PATTERNS[schema.area_level]
    known = frozenset(known_area_codes)
    width = len(table.header)
    allowed = {
        c.name: {a.strip().casefold(): a.strip() for a in c.allowed}
        for c in schema.columns
        if c.allowed
    }
    categories = schema.category_columns
    count_column, outcome_column = schema.count_column, schema.outcome_column
    seen: dict[tuple, int] = {}

    out_lines: list[int] = []
    out_period: list[str] = []
    out_month: list[str] = []
    out_months: list[int] = []
    out_date: list[dt.date | None] = []
    out_area: list[str] = []
    out_categories: list[list[tuple[str, str]]] = []
    out_count: list[int] = []
    out_outcome: list[str | None] = []

    def cell(values: list[Any], name: str) -> Any:
        i = index.get(name)
        return values[i] if i is not None and i < len(values) else None

    for line, values in table.rows:
        before = issues.total
        extra = [v for v in values[width:] if not _blank(v)]
        if extra:
            issues.add(
                line,
                "row",
                f"has {width + len(extra)} or more values; the header has {width} columns",
            )
        period: _ParsedPeriod | None = None
        if schema.period_column in index:
            raw = cell(values, schema.period_column)
            if _blank(raw):
                issues.add(line, schema.period_column, "is empty")
            else:
                parsed = parse_period(raw)
                if isinstance(parsed, str):
                    issues.add(line, schema.period_column, parsed)
                else:
                    period = parsed
        area = ""
        if schema.area_column in index:
            area = _text(cell(values, schema.area_column)).upper()
            if not area:
                issues.add(line, schema.area_column, "is empty")
            elif not pattern.match(area):
                issues.add(line, schema.area_column, f"{_show(area)} is not {what}")
            elif area not in known:
                issues.add(
                    line,
                    schema.area_column,
                    f"{_show(area)} is not one of this partnership's "
                    f"{AREA_LEVEL_NAMES[schema.area_level]}",
                )
        row_categories: list[tuple[str, str]] = []
        for name in categories:
            value = _category(issues, line, schema.column(name), cell(values, name), allowed, index)
            row_categories.append((name, value or ""))
        outcome = None
        if outcome_column:
            outcome = _category(
                issues,
                line,
                schema.column(outcome_column),
                cell(values, outcome_column),
                allowed,
                index,
            )
        count = 1
        if count_column and count_column in index:
            raw = cell(values, count_column)
            if _blank(raw):
                issues.add(line, count_column, "is empty: give a whole number (0 or more)")
            else:
                parsed_count = _parse_count(raw)
                if isinstance(parsed_count, str):
                    issues.add(line, count_column, parsed_count)
                else:
                    count = parsed_count
        if issues.total != before or period is None:
            continue
        if count_column:
            key = (period.label, area, tuple(v for _, v in row_categories), outcome)
            first = seen.get(key)
            if first is not None:
                issues.add(
                    line,
                    "row",
                    f"duplicate of line {first} (same {_key_words(schema)}): give one row with "
                    "the total",
                )
                continue
            seen[key] = line
        out_lines.append(line)
        out_period.append(period.label)
        out_month.append(period.month)
        out_months.append(period.months)
        out_date.append(period.record_date)
        out_area.append(area)
        out_categories.append([(name, value) for name, value in row_categories if value])
        out_count.append(count)
        out_outcome.append(outcome or None)

    if not table.rows and not table.truncated:
        issues.add(table.header_line + 1, "row", "the file has a header but no data rows")
    if issues.total:
        raise issues.error()
    records = pa.table(
        {
            "source_line": pa.array(out_lines, pa.int64()),
            "period": pa.array(out_period, pa.string()),
            "month": pa.array(out_month, pa.string()),
            "month_date": pa.array([_first_of(m) for m in out_month], pa.date32()),
            "period_months": pa.array(out_months, pa.int32()),
            "record_date": pa.array(out_date, pa.date32()),
            "area_level": pa.array([schema.area_level] * len(out_lines), pa.string()),
            "area_code": pa.array(out_area, pa.string()),
            "categories": pa.array(out_categories, pa.map_(pa.string(), pa.string())),
            "count": pa.array(out_count, pa.int64()),
            "outcome": pa.array(out_outcome, pa.string()),
        }
    )
    month_of = dict(zip(out_period, out_month, strict=True))
    periods = sorted(month_of, key=month_of.__getitem__)
    return ValidatedFile(table.name, schema, records, periods, table.sha256)


def _key_words(schema: DatasetSchema) -> str:
    parts = ["period", "area"]
    if schema.category_columns:
        parts.append(", ".join(schema.category_columns))
    if schema.outcome_column:
        parts.append(schema.outcome_column)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _category(
    issues: IssueCollector,
    line: int,
    column: Column,
    raw: Any,
    allowed: dict[str, dict[str, str]],
    index: dict[str, int],
) -> str | None:
    if column.name not in index:
        return None
    value = _text(raw)
    if not value:
        if column.required:
            issues.add(line, column.name, "is empty")
        return None
    if len(value) > MAX_VALUE_CHARS:
        issues.add(line, column.name, f"is {len(value)} characters long; at most {MAX_VALUE_CHARS}")
        return None
    if column.name in allowed:
        spelled = allowed[column.name].get(value.casefold())
        if spelled is None:
            listed = ", ".join(column.allowed)
            issues.add(line, column.name, f"{_show(value)} is not one of: {listed}")
            return None
        return spelled
    return value


def _first_of(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


# --- storing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreResult:
    """A partner file stored.

    Attributes:
        dataset: warehouse dataset name (``partner_<partnership>_<dataset>``).
        rows: data rows stored (equal to the rows of the file).
        periods: periods stored, in time order.
        replaced: those of ``periods`` that were loaded before and are now replaced.
        version: version of the stored partitions.
        seconds: time from reading the file to the manifest switch (:func:`load_file`), or
            of the publishing alone (:func:`store`).
    """

    dataset: str
    rows: int
    periods: list[str]
    replaced: list[str]
    version: str
    seconds: float


def _warehouse(where):
    from saferstat.analytics.warehouse import Warehouse

    return where if isinstance(where, Warehouse) else Warehouse(where)


def store(warehouse, data: ValidatedFile, *, partnership_slug: str) -> StoreResult:
    """Publish a validated file: one partition per period, all in one manifest switch.

    The periods in the file replace the same periods already loaded for the dataset; other
    periods are kept. Readers see all of the old periods or all of the new, never a mix.

    Args:
        warehouse: a :class:`~saferstat.analytics.warehouse.Warehouse` or its folder.
        data: from :func:`validate`.
        partnership_slug: the partnership that owns the data.

    Raises:
        WarehouseError: a stored copy did not check out; the previous state is kept.
    """
    if not _SLUG_RE.match(partnership_slug or ""):
        raise ValueError(f"{partnership_slug!r} is not a partnership slug")
    started = time.perf_counter()
    wh = _warehouse(warehouse)
    table = data.table
    n = table.num_rows
    full = pa.table(
        {
            "source_line": table["source_line"],
            "partnership_slug": pa.array([partnership_slug] * n, pa.string()),
            "dataset_slug": pa.array([data.schema.slug] * n, pa.string()),
            **{name: table[name] for name in STORED_SCHEMA.names[3:]},
        },
        schema=STORED_SCHEMA,
    )
    months = full["month"].to_pylist()
    labels = full["period"].to_pylist()
    by_month: dict[str, list[int]] = {}
    label_of: dict[str, str] = {}
    for i, month in enumerate(months):
        by_month.setdefault(month, []).append(i)
        label_of[month] = labels[i]
    tables = {month: full.take(pa.array(rows, pa.int64())) for month, rows in by_month.items()}
    details = {
        month: {
            "period": label_of[month],
            "granularity": data.schema.granularity,
            "area_level": data.schema.area_level,
        }
        for month in tables
    }
    dataset = dataset_name(partnership_slug, data.schema.slug)
    published = wh.publish_partitions(
        dataset,
        tables,
        owner=partnership_slug,
        source_name=data.name,
        source_sha256=data.sha256,
        details=details,
    )
    return StoreResult(
        dataset=dataset,
        rows=n,
        periods=[label_of[m] for m in sorted(tables)],
        replaced=[label_of[m] for m in sorted(published.replaced)],
        version=published.version,
        seconds=time.perf_counter() - started,
    )


def load_file(
    warehouse,
    path: str | os.PathLike,
    *,
    schema: DatasetSchema,
    partnership_slug: str,
    known_area_codes: Collection[str],
    name: str | None = None,
) -> StoreResult:
    """Read, validate and store one partner file (nothing is stored unless all of it is valid).

    Raises:
        PartnerValidationError: the file was refused; ``.messages`` lists the problems.
    """
    started = time.perf_counter()
    data = validate(schema, read_table(path, name=name), known_area_codes=known_area_codes)
    result = store(warehouse, data, partnership_slug=partnership_slug)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


# --- reading: the view and the counts --------------------------------------------------


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _expand_lad_codes(con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str]) -> tuple[str, ...]:
    return expand_area_codes(con, lad_codes)


def known_area_codes(
    con: duckdb.DuckDBPyConnection, *, level: AreaLevel, lad_codes: Sequence[str]
) -> frozenset[str]:
    """The area codes a partnership's uploads may use at ``level``.

    ``lsoa``: every LSOA (2011 or 2021 code) whose 2021 LSOA lies in the local authorities;
    ``ward``: their current (2024) ONS wards; ``partnership``: the local authority codes,
    old and new (``E08000016`` and ``E08000038`` are both Barnsley).

    Raises:
        UnknownAreaError: no reference data is loaded.
        ValueError: unknown level.
    """
    if level not in AREA_LEVELS:
        raise QueryError(f"unknown area level {level!r}: expected one of {', '.join(AREA_LEVELS)}")
    (loaded,) = con.execute("SELECT count(*) FROM la_codes").fetchone()
    if not loaded:
        raise UnknownAreaError(
            "no reference data is loaded, so area codes cannot be checked "
            "(run: saferstat reference demo_data/ons)"
        )
    codes = _expand_lad_codes(con, lad_codes)
    if level == "partnership":
        return frozenset(codes)
    marks = _placeholders(codes)
    if level == "ward":
        sql = f"SELECT DISTINCT ward_code FROM lsoa_lookup WHERE lsoa_vintage = 2021 AND lad_code IN ({marks})"
    else:
        sql = f"SELECT DISTINCT lsoa_code FROM lsoa_lookup WHERE lad_code IN ({marks})"
    return frozenset(row[0] for row in con.execute(sql, list(codes)).fetchall() if row[0])


def _period_label(month: str, granularity: str) -> str:
    return quarter_of(month).label if granularity == "quarter" else month


def expected_periods(period: Period, granularity: str) -> list[str]:
    """The months (``month``) or quarter labels (``quarter``) that make up ``period``.

    Raises:
        ValueError: a quarterly dataset and a period that is not whole quarters.
    """
    if granularity == "month":
        return period.months
    start_month = int(period.start[5:7])
    end_month = int(period.end[5:7])
    starts = {(FY_START_MONTH - 1 + 3 * q) % 12 + 1 for q in range(4)}  # 4, 7, 10, 1
    if start_month not in starts or (end_month % 12 + 1) not in starts:
        raise QueryError(
            f"this dataset is quarterly, so it cannot be counted for {period.label}: ask for a "
            "quarter, a financial year, or 12 months ending in March, June, September or December"
        )
    return [quarter_of(m).label for m in period.months[::3]]


def dataset_granularity(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    """``month`` or ``quarter`` as stored for a partner dataset, None if nothing is loaded."""
    row = con.execute(
        "SELECT max(period_months) FROM partner_records WHERE dataset = ?", [dataset]
    ).fetchone()
    if not row or row[0] is None:
        return None
    return "quarter" if row[0] == 3 else "month"


def loaded_periods(
    con: duckdb.DuckDBPyConnection, dataset: str, *, granularity: str | None = None
) -> list[str]:
    """Every period loaded for a partner dataset, in time order."""
    granularity = granularity or dataset_granularity(con, dataset) or "month"
    rows = con.execute(
        "SELECT DISTINCT month FROM loaded_partitions WHERE dataset = ? ORDER BY 1", [dataset]
    ).fetchall()
    return [_period_label(month, granularity) for (month,) in rows]


def latest_year(periods: Sequence[str]) -> Period | None:
    """The financial year of the latest of ``periods`` (``2024-05`` or ``2024/25-Q1``)."""
    if not periods:
        return None
    last = parse_period(periods[-1])
    return financial_year_of(last.start)


@dataclass(frozen=True)
class PartnerCountsResult:
    """Counts of one partner dataset for an area and period, by one key.

    Attributes:
        dataset: warehouse dataset name.
        by: ``period``, ``ward``, ``area``, ``category`` or ``outcome``.
        category: the category column counted by (``by='category'``), else None.
        period: the period asked for.
        granularity: ``month`` or ``quarter``.
        area_codes: the local authority codes used (after adding former/new codes).
        rows: ``(key, count)``; for ``by='period'`` in time order and only loaded periods
            (0 for a loaded period without records in the area); otherwise sorted by key.
        missing_periods: periods of the period asked for with no data loaded (gaps).
        periods_loaded: periods with data loaded.
    """

    dataset: str
    by: str
    category: str | None
    period: Period
    granularity: str
    area_codes: tuple[str, ...]
    rows: list[tuple[str, int]]
    missing_periods: list[str]
    periods_loaded: list[str]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    @property
    def is_complete(self) -> bool:
        return not self.missing_periods

    @property
    def missing_months(self) -> list[str]:
        """Every calendar month of the missing periods."""
        out = []
        for label in self.missing_periods:
            out += parse_period(label).months
        return out

    def as_dict(self) -> dict[str, int]:
        return dict(self.rows)


def partner_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    area_codes: Sequence[str],
    period: Period,
    by: str,
    category: str | None = None,
    granularity: str | None = None,
) -> PartnerCountsResult:
    """Count a partner dataset in an area over a period (sum of counts; 1 per record row).

    Args:
        con: connection from ``warehouse.connect``.
        dataset: warehouse dataset name (:func:`dataset_name`).
        area_codes: local authority codes of the area (old or new codes).
        period: the reporting period. A quarterly dataset needs whole quarters.
        by: ``'period'`` (``2024-05`` or ``2024/25-Q1``), ``'ward'`` (current ward name; not
            for partnership-level data), ``'area'`` (the code as uploaded), ``'category'``
            (the values of the column ``category``) or ``'outcome'``.
        category: the category column, with ``by='category'``.
        granularity: ``month`` or ``quarter`` (default: as stored; ``month`` if nothing is).

    Returns:
        :class:`PartnerCountsResult`, with the periods that have no data loaded.

    Raises:
        ValueError: unknown ``by``, or a period that does not fit a quarterly dataset.
    """
    if by not in COUNT_BY:
        raise QueryError(f"cannot count by {by!r}: expected one of {', '.join(COUNT_BY)}")
    if (by == "category") != (category is not None):
        raise QueryError("give category= (the column name) with by='category', and only then")
    granularity = granularity or dataset_granularity(con, dataset) or "month"
    expected = expected_periods(period, granularity)
    codes = _expand_lad_codes(con, area_codes)
    loaded = [p for p in loaded_periods(con, dataset, granularity=granularity) if p in expected]
    missing = [p for p in expected if p not in set(loaded)]
    where = f"dataset = ? AND lad_code IN ({_placeholders(codes)}) AND month >= ? AND month <= ?"
    params: list[object] = [dataset, *codes, period.start, period.end]
    if by == "ward":
        level = con.execute(
            "SELECT DISTINCT area_level FROM partner_records WHERE dataset = ?", [dataset]
        ).fetchall()
        if ("partnership",) in level:
            raise QueryError(f"{dataset} is at partnership level: it cannot be counted by ward")
        raw = con.execute(
            f"SELECT ward_code, ward_name, sum(count) FROM partner_records WHERE {where} "
            "GROUP BY 1, 2",
            params,
        ).fetchall()
        names: dict[str, set[str | None]] = {}
        for code, name, _ in raw:
            names.setdefault(name or NO_WARD, set()).add(code)
        found: dict[str, int] = {}
        for code, name, count in raw:
            key = name or NO_WARD
            if len(names[key]) > 1 and code:
                key = f"{key} ({code})"
            found[key] = found.get(key, 0) + int(count)
        rows = sorted(found.items())
    else:
        expression = {
            "period": "period",
            "area": "area_code",
            "outcome": f"coalesce(outcome, '{BLANK}')",
            "category": f"coalesce(categories[?], '{BLANK}')",
        }[by]
        key_params = [category] if by == "category" else []
        raw = con.execute(
            f"SELECT {expression} AS key, sum(count) FROM partner_records WHERE {where} GROUP BY 1",
            [*key_params, *params],
        ).fetchall()
        counted = {key: int(count) for key, count in raw}
        if by == "period":
            order = {label: i for i, label in enumerate(expected)}
            keys = sorted(set(loaded) | set(counted), key=lambda k: order.get(k, len(order)))
            rows = [(k, counted.get(k, 0)) for k in keys]
        else:
            rows = sorted(counted.items())
    return PartnerCountsResult(
        dataset=dataset,
        by=by,
        category=category,
        period=period,
        granularity=granularity,
        area_codes=codes,
        rows=rows,
        missing_periods=missing,
        periods_loaded=loaded,
    )


def period_label_of(month: str, granularity: str) -> str:
    """The period a stored partition month stands for (``2024-04`` -> ``2024/25-Q1``)."""
    return _period_label(month, granularity)
