"""ONS reference data: LSOA -> ward -> local authority, LSOA 2011 -> 2021, population, codes.

:func:`build_reference_tables` reads the ONS folder (``demo_data/ons``) and returns the
tables the warehouse stores under ``reference/`` (see ``docs/warehouse.md``). Files are
recognised by their header, not their name, so a re-downloaded file with a different name
still works; a UTF-8 byte order mark is allowed (two ONS lookups start with one).

The rule for crimes coded with 2011 LSOAs (police.uk files before 2024 here): each 2011 LSOA
is mapped to one 2021 LSOA through the ONS LSOA 2011 -> 2021 lookup. Unchanged (``U``) and
merged (``M``) LSOAs have exactly one 2021 LSOA. A split (``S``, one 2011 LSOA became several
2021 LSOAs) or irregular change (``X``) has several: we pick the one with the largest Census
2021 population (ties: the lowest code), and take its ward and local authority. When the
candidates lie in different wards that assignment is an approximation, flagged by
``is_ward_approximate`` (3 of the 10 South Yorkshire splits; see ``docs/warehouse.md``).

:func:`area_codes` answers "which codes mean this local authority?", since some authorities
were recoded (Barnsley E08000016 -> E08000038, Sheffield E08000019 -> E08000039 in 2025) and
the lookups still use the old codes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if TYPE_CHECKING:  # imported where used: loading files never needs DuckDB
    import duckdb

from saferstat.analytics.errors import UnknownAreaError  # noqa: F401 (re-exported)
from saferstat.analytics.policeuk import MAX_ISSUES, ValidationIssue

#: ONS LSOA 2011 -> 2021 change indicators: unchanged, split, merged, irregular.
CHANGE_INDICATORS = ("U", "S", "M", "X")

# --- stored schemas -------------------------------------------------------------------

SCHEMAS: dict[str, pa.Schema] = {
    "lsoa_lookup": pa.schema(
        [
            ("lsoa_code", pa.string()),
            ("lsoa_vintage", pa.int32()),
            ("lsoa21_code", pa.string()),
            ("ward_code", pa.string()),
            ("ward_name", pa.string()),
            ("lad_code", pa.string()),
            ("lad_name", pa.string()),
            ("lsoa_name", pa.string()),
            ("change_indicator", pa.string()),
            ("lsoa21_candidates", pa.int32()),
            ("is_ward_approximate", pa.bool_()),
        ]
    ),
    # One row per code, whichever vintage(s) it belongs to: what street_crimes joins to.
    # Codes valid in both vintages are the unchanged ones and map to themselves.
    "lsoa_by_code": pa.schema(
        [
            ("lsoa_code", pa.string()),
            ("in_2011", pa.bool_()),
            ("in_2021", pa.bool_()),
            ("lsoa21_code", pa.string()),
            ("ward_code", pa.string()),
            ("ward_name", pa.string()),
            ("lad_code", pa.string()),
        ]
    ),
    "lsoa11_lsoa21": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("lsoa21_code", pa.string()),
            ("lsoa21_name", pa.string()),
            ("change_indicator", pa.string()),
            ("lad22_code", pa.string()),
            ("lad22_name", pa.string()),
        ]
    ),
    "lsoa11_ward19": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("ward19_code", pa.string()),
            ("ward19_name", pa.string()),
            ("lad19_code", pa.string()),
            ("lad19_name", pa.string()),
        ]
    ),
    "lsoa21_population": pa.schema(
        [("lsoa21_code", pa.string()), ("population", pa.int64()), ("lsoa21_name", pa.string())]
    ),
    "la_codes": pa.schema(
        [
            ("lad_code", pa.string()),
            ("active_code", pa.string()),
            ("lad_name", pa.string()),
            ("active_name", pa.string()),
        ]
    ),
    "lsoa11_imd2019": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("lad19_code", pa.string()),
            ("imd19_rank", pa.int64()),
        ]
    ),
}

#: Tables every reference load stores (all of :data:`SCHEMAS`).
TABLES: tuple[str, ...] = tuple(SCHEMAS)


@dataclass(frozen=True)
class SourceSpec:
    """How to recognise one ONS file by its header."""

    key: str
    title: str
    required: frozenset[str]
    optional: bool = False


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ward24",
        "ONS LSOA (2021) to Electoral Ward (2024) to LAD (2024) lookup",
        frozenset({"LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"}),
    ),
    SourceSpec(
        "lsoa11_lsoa21",
        "ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup",
        frozenset({"LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM"}),
    ),
    SourceSpec(
        "ward19",
        "ONS LSOA (2011) to Ward (2019) lookup",
        frozenset({"LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM"}),
    ),
    SourceSpec(
        "population",
        "Census 2021 usual residents by LSOA 2021 (Nomis export)",
        frozenset({"LSOA21CD", "2021"}),
    ),
    SourceSpec(
        "la_codes",
        "Local authority codes, all vintages (la_all_codes.csv)",
        frozenset({"LADCD", "LADNM", "LADCD_ACTIVE", "LADNM_ACTIVE"}),
    ),
    SourceSpec(
        "imd2019",
        "Index of Multiple Deprivation 2019 lookup",
        frozenset({"LSOA11CD", "LSOA11NM", "LAD19CD", "IMD19"}),
        optional=True,
    ),
)


class ReferenceDataError(ValueError):
    """The ONS folder is incomplete or a file breaks a rule. Nothing was stored.

    Attributes:
        errors: the problems (``file:line: field: reason``), at most :data:`MAX_ISSUES`.
        total: how many problems there are in all.
    """

    def __init__(self, message: str, errors: list[ValidationIssue] | None = None, total: int = 0):
        self.errors = list(errors or [])
        self.total = max(total, len(self.errors))
        lines = [message] + [f"  {e}" for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"  ... and {self.total - len(self.errors):,} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SourceFile:
    """One ONS file that was read."""

    key: str
    path: Path
    sha256: str
    rows: int


@dataclass
class ReferenceTables:
    """Everything :func:`build_reference_tables` produced."""

    tables: dict[str, pa.Table]
    sources: dict[str, SourceFile]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            return [c.strip() for c in next(csv.reader(handle))]
        except (StopIteration, csv.Error, UnicodeDecodeError):
            return []


def find_sources(folder: str | Path) -> dict[str, Path]:
    """Recognise the ONS files in ``folder`` by their header.

    Raises:
        ReferenceDataError: the folder is missing, a required file is missing, or two files
            look like the same table.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReferenceDataError(
            f"{folder}: not a folder (expected the ONS folder, e.g. demo_data/ons)"
        )
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        header = set(_header(path))
        if "F_LSOA11CD" in header:
            header.add("LSOA11CD")
        for spec in SOURCES:
            if spec.required <= header:
                found[spec.key].append(path)
    # The IMD file also has the ward-2019 lookup's LSOA columns but no WD19CD, and vice versa.
    problems = []
    for spec in SOURCES:
        paths = found.get(spec.key, [])
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            problems.append(f"  {spec.title}: several files match ({names}); keep one")
        elif not paths and not spec.optional:
            cols = ", ".join(sorted(spec.required))
            problems.append(f"  {spec.title}: no file with columns {cols}")
    if problems:
        raise ReferenceDataError(
            f"{folder}: cannot build the reference tables:\n" + "\n".join(problems)
        )
    return {key: paths[0] for key, paths in found.items()}


