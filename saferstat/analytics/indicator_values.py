"""Indicator values from the spreadsheets partnerships keep: one rule for every value, and the
check of a whole file (CSV or the first sheet of an XLSX) before anything is stored.

Plain Python (no Django). The file is read by the partner-data reader
(:func:`saferstat.analytics.partner.read_table`: CSV UTF-8 or XLSX values only, formula
cells refused, exact line numbers), quarters are read by the same parser as quarterly
partner datasets, and problems are collected by the shared
:class:`~saferstat.analytics.importing.IssueCollector` and reported as
``file:line: field: reason``. A file with any problem is refused whole.

The file has one row per indicator and quarter::

    indicator,period,value,note
    missing-repeat,2024/25-Q1,41,
    found-share,2024/25-Q1,82.5,Two late reports

``indicator`` is the indicator's code, ``period`` a quarter of the reporting calendar
(``2024/25-Q1``, or ``Q1 2024/25``), ``value`` a number checked by the indicator's unit
exactly like the return form (:func:`check_value`), ``note`` optional text.

An indicator reported monthly has a row per month, with the month (``2024-05``, a month of
the row's quarter) in the optional ``month`` column::

    indicator,period,month,value,note
    missing-monthly,2024/25-Q1,2024-04,12,
    missing-monthly,2024/25-Q1,2024-05,9,

A quarterly indicator's row leaves ``month`` empty (or the file has no ``month`` column).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from saferstat.analytics.importing import FileValidationError, IssueCollector
from saferstat.analytics.partner.files import RawTable, _blank
from saferstat.analytics.partner.schema import MAX_ISSUES, _show
from saferstat.analytics.partner.validation import _parse_quarter_value, _text
from saferstat.analytics.periods import PeriodError, format_month, parse_month, parse_period

#: The columns of a values file, in the order the template writes them.
COLUMNS = ("indicator", "period", "month", "value", "note")
REQUIRED = ("indicator", "period", "value")
#: At most this many data rows in one file (ten years of a hundred indicators).
MAX_VALUE_ROWS = 4000
MAX_NOTE_CHARS = 2000

ERR_NUMBER = "Enter a number, for example 42 or 12.5."
ERR_WHOLE = "Enter a whole number of 0 or more (this indicator counts things)."
ERR_NEGATIVE = "Enter a number of 0 or more."
ERR_PERCENT = "Enter a percentage from 0 to 100."


class IndicatorValuesError(FileValidationError):
    """An indicator values file was refused; nothing of it was stored."""


def parse_number(raw: Any) -> float | None | str:
    """A typed or read value as a number: ``None`` when blank, the reason when it is not a
    number (thousands separators are allowed: ``1,204``)."""
    if isinstance(raw, bool):
        return ERR_NUMBER
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = "" if raw is None else str(raw).strip().replace(",", "")
        if text == "":
            return None
        try:
            number = float(text)
        except ValueError:
            return ERR_NUMBER
    if not math.isfinite(number):
        return ERR_NUMBER
    return number


def check_value(number: float, unit: str) -> str | None:
    """Why ``number`` is not a value of an indicator in ``unit``, or None when it is: a count
    is a whole number from 0, a percentage is 0 to 100, a rate is 0 or more."""
    if unit == "count" and (number < 0 or number != int(number)):
        return ERR_WHOLE
    if unit == "percentage" and not 0 <= number <= 100:
        return ERR_PERCENT
    if number < 0:
        return ERR_NEGATIVE
    return None


@dataclass(frozen=True)
class ValueRow:
    """One checked row: the indicator's code, the quarter (``2024/25-Q1``), the value and
    the note, with the row's line in the file; ``month`` (``2024-05``) for a monthly
    indicator, else blank."""

    line: int
    code: str
    period: str
    value: float
    note: str
    month: str = ""


@dataclass(frozen=True)
class ValuesFile:
    """A values file that passed every check."""

    name: str
    sha256: str
    rows: list[ValueRow]


def validate_values(
    table: RawTable,
    *,
    units: Mapping[str, str | None],
    periods: Collection[str],
    blocked: Mapping[tuple[str, str], str] | None = None,
    monthly: Collection[str] = (),
    max_issues: int = MAX_ISSUES,
) -> ValuesFile:
    """Check every row of a values file; refuse it whole if anything is wrong.

    Args:
        table: the file from :func:`saferstat.analytics.partner.read_table`.
        units: every indicator code of the partnership with its unit, or ``None`` for an
            indicator whose values are computed (it takes no imported values).
        periods: the quarters of the reporting calendar.
        blocked: ``{(code, quarter): reason}`` for values that may not be imported now
            (for example, the lead's return for that quarter is awaiting approval).
        monthly: the codes of indicators reported monthly: each row names its month, a
            month of the row's quarter; other indicators' rows leave ``month`` empty.
        max_issues: list at most this many problems, then "... and N more".

    Raises:
        IndicatorValuesError: every problem, as ``file:line: field: reason``.
    """
    issues = IssueCollector(table.name, max_issues, IndicatorValuesError, by_line=True)
    for issue in table.issues:
        issues.add(issue.line, issue.field, issue.reason)
    issues.total += table.issue_total - len(table.issues)
    blocked = blocked or {}
    known_periods = frozenset(periods)

    expected = ", ".join(COLUMNS)
    index: dict[str, int] = {}
    for i, cell in enumerate(table.header):
        key = cell.casefold()
        if not cell:
            issues.add(
                table.header_line, f"column {i + 1}", f"has no name (the columns are: {expected})"
            )
        elif key not in COLUMNS:
            issues.add(
                table.header_line,
                cell,
                f"is not a column of this file (the columns are: {expected})",
            )
        elif key in index:
            issues.add(table.header_line, cell, "appears twice in the header")
        else:
            index[key] = i
    for name in REQUIRED:
        if name not in index:
            issues.add(
                table.header_line,
                name,
                f"missing: the header has no column {name!r} (the columns are: {expected})",
            )
    width = len(table.header)

    def cell(values: list[Any], name: str) -> Any:
        i = index.get(name)
        return values[i] if i is not None and i < len(values) else None

    rows: list[ValueRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    monthly = frozenset(monthly)
    for line, values in table.rows if all(n in index for n in REQUIRED) else []:
        before = issues.total
        if any(not _blank(v) for v in values[width:]):
            issues.add(line, "row", f"has more values than the header's {width} columns")
        code = _text(cell(values, "indicator"))
        if not code:
            issues.add(line, "indicator", "is empty: give the indicator's code")
        elif code not in units:
            issues.add(line, "indicator", f"{_show(code)} is not an indicator of this partnership")
        elif units[code] is None:
            issues.add(
                line,
                "indicator",
                f"{_show(code)} is computed from records: it takes no entered values",
            )
        period = None
        raw_period = cell(values, "period")
        if _blank(raw_period):
            issues.add(line, "period", "is empty")
        else:
            parsed = _parse_quarter_value(raw_period)
            if isinstance(parsed, str):
                issues.add(line, "period", parsed)
            elif parsed.label not in known_periods:
                issues.add(
                    line, "period", f"{parsed.label} is not in the partnership's reporting calendar"
                )
            else:
                period = parsed.label
        month = _check_month(issues, line, cell(values, "month"), code, period, monthly)
        number = parse_number(cell(values, "value"))
        if number is None:
            issues.add(line, "value", "is empty: give a number")
        elif isinstance(number, str):
            issues.add(line, "value", f"{_show(_text(cell(values, 'value')))}: {number}")
        elif (
            code in units and units[code] is not None and (why := check_value(number, units[code]))
        ):
            issues.add(line, "value", f"{number:g}: {why}")
        note = _text(cell(values, "note"))
        if len(note) > MAX_NOTE_CHARS:
            issues.add(
                line, "note", f"is {len(note):,} characters long; at most {MAX_NOTE_CHARS:,}"
            )
        if issues.total != before or period is None:
            continue
        if (code, period) in blocked:
            issues.add(line, "period", blocked[(code, period)])
            continue
        key = (code, period, month)
        if key in seen:
            what = "indicator, period and month" if month else "indicator and period"
            issues.add(line, "row", f"duplicate of line {seen[key]} (same {what})")
            continue
        seen[key] = line
        rows.append(ValueRow(line, code, period, float(number), note, month))
    if not table.rows and not table.truncated and not issues.total:
        issues.add(table.header_line + 1, "row", "the file has a header but no data rows")
    if issues.total:
        raise issues.error()
    return ValuesFile(table.name, table.sha256, rows)


def _check_month(
    issues: IssueCollector,
    line: int,
    raw: Any,
    code: str,
    period: str | None,
    monthly: Collection[str],
) -> str:
    """The row's month (``2024-05``) for a monthly indicator, ``""`` for a quarterly one;
    a problem (no month, not a month, a month outside the row's quarter, a month for a
    quarterly indicator) is added to ``issues``."""
    text = "" if _blank(raw) else _text(raw)
    if code not in monthly:
        if text and code:
            issues.add(
                line,
                "month",
                f"{_show(text)}: {_show(code)} is reported quarterly: leave month empty",
            )
        return ""
    if not text:
        issues.add(line, "month", f"is empty: {_show(code)} is reported monthly: give the month")
        return ""
    try:
        year, mon = parse_month(text)
    except PeriodError as exc:
        issues.add(line, "month", str(exc))
        return ""
    month = format_month(year, mon)
    months = parse_period(period).months if period is not None else ()
    if period is not None and month not in months:
        issues.add(
            line,
            "month",
            f"{month} is not a month of {period} (its months are {', '.join(months)})",
        )
    return month
