"""Reading the ONS CSV files: finding them by header, exact line numbers, rule checks."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from saferstat.analytics.importing import ValidationIssue
from saferstat.analytics.ons.schemas import SOURCES, ReferenceDataError
from saferstat.analytics.policeuk import MAX_ISSUES


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