class _Issues:
    def __init__(self) -> None:
        self.listed: list[ValidationIssue] = []
        self.total = 0

    def add(self, file: str, line: int | None, field_name: str, reason: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_ISSUES:
            self.listed.append(ValidationIssue(file, line, field_name, reason))

    def raise_if_any(self, folder: str | Path) -> None:
        if self.total:
            raise ReferenceDataError(f"{folder}: reference data refused", self.listed, self.total)


@dataclass
class _Csv:
    """One ONS CSV read with Arrow: every column a string, plus each row's line number."""

    path: Path
    table: pa.Table
    lines: list[int]
    sha256: str
    ragged: list[tuple[int, int]] = field(default_factory=list)  # (line, fields) off the header

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(name)

    def report(
        self, issues: _Issues, bad: pa.ChunkedArray | pa.Array, column: str, why: str
    ) -> None:
        """Add one problem per row where ``bad`` is true."""
        bad = pc.fill_null(bad, True)
        if not pc.any(bad).as_py():
            return
        values = self.column(column)
        for index in pc.indices_nonzero(bad).to_pylist():
            value = values[index].as_py()
            issues.add(self.path.name, self.lines[index], column, f"{value!r} {why}")


def _read_csv(path: Path) -> _Csv:
    """Read an ONS CSV (BOM allowed). Line numbers are exact even with blank lines."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = [
        c.strip() for c in next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")]))
    ]
    header = ["LSOA11CD" if c == "F_LSOA11CD" else c for c in header]
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
            ),
        )
        if table.num_rows + 1 == n_lines:
            table = table.rename_columns([c.strip() for c in table.column_names])
            return _Csv(path, table, list(range(2, table.num_rows + 2)), digest)
    except pa.ArrowInvalid:
        pass
    # Blank lines, line breaks in values, ragged rows or bad bytes: the csv module knows
    # the line of every row.
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    columns: list[list[str]] = [[] for _ in header]
    lines = []
    ragged = []
    start = reader.line_num + 1
    for row in reader:
        if row and len(row) != len(header):
            ragged.append((start, len(row)))
        if row:
            lines.append(start)
            for i in range(len(header)):
                columns[i].append(row[i].strip() if i < len(row) else "")
        start = reader.line_num + 1
    table = pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)}
    )
    return _Csv(path, table, lines, digest, ragged)


def _not_matching(values: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    return pc.invert(pc.match_substring_regex(values, pattern))


def _check(issues: _Issues, source: _Csv, column: str, pattern: str, what: str) -> None:
    source.report(issues, _not_matching(source.column(column), pattern), column, f"is not {what}")


def _check_unique(issues: _Issues, source: _Csv, column: str) -> None:
    values = source.column(column)
    counts = pc.value_counts(values)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(repeated):
        bad = pc.is_in(values, value_set=repeated)
        # report the second and later rows only
        seen: set[str] = set()
        for index in pc.indices_nonzero(bad).to_pylist():
            value = values[index].as_py()
            if value in seen:
                issues.add(source.path.name, source.lines[index], column, f"{value} appears twice")
            seen.add(value)


LSOA_PATTERN = r"^[EW]01\d{6}$"
LAD_PATTERN = r"^[EWSN]\d{8}$"
CODE_PATTERN = r"^[A-Z]\d{8}$"
COUNT_PATTERN = r"^\d+$"


# --- building --------------------------------------------------------------------------


def build_reference_tables(folder: str | Path) -> ReferenceTables:
    """Read the ONS folder and build every reference table.

    Args:
        folder: the folder with the ONS CSV files (``demo_data/ons``).

    Returns:
        The tables (Arrow, schemas in :data:`SCHEMAS`) and what was read.

    Raises:
        ReferenceDataError: a file is missing or breaks a rule (all problems listed).
    """
    started = time.perf_counter()
    paths = find_sources(folder)
    issues = _Issues()
    src = {key: _read_csv(path) for key, path in paths.items()}
    for source in src.values():
        width = source.table.num_columns
        for line, n in source.ragged:
            issues.add(source.path.name, line, "row", f"has {n} fields; the header has {width}")
    issues.raise_if_any(folder)

    ward24, l1121, ward19, la = src["ward24"], src["lsoa11_lsoa21"], src["ward19"], src["la_codes"]
    _check(issues, ward24, "LSOA21CD", LSOA_PATTERN, "an LSOA 2021 code")
    _check(issues, ward24, "WD24CD", CODE_PATTERN, "a ward code")
    _check(issues, ward24, "LAD24CD", LAD_PATTERN, "a local authority code")
    _check(issues, l1121, "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
    _check(issues, l1121, "LSOA21CD", LSOA_PATTERN, "an LSOA 2021 code")
    _check(issues, l1121, "CHGIND", "^[USMX]$", "a change indicator (U, S, M or X)")
    _check(issues, ward19, "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
    _check(issues, ward19, "WD19CD", CODE_PATTERN, "a ward code")
    _check(issues, ward19, "LAD19CD", LAD_PATTERN, "a local authority code")
    _check(issues, la, "LADCD", LAD_PATTERN, "a local authority code")
    _check(issues, la, "LADCD_ACTIVE", LAD_PATTERN, "a local authority code")
    if "imd2019" in src:
        _check(issues, src["imd2019"], "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
        _check(issues, src["imd2019"], "IMD19", COUNT_PATTERN, "a rank")
    population = _population(src["population"], issues)
    _check_unique(issues, ward24, "LSOA21CD")
    _check_unique(issues, ward19, "LSOA11CD")
    _check_unique(issues, la, "LADCD")
    issues.raise_if_any(folder)

    import duckdb

    con = duckdb.connect()
    try:
        con.register("ward24", ward24.table)
        con.register("l1121", l1121.table)
        con.register("pop", population)
        # Every 2021 LSOA of the 2011 -> 2021 lookup must have a ward, and a population.
        l1121.report(
            issues,
            pc.invert(pc.is_in(l1121.column("LSOA21CD"), value_set=ward24.column("LSOA21CD"))),
            "LSOA21CD",
            "is not in the LSOA 2021 -> ward lookup",
        )
        no_population = pc.invert(
            pc.is_in(ward24.column("LSOA21CD"), value_set=population.column("lsoa21_code"))
        )
        ward24.report(issues, no_population, "LSOA21CD", "has no Census 2021 population")
        issues.raise_if_any(folder)
        lookup = con.sql(_LOOKUP_SQL).to_arrow_table().cast(SCHEMAS["lsoa_lookup"])
        con.register("lookup", lookup)
        by_code = con.sql(_BY_CODE_SQL).to_arrow_table().cast(SCHEMAS["lsoa_by_code"])
        (wrong,) = con.execute(
            "SELECT list(lsoa_code ORDER BY lsoa_code) FROM lookup a WHERE lsoa_vintage = 2011 "
            "AND lsoa21_code <> lsoa_code AND EXISTS (SELECT 1 FROM lookup b "
            "WHERE b.lsoa_vintage = 2021 AND b.lsoa_code = a.lsoa_code)"
        ).fetchone()
        splits, approximate = con.execute(
            "SELECT count(*) FILTER (WHERE lsoa21_candidates > 1), "
            "count(*) FILTER (WHERE is_ward_approximate) FROM lookup WHERE lsoa_vintage = 2011"
        ).fetchone()
    finally:
        con.close()
    if wrong:
        # Codes valid in both vintages must be the unchanged ones (same code, same area).
        raise ReferenceDataError(
            f"{folder}: LSOA codes used in 2011 and 2021 for different areas: {', '.join(wrong[:10])}"
        )
    notes = [
        f"{splits:,} LSOAs 2011 map to several LSOAs 2021; {approximate:,} of them span "
        "several wards (ward assignment approximate: largest-population 2021 LSOA)"
    ]

    def pick(source: _Csv, name: str, columns: dict[str, str]) -> pa.Table:
        table = source.table.select(list(columns.values())).rename_columns(list(columns))
        return table.cast(SCHEMAS[name])

    imd_columns = {
        "lsoa11_code": "LSOA11CD",
        "lsoa11_name": "LSOA11NM",
        "lad19_code": "LAD19CD",
        "imd19_rank": "IMD19",
    }
    tables = {
        "lsoa_lookup": lookup,
        "lsoa_by_code": by_code,
        "lsoa11_lsoa21": pick(
            l1121,
            "lsoa11_lsoa21",
            {
                "lsoa11_code": "LSOA11CD",
                "lsoa11_name": "LSOA11NM",
                "lsoa21_code": "LSOA21CD",
                "lsoa21_name": "LSOA21NM",
                "change_indicator": "CHGIND",
                "lad22_code": "LAD22CD",
                "lad22_name": "LAD22NM",
            },
        ),
        "lsoa11_ward19": pick(
            ward19,
            "lsoa11_ward19",
            {
                "lsoa11_code": "LSOA11CD",
                "lsoa11_name": "LSOA11NM",
                "ward19_code": "WD19CD",
                "ward19_name": "WD19NM",
                "lad19_code": "LAD19CD",
                "lad19_name": "LAD19NM",
            },
        ),
        "lsoa21_population": population,
        "la_codes": pick(
            la,
            "la_codes",
            {
                "lad_code": "LADCD",
                "active_code": "LADCD_ACTIVE",
                "lad_name": "LADNM",
                "active_name": "LADNM_ACTIVE",
            },
        ),
        "lsoa11_imd2019": (
            pick(src["imd2019"], "lsoa11_imd2019", imd_columns)
            if "imd2019" in src
            else SCHEMAS["lsoa11_imd2019"].empty_table()
        ),
    }
    if "imd2019" not in src:
        notes.append("no IMD 2019 file: lsoa11_imd2019 is empty")
    sources = {
        key: SourceFile(key, source.path, source.sha256, source.table.num_rows)
        for key, source in src.items()
    }
    sources["population"] = SourceFile(
        "population", src["population"].path, src["population"].sha256, population.num_rows
    )
    return ReferenceTables(tables, sources, time.perf_counter() - started, notes)


def _population(source: _Csv, issues: _Issues) -> pa.Table:
    """The Nomis export: header, data rows, then blank ``,,`` lines and a note to skip.

    The first row whose ``LSOA21CD`` is not an LSOA code starts the footer; an LSOA row after
    it means the footer was not a footer, and is refused.
    """
    codes = source.column("LSOA21CD")
    is_lsoa = pc.match_substring_regex(codes, LSOA_PATTERN)
    not_lsoa = pc.indices_nonzero(pc.invert(is_lsoa)).to_pylist()
    end = not_lsoa[0] if not_lsoa else len(codes)
    late = pc.indices_nonzero(is_lsoa.slice(end)).to_pylist()
    for index in late[:MAX_ISSUES]:
        issues.add(
            source.path.name,
            source.lines[end + index],
            "LSOA21CD",
            f"an LSOA row after the footer began on line {source.lines[end]}",
        )
    body = source.table.slice(0, end)
    counts = body.column("2021")
    source_body = _Csv(source.path, body, source.lines[:end], source.sha256)
    source_body.report(
        issues, _not_matching(counts, COUNT_PATTERN), "2021", "is not a count of residents"
    )
    _check_unique(issues, source_body, "LSOA21CD")
    if issues.total:
        return SCHEMAS["lsoa21_population"].empty_table()
    name_column = source.table.column_names[0]
    return pa.table(
        {
            "lsoa21_code": body.column("LSOA21CD"),
            "population": pc.cast(counts, pa.int64()),
            "lsoa21_name": body.column(name_column),
        },
        schema=SCHEMAS["lsoa21_population"],
    )


# 2021 LSOAs map to themselves. A 2011 LSOA maps to the 2021 LSOA with the largest Census
# 2021 population among those the ONS lookup gives it (ties: the lowest code).
_LOOKUP_SQL = """
WITH w AS (
    SELECT LSOA21CD AS code, LSOA21NM AS name, WD24CD AS ward_code, WD24NM AS ward_name,
           LAD24CD AS lad_code, LAD24NM AS lad_name
    FROM ward24
),
candidates AS (
    SELECT l.LSOA11CD AS code11, l.LSOA11NM AS name11, l.LSOA21CD AS code21,
           l.CHGIND AS indicator, coalesce(p.population, 0) AS population, w.ward_code
    FROM l1121 l JOIN w ON w.code = l.LSOA21CD
    LEFT JOIN pop p ON p.lsoa21_code = l.LSOA21CD
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY code11 ORDER BY population DESC, code21) AS rank,
           count(DISTINCT code21) OVER (PARTITION BY code11) AS n_targets,
           count(DISTINCT ward_code) OVER (PARTITION BY code11) AS n_wards,
           count(DISTINCT indicator) OVER (PARTITION BY code11) AS n_indicators
    FROM candidates
)
SELECT code AS lsoa_code, 2021 AS lsoa_vintage, code AS lsoa21_code,
       ward_code, ward_name, lad_code, lad_name, name AS lsoa_name, NULL AS change_indicator,
       1 AS lsoa21_candidates, false AS is_ward_approximate
