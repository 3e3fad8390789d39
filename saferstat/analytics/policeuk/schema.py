"""police.uk street files: the columns, crime types, stored schema, file names and the error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from saferstat.analytics.importing import (  # noqa: F401 (re-exported)
    BOM as _BOM,
)
from saferstat.analytics.importing import (
    FileValidationError,
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


def _refuse(file: str, line: int | None, field_name: str, reason: str) -> PoliceUkValidationError:
    return PoliceUkValidationError(file, [ValidationIssue(file, line, field_name, reason)])
