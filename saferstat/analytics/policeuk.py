"""Read and validate one police.uk street-level crime file.

police.uk publishes one file per force per month, named ``YYYY-MM-<force-slug>-street.csv``
(``2024-12-south-yorkshire-street.csv``), with 12 columns in a fixed order. We accept the file
plain or gzip-compressed (``.csv.gz``), with CRLF or LF line endings and with or without a
UTF-8 byte order mark.

A file is accepted whole or refused whole. :func:`read_street_file` returns the rows as an
Arrow table (the stored schema, :data:`STORED_SCHEMA`) or raises
:class:`PoliceUkValidationError` listing every problem found (up to :data:`MAX_ISSUES`) as
``file:line: field: reason``.

Two passes, for speed. The fast pass parses the whole file with ``pyarrow.csv`` (every column
as a string) and checks every rule with vectorised ``pyarrow.compute``; a clean file never
leaves it. If anything at all looks wrong (a rule fails, Arrow cannot parse the file, or the
file has line breaks that are not one per row), the careful pass re-reads the file with the
``csv`` module, which knows the exact line of every row, and produces the error list. The
careful pass is the reference: the fast pass only accepts what the careful pass would accept.

Every row keeps ``source_line``, the line of the original file it starts on (the header is
line 1), so each figure can be traced back to its rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from isal import isal_zlib

from saferstat.analytics.importing import (  # noqa: F401 (re-exported)
    BOM as _BOM,
)
from saferstat.analytics.importing import (
    MAX_LINE_BYTES,
    CsvRows,
    FileValidationError,
    IssueCollector,
    ValidationIssue,
)

#: The 12 columns of a police.uk street file, in the published order.
COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

#: Our snake_case name for each published column (same order as :data:`COLUMNS`).
COLUMN_NAMES: tuple[str, ...] = (
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome_category",
    "context",
)

#: The 14 police.uk street-level crime categories (a closed list; "Anti-social behaviour" is
#: not a crime but is published in the same files).
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

#: A file with more blank lines than this is refused (police.uk files have none; a file of
#: millions of them would keep the worker busy for minutes).
MAX_BLANK_LINES = 10_000

#: How many problems are listed before "and N more".
MAX_ISSUES = 100

#: Decompressed files larger than this are refused (a national month is about 150 MB).
MAX_DECOMPRESSED_BYTES = 512 * 1024**2
#: A ``.csv.gz`` that unpacks to more than this many times its own size is refused (police.uk
#: files unpack to about 5 times), once it unpacks to more than :data:`RATIO_FLOOR_BYTES`
#: (small files may compress far better, harmlessly).
MAX_UNPACK_RATIO = 100
RATIO_FLOOR_BYTES = 16 * 1024**2
#: Files are read, hashed and measured in pieces of this many bytes.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class UnpackLimits:
    """How far a ``.csv.gz`` may unpack before it is refused (a gzip bomb).

    Attributes:
        max_bytes: the most bytes the file may unpack to.
        max_ratio: the most times its own size it may unpack to (beyond ``ratio_floor``).
        ratio_floor: unpacked sizes up to this are never refused for their ratio.
    """

    max_bytes: int = MAX_DECOMPRESSED_BYTES
    max_ratio: float = MAX_UNPACK_RATIO
    ratio_floor: int = RATIO_FLOOR_BYTES

    def allowed(self, packed_bytes: int) -> int:
        """The most bytes a file of ``packed_bytes`` may unpack to."""
        return min(self.max_bytes, max(self.ratio_floor, int(self.max_ratio * packed_bytes)))

    def refusal(self, display: str, packed_bytes: int) -> PoliceUkValidationError:
        """The error for a file that unpacks to more than :meth:`allowed`."""
        by_ratio = max(self.ratio_floor, int(self.max_ratio * packed_bytes))
        if by_ratio < self.max_bytes:
            reason = (
                f"the file unpacks to more than {self.max_ratio:g} times its size "
                f"({packed_bytes:,} bytes); a police.uk file unpacks to about 5 times: it is "
                "damaged or not a police.uk file"
            )
        else:
            reason = (
                f"the file unpacks to more than {self.max_bytes / 1024**2:,.0f} MB, the "
                "limit; split it or ask your administrator"
            )
        return _refuse(display, None, "gzip", reason)


#: Schema of the Parquet files the warehouse stores (``month``/``force`` live in the path).
STORED_SCHEMA = pa.schema(
    [
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("crime_id", pa.string()),
        pa.field("reported_by", pa.string()),
        pa.field("falls_within", pa.string()),
        pa.field("longitude", pa.float64()),
        pa.field("latitude", pa.float64()),
        pa.field("location", pa.string()),
        pa.field("lsoa_code", pa.string()),
        pa.field("lsoa_name", pa.string()),
        pa.field("crime_type", pa.string()),
        pa.field("last_outcome_category", pa.string()),
        pa.field("context", pa.string()),
        pa.field("month_date", pa.date32(), nullable=False),
    ]
)

FILE_NAME_RE = re.compile(
    r"^(?P<month>(?P<year>\d{4})-(?P<mon>\d{2}))-(?P<force>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"-street\.csv(?P<gz>\.gz)?$"
)
FILE_NAME_HELP = (
    "expected YYYY-MM-<force>-street.csv or .csv.gz, e.g. 2024-12-south-yorkshire-street.csv.gz"
)
LSOA_CODE_PATTERN = r"^[EW]01\d{6}$"
NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"

_LSOA_RE = re.compile(LSOA_CODE_PATTERN)
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_CRIME_TYPE_SET = frozenset(CRIME_TYPES)
_GZIP_MAGIC = b"\x1f\x8b"
_HEADER_LINE = ",".join(COLUMNS)
_COORD_LIMITS = {"Longitude": 180.0, "Latitude": 90.0}


class PoliceUkValidationError(FileValidationError):
    """A police.uk file was refused. Nothing of it may be stored."""


@dataclass(frozen=True)
class StreetFileName:
    """What a police.uk file name says: the month and the force."""

    month: str
    force_slug: str
    gzip: bool


@dataclass
class StreetFile:
    """A validated police.uk street file, ready to store.

    Attributes:
        name: the file's name.
        force_slug: force from the file name (``south-yorkshire``).
        month: month from the file name (``2024-12``).
        table: the rows, :data:`STORED_SCHEMA`, in file order.
        rows: number of data rows in the file (the header is not a row).
        source_sha256: SHA-256 of the file as given (compressed if it was).
        source_bytes: size of the file as given.
        seconds: time spent reading and validating.
        careful: True if the careful (``csv`` module) pass built the table.
    """

    name: str
    force_slug: str
    month: str
    table: pa.Table
    rows: int
    source_sha256: str
    source_bytes: int
    seconds: float = 0.0
    careful: bool = False
    decompressed_bytes: int = field(default=0, repr=False)


def parse_file_name(name: str) -> StreetFileName:
    """Month and force from a police.uk file name.

    Args:
        name: a file name or path, e.g. ``2024-12-south-yorkshire-street.csv.gz``.

    Raises:
        PoliceUkValidationError: if the name does not follow the police.uk pattern.
    """
    base = Path(name).name
    match = FILE_NAME_RE.match(base)
    if match and 1 <= int(match["mon"]) <= 12:
        return StreetFileName(match["month"], match["force"], bool(match["gz"]))
    raise PoliceUkValidationError(
        base,
        [
            ValidationIssue(
                base,
                None,
                "file name",
                f"{base!r} is not a police.uk street file name: {FILE_NAME_HELP}",
            )
        ],
    )


def read_street_file(
    path: str | Path,
    *,
    name: str | None = None,
    max_issues: int = MAX_ISSUES,
    limits: UnpackLimits | None = None,
) -> StreetFile:
    """Read and validate one police.uk street file.

    Args:
        path: the file, plain ``.csv`` or ``.csv.gz``.
        name: the file's real name if ``path`` is a temporary copy (an upload); the month and
            force are taken from it. Defaults to the name of ``path``.
        max_issues: list at most this many problems.
        limits: how far a ``.csv.gz`` may unpack (default :class:`UnpackLimits`). A file
            that unpacks further is refused after a first pass that keeps nothing in memory
            (it only counts), so a gzip bomb costs a little time and no memory.

    Returns:
        The validated file.

    Raises:
        PoliceUkValidationError: the file breaks a rule; ``.errors`` says where and why.
        OSError: the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    display = Path(name).name if name else path.name
    parsed = parse_file_name(display)
    limits = limits or UnpackLimits()
    sha256, allowed = _measure(path, display, parsed.gzip, limits)
    raw = path.read_bytes()
    data = _decompress(raw, display, parsed.gzip, allowed)
    table = _fast_pass(data, parsed.month)
    careful = table is None
    if careful:
        table = _careful_pass(data, display, parsed.month, max_issues)
    return StreetFile(
        name=display,
        force_slug=parsed.force_slug,
        month=parsed.month,
        table=table,
        rows=table.num_rows,
        source_sha256=sha256,
        source_bytes=len(raw),
        seconds=time.perf_counter() - started,
        careful=careful,
        decompressed_bytes=len(data),
    )


