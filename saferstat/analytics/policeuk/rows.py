"""Checking the rows: a fast vectorised pass, and a careful pass with exact line numbers."""

from __future__ import annotations

import csv
import math
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from saferstat.analytics.importing import (  # noqa: F401 (re-exported)
    BOM as _BOM,
)
from saferstat.analytics.importing import (
    MAX_LINE_BYTES,
    CsvRows,
    IssueCollector,
)
from saferstat.analytics.policeuk.schema import (
    _COORD_LIMITS,
    _CRIME_TYPE_SET,
    _HEADER_LINE,
    _LSOA_RE,
    _NUMBER_RE,
    COLUMN_NAMES,
    COLUMNS,
    CRIME_TYPES,
    LSOA_CODE_PATTERN,
    MAX_BLANK_LINES,
    NUMBER_PATTERN,
    STORED_SCHEMA,
    PoliceUkValidationError,
)

# --- fast pass -------------------------------------------------------------------------


def _fast_pass(data: bytes, month: str) -> pa.Table | None:
    """The table if every rule holds and every row is exactly one line; else None."""
    first_nl = data.find(b"\n")
    header = data[: first_nl if first_nl >= 0 else len(data)]
    if header.startswith(_BOM):
        header = header[len(_BOM) :]
    if header.rstrip(b"\r") != _HEADER_LINE.encode():
        return None
    n_lf = _count_byte(data, b"\n")
    if header.endswith(b"\r"):
        if _count_byte(data, b"\r") != n_lf:
            return None  # a bare CR somewhere: let the csv module count lines
    elif b"\r" in data:
        return None
    n_lines = n_lf + (0 if data.endswith(b"\n") else 1)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                skip_rows=1, column_names=list(COLUMN_NAMES), block_size=4 << 20
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(COLUMN_NAMES, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    rows = table.num_rows
    if rows == 0 or rows + 1 != n_lines:
        return None  # blank lines or values with line breaks: line numbers need the csv module
    try:
        return _check_table(table, month)
    except (pa.ArrowInvalid, pa.ArrowException):
        return None


def _count_byte(data: bytes, byte: bytes) -> int:
    # numpy's vectorised compare is about three times faster than bytes.count here.
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord(byte)))


def _check_table(table: pa.Table, month: str) -> pa.Table | None:
    """Vectorised rules over a parsed table: the stored table, or None if any rule fails."""
    rows = table.num_rows

    def all_true(mask: pa.ChunkedArray | pa.Array, *, null_passes: bool = False) -> bool:
        # Kleene logic: with skip_nulls=False a null and no false gives null, not True.
        return pc.all(mask, skip_nulls=null_passes, min_count=0).as_py() is True

    col = table.column
    if not all_true(pc.equal(col("month"), _strings([month])[0])):
        return None
    if not all_true(pc.is_in(col("crime_type"), value_set=_CRIME_TYPE_ARRAY)):
        return None
    lsoa_ok = pc.match_substring_regex(col("lsoa_code"), LSOA_CODE_PATTERN)
    if not all_true(lsoa_ok, null_passes=True):
        return None
    lon, lat = col("longitude"), col("latitude")
    if not all_true(pc.equal(pc.is_null(lon), pc.is_null(lat))):
        return None
    coords = {}
    for name, values, limit in (("longitude", lon, 180.0), ("latitude", lat, 90.0)):
        if not all_true(pc.match_substring_regex(values, NUMBER_PATTERN), null_passes=True):
            return None
        numbers = pc.cast(values, pa.float64())
        if not all_true(pc.less_equal(pc.abs(numbers), _float(limit)), null_passes=True):
            return None
        coords[name] = numbers
    # Line length: a line is at most twice its field bytes (quotes doubled) + quotes, commas
    # and CRLF, and its field bytes at most the sum of each column's longest value. Only
    # accept without measuring when that bound is under the limit.
    longest = sum(pc.max(pc.binary_length(col(name))).as_py() or 0 for name in COLUMN_NAMES)
    if 2 * longest + 2 * 12 + 11 + 2 > MAX_LINE_BYTES:
        return None
    arrays = {
        "source_line": _int64s(np.arange(2, rows + 2, dtype=np.int64)),
        **{name: col(name) for name in COLUMN_NAMES if name != "month"},
        **coords,
        "month_date": _constant_date(_month_date(month), rows),
    }
    return pa.table({f.name: arrays[f.name] for f in STORED_SCHEMA}, schema=STORED_SCHEMA)


def _month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


# Arrow arrays built from buffers, not with ``pa.array``/``pa.scalar``: those check whether
# a Python value is a pandas object, which imports pandas (over a second) the first time
# wherever pandas is installed. The fast pass stays clear of them.


def _strings(values: list[str]) -> pa.StringArray:
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(v) for v in encoded], out=offsets[1:])
    return pa.StringArray.from_buffers(
        len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))
    )


def _int64s(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _float(value: float) -> pa.Scalar:
    return pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(np.array([value]))])[0]


def _constant_date(day: date, rows: int) -> pa.Array:
    days = np.full(rows, (day - date(1970, 1, 1)).days, dtype=np.int32)
    return pa.Array.from_buffers(pa.date32(), rows, [None, pa.py_buffer(days)])


