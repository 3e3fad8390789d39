"""Partner datasets: the vocabulary, limits and the declared schema of a dataset."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from saferstat.analytics.constants import NO_WARD  # noqa: F401 (re-exported)
from saferstat.analytics.importing import (
    MAX_LINE_BYTES,  # noqa: F401 (the partner limit)
    FileValidationError,
)
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
#: The most bytes an XLSX may unpack to (the longest CSV line is the importers' own
#: :data:`~saferstat.analytics.importing.MAX_LINE_BYTES`).
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