# --- bytes -----------------------------------------------------------------------------


def _refuse(file: str, line: int | None, field_name: str, reason: str) -> PoliceUkValidationError:
    return PoliceUkValidationError(file, [ValidationIssue(file, line, field_name, reason)])


def _measure(path: Path, display: str, named_gzip: bool, limits: UnpackLimits) -> tuple[str, int]:
    """The file's SHA-256 and how far it may unpack, read piece by piece; refuse a bomb.

    A gzip file is unpacked here only to count its bytes (each piece is dropped at once):
    if it unpacks to more than ``limits`` allow it is refused now, before it is unpacked
    into memory. Damaged data is left to :func:`_decompress_carefully` to report, which
    also keeps to the limit.
    """
    packed = path.stat().st_size
    allowed = limits.allowed(packed)
    digest = hashlib.sha256()
    dec = None
    size = 0
    with path.open("rb") as handle:
        first = True
        while piece := handle.read(_CHUNK):
            digest.update(piece)
            if first:
                first = False
                if named_gzip and piece[:2] == _GZIP_MAGIC and len(piece) >= 4:
                    dec = _Counter()
            if dec is None:
                continue
            size = dec.feed(piece, allowed)
            if size > allowed:
                raise limits.refusal(display, packed)
            if dec.broken:
                dec = None  # damaged: the careful pass says where
    return digest.hexdigest(), allowed


