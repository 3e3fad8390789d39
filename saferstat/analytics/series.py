"""Time series for an area: counts and rates per month, quarter, financial year or rolling 12
months, each compared with the previous period and the same period last year.

Rules (``docs/analytics.md``, sections 1, 4, 6 and "SPC over a monthly series"):

* a month with no loaded police.uk partition is *missing*: never counted as zero. A period
  with missing months is flagged incomplete and its count covers the loaded months; a period
  with none loaded has ``count=None``; a series with no loaded month at all raises
  :class:`~saferstat.analytics.errors.NoDataError`;
* rates are per 1,000 Census 2021 residents, for the period (not annualised);
* change is tested with the conditional exact Poisson test, exposure = months loaded
  (:func:`saferstat.analytics.stats.poisson_compare`), as in ``measures.overview``.

The SPC chart of a monthly series is in :mod:`saferstat.analytics.spc_series`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb

from saferstat.analytics.constants import STREET_DATASET
from saferstat.analytics.coverage import no_police_data
from saferstat.analytics.errors import QueryError
from saferstat.analytics.filters import count_of, record_filter
from saferstat.analytics.harm import check_crime_types
from saferstat.analytics.measures import (
    MonthValue,
    area_name,
    expand_area_codes,
    population,
)
from saferstat.analytics.periods import (
    Period,
    financial_year_of,
    month_period,
    month_range,
    parse_month,
    quarter_of,
    rolling12,
)
from saferstat.analytics.seasonal import SeasonMatch, season_match
from saferstat.analytics.stats import ALPHA, poisson_compare

SeriesKind = Literal["month", "quarter", "financial_year", "rolling12"]
SERIES_KINDS: tuple[str, ...] = ("month", "quarter", "financial_year", "rolling12")

ALL_RECORDS = "All crime and ASB"


def series_label(crime_types: Sequence[str] | None) -> str:
    """What a figure counts: ``'All crime and ASB'`` or the category names joined."""
    if crime_types is None:
        return ALL_RECORDS
    return ", ".join(crime_types)


def loaded_month_set(
    con: duckdb.DuckDBPyConnection,
    start: str,
    end: str,
    force_slugs: Sequence[str] | None = None,
) -> set[str]:
    """Months from ``start`` to ``end`` with a loaded police.uk street partition."""
    where, params = record_filter(
        dataset=STREET_DATASET, start=start, end=end, force_slugs=force_slugs
    )
    sql = f"SELECT DISTINCT month FROM loaded_partitions WHERE {where}"
    return {row[0] for row in con.execute(sql, params).fetchall()}


def counts_by_month(
    con: duckdb.DuckDBPyConnection,
    codes: Sequence[str],
    start: str,
    end: str,
    crime_types: Sequence[str] | None,
    force_slugs: Sequence[str] | None,
) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Records of an area per month, from ``start`` to ``end``.

    Returns:
        ``(selected, everything, loaded)``: records of the chosen crime types per month (all
        records if ``crime_types`` is None), all records (crime and ASB) per month, and the
        loaded months. A loaded month without records is 0; a missing month is absent.
    """
    where, params = record_filter(lad_codes=codes, start=start, end=end, force_slugs=force_slugs)
    selected, type_params = count_of(crime_types)
    raw = con.execute(
        f"SELECT month, {selected}, count(*) FROM street_crimes WHERE {where} GROUP BY month",
        type_params + params,
    ).fetchall()
    loaded = loaded_month_set(con, start, end, force_slugs)
    chosen = dict.fromkeys(loaded, 0)
    everything = dict.fromkeys(loaded, 0)
    for month, n, total in raw:
        chosen[month] = int(n)
        everything[month] = int(total)
    return chosen, everything, loaded


