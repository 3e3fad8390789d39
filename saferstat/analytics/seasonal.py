"""Season-matched comparison: compare the same calendar months when a period is incomplete.

Crime is seasonal (more anti-social behaviour in summer, more burglary in winter), so the
average per month of three loaded months is a poor stand-in for a whole year. When the
period or the period it is compared with has months missing, a comparison a year apart
compares **the same calendar months** loaded in both, and nothing else:

* 2024/25 (complete) against a 2023/24 that has only January to March 2024 loaded compares
  January to March 2025 with January to March 2024;
* 2025/26 to date (April to September 2025 loaded) against a complete 2024/25 compares April
  to September 2025 with April to September 2024;
* 2019/20 without July 2019 against a complete 2018/19 compares the 11 other months of each.

Each month of the period is paired with the month twelve months before it; a pair counts
only when both months are loaded. The rule applies only to comparisons a year apart (a
financial year with the previous one, rolling 12 months with the 12 before, the same
quarter or month last year): a quarter against the quarter before it has no calendar month
in common, so it keeps the average per loaded month (``docs/analytics.md``).

Plain Python, no Django and no DuckDB: callers pass the months that are loaded.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from saferstat.analytics.periods import Period, add_months, parse_month

#: Three-letter month names for the short labels (``Jan-Mar 2024``).
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class SeasonMatch:
    """The months compared when a comparison is season-matched.

    Attributes:
        months: months of the period that are compared, in order.
        comparison_months: the same calendar months a year earlier, in the same order
            (``comparison_months[i]`` is ``months[i]`` minus 12 months).
        label: the period's months in short form, e.g. ``'Jan-Mar 2025'``.
        comparison_label: the comparison's months, e.g. ``'Jan-Mar 2024'``.
        period_complete, comparison_complete: whether each period has every month loaded
            (at least one of them has not, or the comparison would not be matched).
    """

    months: tuple[str, ...]
    comparison_months: tuple[str, ...]
    label: str
    comparison_label: str
    period_complete: bool = True
    comparison_complete: bool = True

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """``(month, same month a year earlier)`` for every month compared."""
        return list(zip(self.months, self.comparison_months, strict=True))

    @property
    def n_months(self) -> int:
        return len(self.months)


def short_month(month: str) -> str:
    """``'2024-01'`` -> ``'Jan 2024'``."""
    year, mon = parse_month(month)
    return f"{SHORT_MONTHS[mon - 1]} {year}"


def months_label(months: Sequence[str]) -> str:
    """Short label of a set of months: consecutive months become ranges.

    ``['2024-01', '2024-02', '2024-03']`` -> ``'Jan-Mar 2024'``;
    ``['2024-11', '2024-12', '2025-01']`` -> ``'Nov 2024-Jan 2025'``;
    ``['2018-04', '2018-05', '2018-08']`` -> ``'Apr-May 2018, Aug 2018'``.
    """
    runs: list[list[str]] = []
    for month in sorted(set(months)):
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(short_month(first))
        elif first[:4] == last[:4]:
            parts.append(f"{SHORT_MONTHS[parse_month(first)[1] - 1]}-{short_month(last)}")
        else:
            parts.append(f"{short_month(first)}-{short_month(last)}")
    return ", ".join(parts)


def is_year_apart(period: Period, comparison: Period) -> bool:
    """Whether ``comparison`` is ``period`` one year earlier (same calendar months)."""
    return (
        period.n_months == comparison.n_months and add_months(period.start, -12) == comparison.start
    )


def season_match(period: Period, comparison: Period, loaded: Collection[str]) -> SeasonMatch | None:
    """The months to compare, or ``None`` when whole periods are compared.

    Args:
        period: the period reported on.
        comparison: the period it is compared with.
        loaded: every month with data loaded (any months; those outside both are ignored).

    Returns:
        ``None`` when both periods are complete (compare them whole), when the comparison is
        not a year apart (no calendar month in common: the caller compares the average per
        loaded month), or when no calendar month is loaded in both (no comparison).
        Otherwise the :class:`SeasonMatch` of the calendar months loaded in both.
    """
    have = set(loaded)
    period_complete = all(m in have for m in period.months)
    comparison_complete = all(m in have for m in comparison.months)
    if (period_complete and comparison_complete) or not is_year_apart(period, comparison):
        return None
    pairs = [
        (month, add_months(month, -12))
        for month in period.months
        if month in have and add_months(month, -12) in have
    ]
    if not pairs:
        return None
    months = tuple(m for m, _ in pairs)
    before = tuple(b for _, b in pairs)
    return SeasonMatch(
        months,
        before,
        months_label(months),
        months_label(before),
        period_complete=period_complete,
        comparison_complete=comparison_complete,
    )


def season_note(match: SeasonMatch, period: Period, comparison: Period) -> str:
    """The plain-English sentence a page prints when a comparison is season-matched."""
    if match.period_complete:
        why = f"{comparison.label} has only {match.comparison_label} loaded"
    elif match.comparison_complete:
        why = f"{period.label} has only {match.label} loaded"
    else:
        why = f"neither {period.label} nor {comparison.label} has every month loaded"
    return (
        f"Season-matched comparison: {why}, so changes compare the same calendar months, "
        f"{match.label} with {match.comparison_label} ({match.n_months} month"
        f"{'s' if match.n_months != 1 else ''} each), not the whole periods. Crime is "
        "seasonal, so an average of a few months would not be a fair comparison."
    )
