"""Survey responses: reading and checking an export row by row."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import QueryError
from .coverage import COVERAGE_GROUPS

# --- survey responses -----------------------------------------------------------------------

RESPONSE_COLUMNS = ("age", "sex", "disability", "ethnic_group", "area", "concern_theme")
#: Columns a survey export may have: the respondent's own words (personal data: shown to
#: analysts and admins only, never published, tagged by theme).
OPTIONAL_COLUMNS = ("free_text",)
FREE_TEXT_MAX = 5000
AGE_MIN, AGE_MAX = 16, 110


def age_band(age: int) -> str:
    for band in COVERAGE_GROUPS["age"]:
        if band.endswith("+"):
            return band
        lo, hi = (int(x) for x in band.split("-"))
        if lo <= age <= hi:
            return band
    raise QueryError(f"No band for age {age}")  # pragma: no cover (75+ takes the rest)


@dataclass
class ParsedResponses:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_responses(
    text: str, *, areas: Iterable[str], themes: Iterable[str] = (), source: str = ""
) -> ParsedResponses:
    """Check a survey export given as CSV text (see :func:`check_responses`)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    records = []
    line = reader.line_num + 1
    for values in reader:
        records.append((line, values))
        line = reader.line_num + 1
    return check_responses(header, records, areas=areas, themes=themes, source=source)


def _cell(value: object) -> str:
    """A cell as text: a spreadsheet's whole number 34.0 is '34'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_responses(
    header: Sequence[object],
    records: Iterable[tuple[int, Sequence[object]]],
    *,
    areas: Iterable[str],
    themes: Iterable[str] = (),
    source: str = "",
) -> ParsedResponses:
    """Check a survey export's rows (``(line, values)``, from a CSV file or the first sheet
    of an XLSX workbook, the header being line 1) with the columns ``RESPONSE_COLUMNS`` and
    perhaps ``free_text`` (the respondent's own words, at most ``FREE_TEXT_MAX`` characters).
    Every answer may be blank (prefer not to say), but a given one must be known: an age
    from 16 to 110, a sex, disability and broad ethnic group as the Census has them, an area
    of the partnership and, if themes are given, a known theme. Every bad row is reported as
    ``line N: column: reason`` (after ``source: `` when the file's name is given); when
    there is any, no row is returned."""
    result = ParsedResponses()
    prefix = f"{source}: " if source else ""
    names = [_cell(h).lower() for h in header]
    missing = [c for c in RESPONSE_COLUMNS if c not in names]
    if missing:
        result.errors.append(f"{prefix}line 1: the file has no column {', '.join(missing)}")
        return result
    areas_lower = {a.lower(): a for a in areas}
    themes_lower = {t.lower(): t for t in themes}
    allowed = {
        dim: {g.lower(): g for g in groups}
        for dim, groups in COVERAGE_GROUPS.items()
        if dim != "age"
    }
    rows: list[dict[str, str]] = []
    for line, values in records:
        rec = {name: _cell(v) for name, v in zip(names, values, strict=False) if name}
        if not any(rec.values()) and len(values) <= 1 and not _cell(values[0] if values else ""):
            continue  # an empty line: no respondent
        row: dict[str, str] = {}

        def refuse(column: str, reason: str, line: int = line) -> None:
            result.errors.append(f"{prefix}line {line}: {column}: {reason}")

        value = rec.get("age", "")
        if value:
            if not value.isdigit() or not AGE_MIN <= int(value) <= AGE_MAX:
                refuse("age", f"{value[:20]!r} is not an age from {AGE_MIN} to {AGE_MAX}")
            else:
                row["age"] = age_band(int(value))
        for dim, known in allowed.items():
            value = rec.get(dim, "")
            if value:
                if value.lower() not in known:
                    refuse(dim, f"{value[:40]!r} is not a known group")
                else:
                    row[dim] = known[value.lower()]
        value = rec.get("area", "")
        if value:
            if value.lower() not in areas_lower:
                refuse("area", f"{value[:40]!r} is not a ward here")
            else:
                row["area"] = areas_lower[value.lower()]
        value = rec.get("concern_theme", "")
        if value:
            if themes_lower and value.lower() not in themes_lower:
                refuse("concern_theme", f"{value[:40]!r} is unknown")
            else:
                row["concern_theme"] = themes_lower.get(value.lower(), value[:100])
        value = rec.get("free_text", "")
        if value:
            if len(value) > FREE_TEXT_MAX:
                refuse("free_text", f"longer than {FREE_TEXT_MAX:,} characters")
            else:
                row["free_text"] = value
        rows.append(row)
    if not rows and not result.errors:
        result.errors.append(f"{prefix}line 2: the file has no responses")
    if not result.errors:
        result.rows = rows
    return result


def counts_by(rows: Iterable[Mapping[str, str]], column: str) -> dict[str, int]:
    return dict(Counter(r[column] for r in rows if r.get(column)))