def monthly_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    start: str,
    end: str,
    crime_types: Sequence[str] | None = None,
    force_slugs: Sequence[str] | None = None,
) -> list[MonthValue]:
    """Records per month of an area from ``start`` to ``end``; ``count=None`` for a missing month."""
    codes = expand_area_codes(con, area_codes)
    types = None if crime_types is None else check_crime_types(crime_types)
    chosen, _, _ = counts_by_month(con, codes, start, end, types, force_slugs)
    return [MonthValue(m, chosen.get(m)) for m in month_range(start, end)]


# --- time series of periods ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A period compared with an earlier one (exposure = months loaded in each).

    When either period is incomplete and the earlier one is a year before, the change is
    season-matched (:mod:`saferstat.analytics.seasonal`): ``season_match`` holds the same
    calendar months compared, ``count`` is the earlier period's records in those months and
    the change compares them with the period's records in the same months a year later.
    """

    period: Period
    count: int | None
    months_loaded: int
    change_pct: float | None
    p_value: float | None
    is_significant: bool
    season_match: SeasonMatch | None = None

    @property
    def months_compared(self) -> str:
        """``'Jan-Mar 2025 with Jan-Mar 2024'`` when season-matched, else ``''``."""
        match = self.season_match
        return f"{match.label} with {match.comparison_label}" if match else ""


@dataclass(frozen=True)
class SeriesPoint:
    """One period of a :class:`TimeSeries`.

    ``count`` and the rate cover the loaded months only; ``None`` if no month is loaded.
    ``share_pct`` is ``count / all records (crime and ASB) of the area × 100``.
    """

    period: Period
    count: int | None
    rate_per_1000: float | None
    share_pct: float | None
    months_loaded: tuple[str, ...]
    missing_months: tuple[str, ...]
    vs_previous: Change
    vs_last_year: Change

    @property
    def is_complete(self) -> bool:
        return not self.missing_months


@dataclass(frozen=True)
class TimeSeries:
    """Counts and rates of an area per period, with changes and completeness."""

    area_codes: tuple[str, ...]
    area_name: str
    kind: str
    crime_types: tuple[str, ...] | None
    label: str
    population: int
    points: tuple[SeriesPoint, ...]
    notes: tuple[str, ...]

    def table(self) -> list[dict[str, object]]:
        """Data table rows, one per period."""
        return [
            {
                "period": p.period.label,
                "start": p.period.start,
                "end": p.period.end,
                "count": p.count,
                "rate_per_1000": p.rate_per_1000,
                "share_pct": p.share_pct,
                "is_complete": p.is_complete,
                "missing_months": ", ".join(p.missing_months),
                "previous_period": p.vs_previous.period.label,
                "previous_count": p.vs_previous.count,
                "change_vs_previous_pct": p.vs_previous.change_pct,
                "p_value_vs_previous": p.vs_previous.p_value,
                "previous_months_compared": p.vs_previous.months_compared,
                "last_year_period": p.vs_last_year.period.label,
                "last_year_count": p.vs_last_year.count,
                "change_vs_last_year_pct": p.vs_last_year.change_pct,
                "p_value_vs_last_year": p.vs_last_year.p_value,
                "last_year_months_compared": p.vs_last_year.months_compared,
            }
            for p in self.points
        ]


def periods_between(start: str, end: str, kind: SeriesKind) -> list[Period]:
    """The periods of one kind covering ``start`` to ``end``.

    Months: each month. Quarters and financial years: each one containing a month of the
    range (so the first and last may extend beyond it). Rolling 12 months: one ending at
    each month of the range.
    """
    months = month_range(start, end)
    if not months:
        raise QueryError(f"the series ends ({end}) before it starts ({start})")
    if kind == "month":
        return [month_period(m) for m in months]
    if kind == "rolling12":
        return [rolling12(m) for m in months]
    if kind == "quarter":
        found = [quarter_of(m) for m in months]
    elif kind == "financial_year":
        found = [financial_year_of(m) for m in months]
    else:
        raise QueryError(f"unknown series kind {kind!r}: expected one of {', '.join(SERIES_KINDS)}")
    return list(dict.fromkeys(found))


def _change(
    period: Period, earlier: Period, count: int | None, months: int, monthly: dict[str, int]
) -> Change:
    """``period`` against ``earlier``; ``monthly`` holds every loaded month (0 = loaded, no
    records). Season-matched when either is incomplete and they are a year apart."""
    loaded = [m for m in earlier.months if m in monthly]
    before = sum(monthly[m] for m in loaded) if loaded else None
    if count is None or before is None:
        return Change(earlier, before, len(loaded), None, None, False)
    e1, e2 = len(loaded), months
    match = season_match(period, earlier, monthly)
    if match is not None:
        before = sum(monthly[m] for m in match.comparison_months)
        count = sum(monthly[m] for m in match.months)
        e1 = e2 = match.n_months
    test = poisson_compare(before, count, e1=e1, e2=e2)
    change = None if before == 0 and count == 0 else test.change_pct
    return Change(
        earlier, before, len(loaded), change, test.p_value, test.is_significant(ALPHA), match
    )


def time_series(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    start: str,
    end: str,
    kind: SeriesKind = "month",
    crime_types: Sequence[str] | None = None,
    force_slugs: Sequence[str] | None = None,
) -> TimeSeries:
    """Counts, rates per 1,000 and shares of an area per period, with changes.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        start, end: first and last month (``YYYY-MM``) the series covers.
        kind: ``'month'``, ``'quarter'``, ``'financial_year'`` or ``'rolling12'``.
        crime_types: police.uk categories to count (default: all records, crime and ASB).
        force_slugs: restrict to these forces' files.

    Returns:
        :class:`TimeSeries`: one :class:`SeriesPoint` per period, each compared with the
        previous period and the same period last year.
    """
    parse_month(start)
    parse_month(end)
    codes = expand_area_codes(con, area_codes)
    types = None if crime_types is None else check_crime_types(crime_types)
    periods = periods_between(start, end, kind)  # type: ignore[arg-type]
    first = min(min(p.previous().start, p.same_period_last_year().start) for p in periods)
    chosen, everything, _ = counts_by_month(con, codes, first, periods[-1].end, types, force_slugs)
    if not any(m in chosen for p in periods for m in p.months):
        months = [m for p in periods for m in p.months]
        raise no_police_data(con, codes, months, f"{start} to {end}", force_slugs)
    pop = population(con, codes)
    points = []
    for period in periods:
        loaded = tuple(m for m in period.months if m in chosen)
        missing = tuple(m for m in period.months if m not in chosen)
        count = sum(chosen[m] for m in loaded) if loaded else None
        total = sum(everything[m] for m in loaded) if loaded else None
        points.append(
            SeriesPoint(
                period=period,
                count=count,
                rate_per_1000=count / pop * 1000 if count is not None and pop else None,
                share_pct=count / total * 100 if count is not None and total else None,
                months_loaded=loaded,
                missing_months=missing,
                vs_previous=_change(period, period.previous(), count, len(loaded), chosen),
                vs_last_year=_change(
                    period, period.same_period_last_year(), count, len(loaded), chosen
                ),
            )
        )
    notes = []
    incomplete = [p.period.label for p in points if p.missing_months and p.months_loaded]
    empty = [p.period.label for p in points if not p.months_loaded]
    if incomplete:
        notes.append(
            f"Incomplete periods (missing months not counted as zero): {', '.join(incomplete)}."
        )
    if empty:
        notes.append(f"No police.uk data loaded for: {', '.join(empty)} (shown as gaps).")
    notes.append(
        "When a period or the one a year before it is incomplete, changes compare the same "
        "calendar months loaded in both (season-matched; the months are in the 'months "
        "compared' columns). Other changes between periods with different numbers of months "
        "loaded compare the average per loaded month. Significance: conditional exact "
        "Poisson test, p < 0.05."
    )
    return TimeSeries(
        area_codes=codes,
        area_name=area_name(con, codes),
        kind=kind,
        crime_types=types,
        label=series_label(types),
        population=pop,
        points=tuple(points),
        notes=tuple(notes),
    )