_CRIME_TYPE_ARRAY = _strings(list(CRIME_TYPES))


# --- careful pass ----------------------------------------------------------------------


def _show(value: str, width: int = 40) -> str:
    return repr(value if len(value) <= width else value[: width - 3] + "...")


def _column_at(body: bytes, offset: int) -> str:
    """The column a byte offset falls in, judged by commas (good enough for a message)."""
    try:
        fields = next(csv.reader([body[:offset].decode("utf-8", errors="replace")]))
    except (csv.Error, StopIteration):
        return "encoding"
    index = max(len(fields) - 1, 0)
    return COLUMNS[index] if index < len(COLUMNS) else "encoding"


def _careful_pass(data: bytes, display: str, month: str, cap: int) -> pa.Table:
    """Validate with the csv module; exact line numbers. The table, or raise."""
    issues = IssueCollector(display, cap, PoliceUkValidationError)
    reader = CsvRows(data, issues, encoding_field=_column_at, advice="; save the file as UTF-8")
    columns: list[list] = [[] for _ in COLUMN_NAMES]
    source_lines: list[int] = []
    blank = 0
    header_ok = False
    for start, row in reader:
        if not row:
            blank += 1
            if blank > MAX_BLANK_LINES:
                issues.add(
                    start,
                    "row",
                    f"the file has more than {MAX_BLANK_LINES:,} blank lines: it is damaged or "
                    "not a police.uk file",
                )
                raise issues.error()
            continue  # a blank line: no data, but it keeps its line number
        if not header_ok:
            problem = _header_problem(row)
            if problem:
                issues.add(start, "header", problem)
                raise issues.error()
            header_ok = True
            continue
        if len(row) != len(COLUMNS):
            issues.add(start, "row", f"has {len(row)} fields; every row must have {len(COLUMNS)}")
            continue
        if _check_row(row, start, month, issues):
            source_lines.append(start)
            for i, value in enumerate(row):
                columns[i].append(value)
    if not header_ok:
        issues.add(1, "header", "the file has no header line (it is empty or blank)")
    elif not source_lines and not issues.total:
        issues.add(reader.last_line + 1, "row", "the file has a header but no data rows")
    if issues.total:
        raise issues.error()
    rows = len(source_lines)

    def text(values: list[str]) -> pa.Array:
        return pa.array([v if v != "" else None for v in values], pa.string())

    def number(values: list[str]) -> pa.Array:
        return pa.array([float(v) if v != "" else None for v in values], pa.float64())

    by_name = dict(zip(COLUMN_NAMES, columns, strict=True))
    arrays = {
        "source_line": pa.array(source_lines, pa.int64()),
        **{
            name: text(by_name[name])
            for name in COLUMN_NAMES
            if name not in ("month", "longitude", "latitude")
        },
        "longitude": number(by_name["longitude"]),
        "latitude": number(by_name["latitude"]),
        "month_date": pa.repeat(pa.scalar(_month_date(month), pa.date32()), rows),
    }
    return pa.table({f.name: arrays[f.name] for f in STORED_SCHEMA}, schema=STORED_SCHEMA)


def _header_problem(row: list[str]) -> str | None:
    if tuple(row) == COLUMNS:
        return None
    expected = ", ".join(COLUMNS)
    for i, (got, want) in enumerate(zip(row, COLUMNS, strict=False), start=1):
        if got != want:
            return f"column {i} is {_show(got)}, expected {want!r} (the header must be exactly: {expected})"
    if len(row) > len(COLUMNS):
        extra = ", ".join(_show(c) for c in row[len(COLUMNS) :])
        return f"{len(row) - len(COLUMNS)} extra column(s) after 'Context': {extra} (the header must be exactly: {expected})"
    return f"only {len(row)} column(s); missing {', '.join(COLUMNS[len(row) :])} (the header must be exactly: {expected})"


def _check_row(row: list[str], line: int, month: str, issues: IssueCollector) -> bool:
    """Check one 12-field row; report each bad field. True if the row is good."""
    before = issues.total
    if row[1] != month:
        issues.add(
            line,
            "Month",
            f"{_show(row[1])} does not match the file's month {month} (from its name)",
        )
    if row[9] not in _CRIME_TYPE_SET:
        issues.add(
            line,
            "Crime type",
            f"{_show(row[9])} is not one of the {len(CRIME_TYPES)} police.uk crime types",
        )
    lsoa = row[7]
    if lsoa and not _LSOA_RE.match(lsoa):
        issues.add(
            line,
            "LSOA code",
            f"{_show(lsoa)} is not an LSOA code (E01 or W01 and 6 digits) or empty",
        )
    lon, lat = row[4], row[5]
    if bool(lon) != bool(lat):
        given, missing = ("Longitude", "Latitude") if lon else ("Latitude", "Longitude")
        issues.add(line, missing, f"is empty but {given} is given; both or neither must be given")
    for name, value in (("Longitude", lon), ("Latitude", lat)):
        if not value:
            continue
        limit = _COORD_LIMITS[name]
        if not _NUMBER_RE.match(value):
            issues.add(line, name, f"{_show(value)} is not a number")
        elif not (math.isfinite(float(value)) and abs(float(value)) <= limit):
            issues.add(line, name, f"{value} is outside -{limit:g}..{limit:g}")
    return issues.total == before
