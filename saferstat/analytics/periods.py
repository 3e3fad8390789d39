"""Reporting periods: calendar months, financial-year quarters, financial years, rolling 12 months.

A financial year runs from April to March, as in every CSP annual report: ``2024/25`` is
April 2024 to March 2025. Its quarters are Q1 April-June, Q2 July-September, Q3
October-December and Q4 January-March (so ``2024/25-Q4`` is January-March 2025).

Text forms accepted by :func:`parse_period` (and produced by :attr:`Period.label`):

==================  ==================  ===============================================
Kind                Label               Months
==================  ==================  ===============================================
``month``           ``2024-05``         May 2024
``quarter``         ``2024/25-Q1``      2024-04 to 2024-06
``financial_year``  ``2024/25``         2024-04 to 2025-03
``rolling12``       ``R12-2025-09``     the 12 months ending with 2025-09 (2024-10 to 2025-09)
==================  ==================  ===============================================

Months are always ``'YYYY-MM'`` strings, which sort in time order.

Text from outside (a URL, a query string, an API call) is read by :func:`parse_period` and
:func:`parse_month_range` only. They accept ASCII digits only and years
:data:`FIRST_YEAR` to :data:`LAST_YEAR`, so that arithmetic on what they return (the year
before, 25 years of trend) stays within four-digit years, and raise :class:`PeriodError`
(a ``ValueError``) with a message fit to show: pages answer it with 400 or 404, the API
with 422.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from saferstat.analytics.errors import QueryError

PeriodKind = Literal["month", "quarter", "financial_year", "rolling12"]

KINDS: tuple[str, ...] = ("month", "quarter", "financial_year", "rolling12")

#: The years a period read from text may fall in (see the module's docstring).
FIRST_YEAR, LAST_YEAR = 1900, 2999

#: The longest run of months :func:`parse_month_range` accepts: 25 years.
MAX_MONTHS = 12 * 25

#: First calendar month of the financial year (April).
FY_START_MONTH = 4

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# ASCII digits only (``\d`` would take Arabic-Indic or full-width digits too), whole text.
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_FY_RE = re.compile(r"([0-9]{4})/([0-9]{2})")
_QUARTER_RE = re.compile(r"([0-9]{4})/([0-9]{2})-Q([0-9]{1,2})", re.IGNORECASE)
_ROLLING_RE = re.compile(r"R12-([0-9]{4})-([0-9]{2})", re.IGNORECASE)

_FORMS = (
    "expected a month '2024-05', a financial year '2024/25', a quarter '2024/25-Q1' "
    "or rolling 12 months 'R12-2025-09'"
)


class PeriodError(QueryError):
    """Text that is not a period or month SaferStat works with; the message says why."""


# --- month arithmetic ------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    """Split ``'YYYY-MM'`` into ``(year, month)`` (any four-digit year).

    Raises:
        PeriodError: if the text is not a valid month.
    """
    match = _MONTH_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise PeriodError(f"{text!r} is not a month: expected 'YYYY-MM', e.g. '2024-05'")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise PeriodError(f"{text!r} is not a month: the month must be 01 to 12")
    return year, month


def format_month(year: int, month: int) -> str:
    """``(2024, 5)`` -> ``'2024-05'``."""
    return f"{year:04d}-{month:02d}"


def add_months(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (``n`` may be negative)."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + n
    return format_month(index // 12, index % 12 + 1)


def add_months_to_day(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), or the month's last day when it is shorter.

    >>> add_months_to_day(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive, in order (empty if end < start)."""
    sy, sm = parse_month(start)
    ey, em = parse_month(end)
    first, last = sy * 12 + sm - 1, ey * 12 + em - 1
    return [format_month(i // 12, i % 12 + 1) for i in range(first, last + 1)]


def missing_months(months: Iterable[str]) -> list[str]:
    """Months absent between the first and the last of ``months`` (a gap is not a zero)."""
    have = sorted(set(months))
    if not have:
        return []
    present = set(have)
    return [m for m in month_range(have[0], have[-1]) if m not in present]


def month_runs(months: Iterable[str]) -> list[list[str]]:
    """Consecutive runs of the given months: ``['2019-07', '2021-10', '2021-11']`` ->
    ``[['2019-07'], ['2021-10', '2021-11']]``."""
    runs: list[list[str]] = []
    for month in sorted(set(months)):
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def describe_months(months: Iterable[str], name: Callable[[str], str] = str) -> str:
    """``['2019-07', '2021-10', '2021-11']`` -> ``'2019-07, 2021-10 to 2021-11'``: the one
    way a list of months (usually missing ones) is written in notes, warnings and errors.
    ``name`` writes one month (e.g. :func:`month_name`: ``'October 2021 to November 2021'``)."""
    return ", ".join(
        name(r[0]) if len(r) == 1 else f"{name(r[0])} to {name(r[-1])}" for r in month_runs(months)
    )


def month_name(month: str) -> str:
    """``'2024-05'`` -> ``'May 2024'``."""
    year, mon = parse_month(month)
    return f"{MONTH_NAMES[mon - 1]} {year}"


def fy_start_year(month: str) -> int:
    """Calendar year in which the financial year containing ``month`` starts.

    ``'2024-04'`` and ``'2025-03'`` both give 2024 (financial year 2024/25).
    """
    year, mon = parse_month(month)
    return year if mon >= FY_START_MONTH else year - 1


def fy_label(start_year: int) -> str:
    """``2024`` -> ``'2024/25'``."""
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


# --- the Period value ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period: a contiguous run of whole calendar months.

    Build one with :func:`parse_period` or the constructors :func:`month_period`,
    :func:`quarter_period`, :func:`financial_year`, :func:`rolling12`.

    Attributes:
        kind: ``month``, ``quarter``, ``financial_year`` or ``rolling12``.
        label: canonical text form, which :func:`parse_period` reads back.
        start: first month, ``'YYYY-MM'``.
        end: last month, ``'YYYY-MM'``.
    """

    kind: PeriodKind
    label: str
    start: str
    end: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise QueryError(f"unknown period kind {self.kind!r}: expected one of {KINDS}")
        if not month_range(self.start, self.end):
            raise QueryError(f"period {self.label!r} ends ({self.end}) before it starts")

    @property
    def months(self) -> list[str]:
        """Every month of the period, ``'YYYY-MM'``, in order."""
        return month_range(self.start, self.end)

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def title(self) -> str:
        """Human wording, e.g. ``'2024/25 (April 2024 to March 2025)'``."""
        if self.kind == "month":
            return month_name(self.start)
        span = f"{month_name(self.start)} to {month_name(self.end)}"
        if self.kind == "rolling12":
            return f"12 months to {month_name(self.end)} ({span})"
        return f"{self.label} ({span})"

    def __contains__(self, month: object) -> bool:
        return isinstance(month, str) and self.start <= month <= self.end

    def previous(self) -> Period:
        """The period of the same kind immediately before this one.

        Month -> previous month; quarter -> previous quarter (Q1 2024/25 -> Q4 2023/24);
        financial year -> previous financial year; rolling 12 months -> the 12 months
        before it (``R12-2025-09`` -> ``R12-2024-09``), so the two do not overlap.
        """
        if self.kind == "month":
            return month_period(add_months(self.start, -1))
        if self.kind == "quarter":
            fy, q = _quarter_parts(self.label)
            return quarter_period(fy - 1, 4) if q == 1 else quarter_period(fy, q - 1)
        if self.kind == "financial_year":
            return financial_year(fy_start_year(self.start) - 1)
        return rolling12(add_months(self.end, -12))

    def same_period_last_year(self) -> Period:
        """The same period one year earlier (May 2024 -> May 2023; 2024/25-Q2 -> 2023/24-Q2).

        For a financial year and rolling 12 months this equals :meth:`previous`.
        """
        if self.kind == "month":
            return month_period(add_months(self.start, -12))
        if self.kind == "quarter":
            fy, q = _quarter_parts(self.label)
            return quarter_period(fy - 1, q)
        if self.kind == "financial_year":
            return financial_year(fy_start_year(self.start) - 1)
        return rolling12(add_months(self.end, -12))

    def __str__(self) -> str:
        return self.label


def _quarter_parts(label: str) -> tuple[int, int]:
    match = _QUARTER_RE.fullmatch(label)
    assert match, label
    return int(match.group(1)), int(match.group(3))


# --- constructors ----------------------------------------------------------------------


def month_period(month: str) -> Period:
    """The calendar month ``'YYYY-MM'``."""
    year, mon = parse_month(month)
    label = format_month(year, mon)
    return Period("month", label, label, label)


def financial_year(start_year: int) -> Period:
    """Financial year starting in April of ``start_year`` (``2024`` -> ``2024/25``)."""
    start = format_month(start_year, FY_START_MONTH)
    return Period("financial_year", fy_label(start_year), start, add_months(start, 11))


def quarter_period(start_year: int, quarter: int) -> Period:
    """Quarter ``quarter`` (1-4) of the financial year starting in ``start_year``."""
    if quarter not in (1, 2, 3, 4):
        raise QueryError(f"quarter must be 1 to 4, not {quarter}")
    start = add_months(format_month(start_year, FY_START_MONTH), 3 * (quarter - 1))
    return Period("quarter", f"{fy_label(start_year)}-Q{quarter}", start, add_months(start, 2))


def rolling12(end_month: str) -> Period:
    """The 12 months ending with (and including) ``end_month``."""
    year, mon = parse_month(end_month)
    end = format_month(year, mon)
    return Period("rolling12", f"R12-{end}", add_months(end, -11), end)


def financial_year_of(month: str) -> Period:
    """The financial year that contains ``month`` (``'2025-02'`` -> ``2024/25``)."""
    return financial_year(fy_start_year(month))


def quarter_of(month: str) -> Period:
    """The financial-year quarter that contains ``month`` (``'2025-02'`` -> ``2024/25-Q4``)."""
    start_year = fy_start_year(month)
    _, mon = parse_month(month)
    return quarter_period(start_year, (mon - FY_START_MONTH) % 12 // 3 + 1)


# --- parsing ---------------------------------------------------------------------------


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            f"{text!r} is outside the years SaferStat covers ({FIRST_YEAR} to {LAST_YEAR})"
        )
    return year


def _parse_fy(text: str, first: str, second: str) -> int:
    start_year = _year(text, first)
    if int(second) != (start_year + 1) % 100:
        raise PeriodError(
            f"{text!r} is not a financial year: the second year must follow the first "
            f"(did you mean {fy_label(start_year)!r}?)"
        )
    return start_year


def parse_period(text: str, *, kinds: Collection[str] = KINDS) -> Period:
    """Read a period from its text form: the one way text from outside becomes a period.

    Args:
        text: ``'2024-05'`` (month), ``'2024/25'`` (financial year April 2024 to March
            2025), ``'2024/25-Q1'`` (quarter: Q1 April-June 2024 ... Q4 January-March
            2025) or ``'R12-2025-09'`` (rolling 12 months ending September 2025).
            Surrounding spaces are ignored; ``q``/``r`` may be lower case. Digits are
            ASCII; years :data:`FIRST_YEAR` to :data:`LAST_YEAR`.
        kinds: the kinds of period wanted (default: any); another kind is refused.

    Returns:
        The :class:`Period`.

    Raises:
        PeriodError: with a message naming what is wrong, e.g. ``'2024/26'`` (years do
            not follow on), ``'2024/25-Q5'`` (no such quarter), ``'2024-13'`` (no such month),
            ``'0000-01'`` (outside the years covered).
    """
    period = _parse_period(text)
    if period.kind not in kinds:
        wanted = " or ".join(_KIND_WORDS[k] for k in KINDS if k in kinds)
        raise PeriodError(f"{text!r} is not {wanted}")
    return period


_KIND_WORDS = {
    "month": "a month such as 2024-05",
    "quarter": "a quarter such as 2024/25-Q1",
    "financial_year": "a financial year such as 2024/25",
    "rolling12": "rolling 12 months such as R12-2025-09",
}


def _parse_period(text: str) -> Period:
    if not isinstance(text, str):
        raise PeriodError(f"{text!r} is not a period: {_FORMS}")
    cleaned = text.strip()
    if match := _QUARTER_RE.fullmatch(cleaned):
        start_year = _parse_fy(cleaned, match.group(1), match.group(2))
        quarter = int(match.group(3))
        if not 1 <= quarter <= 4:
            raise PeriodError(
                f"{text!r} is not a quarter: a financial year has quarters Q1 to Q4 "
                "(Q1 April-June ... Q4 January-March)"
            )
        return quarter_period(start_year, quarter)
    if match := _FY_RE.fullmatch(cleaned):
        return financial_year(_parse_fy(cleaned, match.group(1), match.group(2)))
    if match := _ROLLING_RE.fullmatch(cleaned):
        month = f"{_year(text, match.group(1)):04d}-{match.group(2)}"
        try:
            parse_month(month)
        except ValueError:
            raise PeriodError(
                f"{text!r} is not a rolling 12-month period: the month must be 01 to 12"
            ) from None
        return rolling12(month)
    if match := _MONTH_RE.fullmatch(cleaned):
        _year(text, match.group(1))
        return month_period(cleaned)
    raise PeriodError(f"{text!r} is not a period: {_FORMS}")


def parse_month_range(start: str, end: str, *, max_months: int = MAX_MONTHS) -> tuple[str, str]:
    """Read a run of months from text (``'2024-04'``, ``'2025-03'``), as typed by a person.

    Returns:
        ``(start, end)`` as canonical ``'YYYY-MM'``.

    Raises:
        PeriodError: either is not a month (:func:`parse_period`'s rules), the first comes
            after the last, or the run is longer than ``max_months`` (25 years).
    """
    first = parse_period(start, kinds=("month",)).start
    last = parse_period(end, kinds=("month",)).start
    if first > last:
        raise PeriodError(f"The first month ({first}) must not be after the last ({last}).")
    if len(month_range(first, last)) > max_months:
        raise PeriodError(f"Choose at most {max_months // 12} years of months.")
    return first, last


def latest_unbroken_run(months: Collection[str], max_months: int = 36) -> tuple[str, str]:
    """The latest run of consecutive months in ``months``, at most ``max_months`` long:
    ``(first, last)``, or ``('', '')`` when there are none.

    The explorer opens on it, so a default range never starts with months of no data
    (``['2021-08', '2021-09', '2024-01', ..., '2025-09']`` -> ``('2024-01', '2025-09')``).
    """
    have = set(months)
    if not have:
        return "", ""
    last = max(have)
    first = last
    while len(month_range(first, last)) < max_months and add_months(first, -1) in have:
        first = add_months(first, -1)
    return first, last