class _Counter:
    """Counts the bytes a gzip stream (all members) unpacks to, keeping none of them."""

    def __init__(self) -> None:
        self.size = 0
        self.broken = False
        self._dec = isal_zlib.decompressobj(wbits=31)

    def feed(self, piece: bytes, allowed: int) -> int:
        """Unpack ``piece``; the bytes counted so far (stops counting past ``allowed``)."""
        data = piece
        try:
            while data and self.size <= allowed:
                if self._dec.eof:  # the next member, zero padding, or junk
                    if not data.strip(b"\x00") or data[:2] != _GZIP_MAGIC:
                        self.broken = bool(data.strip(b"\x00"))
                        return self.size
                    self._dec = isal_zlib.decompressobj(wbits=31)
                out = self._dec.decompress(data, _CHUNK)
                self.size += len(out)
                data = self._dec.unused_data if self._dec.eof else self._dec.unconsumed_tail
        except isal_zlib.error:
            self.broken = True
        return self.size


def _decompress(
    raw: bytes, display: str, named_gzip: bool, allowed: int = MAX_DECOMPRESSED_BYTES
) -> bytes:
    """The file's text bytes: ``raw`` itself, or ``raw`` gunzipped (all members), refused
    if it unpacks to more than ``allowed`` bytes."""
    if not raw:
        raise _refuse(
            display, 1, "header", "the file is empty (0 bytes); expected the police.uk header line"
        )
    is_gzip = raw[:2] == _GZIP_MAGIC
    if not named_gzip:
        if is_gzip:
            raise _refuse(
                display,
                None,
                "gzip",
                "the file is gzip-compressed but its name ends in .csv; name it .csv.gz",
            )
        return raw
    if not is_gzip:
        raise _refuse(display, None, "gzip", "the name ends in .gz but the file is not gzip data")
    # Fast: one call for the usual single-member file, with ISA-L's inflate (the same
    # format as zlib's, over twice as fast). Anything unusual goes the careful way, which
    # uses zlib: so does a header with reserved flag bits set, which ISA-L lets through.
    if len(raw) < 4 or raw[3] & 0xE0:
        return _decompress_carefully(raw, display, allowed)
    dec = isal_zlib.decompressobj(wbits=31)
    try:
        out = dec.decompress(raw, allowed + 1)
        if dec.eof and not dec.unused_data.strip(b"\x00") and len(out) <= allowed:
            return out
        del out
    except isal_zlib.error:
        pass
    return _decompress_carefully(raw, display, allowed)


def _decompress_carefully(raw: bytes, display: str, allowed: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Gunzip chunk by chunk, member by member; on damage say on which line the data stops."""
    parts: list[bytes] = []
    size = 0
    rest = raw
    chunk = 1 << 20
    while rest:
        dec = zlib.decompressobj(wbits=31)
        pos = 0
        try:
            while pos < len(rest) and not dec.eof:
                data = rest[pos : pos + chunk]
                pos += chunk
                while data:
                    piece = dec.decompress(data, chunk)  # bounded: never one huge piece
                    parts.append(piece)
                    size += len(piece)
                    if size > allowed:
                        raise _refuse(
                            display,
                            None,
                            "gzip",
                            f"the file unpacks to more than {allowed:,} bytes, the limit",
                        )
                    data = dec.unconsumed_tail
                    if dec.eof:
                        break
        except zlib.error as exc:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display,
                line,
                "gzip",
                f"the compressed data is corrupt from line {line} on ({exc}); download the file again",
            ) from None
        if not dec.eof:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display,
                line,
                "gzip",
                f"the compressed data is truncated: the file stops in line {line}; download it again",
            )
        rest = dec.unused_data + rest[pos:]  # the next member, if any
        if not rest.strip(b"\x00"):
            break  # zero padding after the last member is harmless
        if rest[:2] != _GZIP_MAGIC:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display, line, "gzip", "unexpected bytes after the end of the compressed data"
            )
    return b"".join(parts)


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


def count_data_rows(path: str | Path) -> int:
    """Count data rows with the csv module alone (a cross-check for tests and ``saferstat``).

    Blank lines are not rows; the header is not a row.
    """
    raw = Path(path).read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        raw = _decompress_carefully(raw, Path(path).name)
    text = raw.decode("utf-8-sig")
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1