FROM w
UNION ALL
SELECT r.code11, 2011, r.code21, w.ward_code, w.ward_name, w.lad_code, w.lad_name, r.name11,
       CASE WHEN r.n_indicators = 1 THEN r.indicator ELSE 'X' END,
       r.n_targets, r.n_wards > 1
FROM ranked r JOIN w ON w.code = r.code21
WHERE r.rank = 1
ORDER BY lsoa_vintage DESC, lsoa_code
"""

_BY_CODE_SQL = """
SELECT lsoa_code,
       bool_or(lsoa_vintage = 2011) AS in_2011,
       bool_or(lsoa_vintage = 2021) AS in_2021,
       any_value(lsoa21_code ORDER BY lsoa_vintage DESC) AS lsoa21_code,
       any_value(ward_code ORDER BY lsoa_vintage DESC) AS ward_code,
       any_value(ward_name ORDER BY lsoa_vintage DESC) AS ward_name,
       any_value(lad_code ORDER BY lsoa_vintage DESC) AS lad_code
FROM lookup
GROUP BY lsoa_code
ORDER BY lsoa_code
"""


def load_reference(root: str | os.PathLike, folder: str | os.PathLike):
    """Build the reference tables from the ONS ``folder`` and publish them in the warehouse.

    Same as ``Warehouse(root).load_reference(folder)``; returns its
    :class:`~saferstat.analytics.warehouse.ReferenceLoadResult`.
    """
    from saferstat.analytics.warehouse import Warehouse

    return Warehouse(root).load_reference(folder)


# --- questions -------------------------------------------------------------------------


def area_codes(con_or_root: duckdb.DuckDBPyConnection | str | os.PathLike, code: str) -> list[str]:
    """Every code (current or earlier) of the local authority that ``code`` names.

    ``E08000016`` and ``E08000038`` both mean Barnsley, so both give
    ``['E08000016', 'E08000038']``. Filter ``street_crimes.lad_code`` with the result.

    Args:
        con_or_root: a connection from :func:`saferstat.analytics.warehouse.connect`, or the
            warehouse folder.
        code: a local authority district code, old or current.

    Returns:
        The codes, sorted.

    Raises:
        UnknownAreaError: the code is not a local authority code the reference data knows
            (or no reference data is loaded).
    """
    if isinstance(con_or_root, (str, os.PathLike)):
        from saferstat.analytics.warehouse import connect

        con = connect(con_or_root)
        try:
            return area_codes(con, code)
        finally:
            con.close()
    con = con_or_root
    wanted = (code or "").strip().upper()
    row = con.execute("SELECT active_code FROM la_codes WHERE lad_code = ?", [wanted]).fetchone()
    if row is None:
        (known,) = con.execute("SELECT count(*) FROM la_codes").fetchone()
        if not known:
            raise UnknownAreaError(
                f"unknown local authority code {code!r}: no reference data is loaded "
                "(run: saferstat reference demo_data/ons)"
            )
        raise UnknownAreaError(
            f"unknown local authority code {code!r}: expected a local authority district code "
            "such as E08000018 (Rotherham)"
        )
    rows = con.execute(
        "SELECT lad_code FROM la_codes WHERE active_code = ? ORDER BY lad_code", [row[0]]
    ).fetchall()
    return [r[0] for r in rows]
