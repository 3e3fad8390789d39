"""Checking every row of a partner file against its dataset's schema and area codes."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from saferstat.analytics.importing import (
    IssueCollector,
)
from saferstat.analytics.partner.files import (
    RawTable,
    _blank,
)
from saferstat.analytics.partner.schema import (
    AREA_LEVEL_NAMES,
    AREA_PATTERNS,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_COUNT,
    MAX_ISSUES,
    MAX_VALUE_CHARS,
    Column,
    DatasetSchema,
    PartnerValidationError,
    _show,
)
from saferstat.analytics.periods import (
    quarter_period,
)

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
