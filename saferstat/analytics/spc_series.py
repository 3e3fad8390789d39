"""SPC (XmR) charts of an area's monthly record counts, read from the warehouse.

Glue between the warehouse and :func:`saferstat.analytics.spc.xmr`. SPC needs an unbroken
monthly series and ``xmr`` refuses a missing value, so a gap is never filled or bridged (a
moving range across a gap would compare months that are not adjacent):

* ``gaps='split'`` (default): the series is split at every missing month and each unbroken
  run of loaded months is its own XmR chart with its own mean and limits (a *segment*); the
  verdict (variation and assurance icons) is the latest segment's, and a warning says where
  the series was split;
* ``gaps='refuse'``: :class:`SpcGapError` names the missing months.

``docs/analytics.md`` ("SPC over a monthly series") and ``docs/analytics/spc.md`` have the
method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb

from saferstat.analytics.coverage import no_police_data
from saferstat.analytics.errors import QueryError
from saferstat.analytics.harm import check_crime_types
from saferstat.analytics.measures import MonthValue, area_name, expand_area_codes
from saferstat.analytics.periods import (
    describe_months,
    month_range,
    month_runs,  # noqa: F401 (re-exported)
    parse_month,
)
from saferstat.analytics.series import counts_by_month, series_label
from saferstat.analytics.spc import (
    ERROR_POLARITY,
    AssuranceIcon,
    Polarity,
    VariationIcon,
    XmrResult,
    xmr,
)

GapHandling = Literal["split", "refuse"]


class SpcGapError(QueryError):
    """The monthly series has missing months and ``gaps='refuse'`` was asked for."""

    def __init__(self, missing: Sequence[str]):
        self.missing_months = tuple(missing)
        super().__init__(
            f"the monthly series has {len(missing)} missing month(s) ({', '.join(missing)}): "
            "SPC needs an unbroken series; choose a range without gaps or split at the gaps"
        )


@dataclass(frozen=True)
class SpcSegment:
    """An unbroken run of loaded months and its XmR chart."""

    number: int
    months: tuple[str, ...]
    counts: tuple[int, ...]
    chart: XmrResult

    @property
    def start(self) -> str:
        return self.months[0]

    @property
    def end(self) -> str:
        return self.months[-1]


@dataclass(frozen=True)
class SpcSeries:
    """The SPC view of a monthly count series: one XmR chart per unbroken run of months.

    The verdict (variation and assurance icons) is the latest segment's.
    """

    area_codes: tuple[str, ...]
    area_name: str
    crime_types: tuple[str, ...] | None
    label: str
    polarity: Polarity
    target: float | None
    start: str
    end: str
    monthly: tuple[MonthValue, ...]
    missing_months: tuple[str, ...]
    segments: tuple[SpcSegment, ...]
    gaps: str
    warnings: tuple[str, ...]

    @property
    def latest(self) -> SpcSegment | None:
        return self.segments[-1] if self.segments else None

    @property
    def variation_icon(self) -> VariationIcon | None:
        return self.latest.chart.variation_icon if self.latest else None

    @property
    def assurance_icon(self) -> AssuranceIcon | None:
        return self.latest.chart.assurance_icon if self.latest else None

    def table(self) -> list[dict[str, object]]:
        """Data table rows, one per month (a missing month has no count and no limits)."""
        by_month = {}
        for segment in self.segments:
            for month, point in zip(segment.months, segment.chart.points, strict=True):
                by_month[month] = (segment.number, point)
        rows = []
        for value in self.monthly:
            found = by_month.get(value.month)
            if found is None:
                rows.append(
                    {"month": value.month, "count": None, "segment": None, "mean": None,
                     "lpl": None, "upl": None, "near_lpl": None, "near_upl": None,
                     "point_type": "no data", "special_cause": None}
                )  # fmt: skip
                continue
            number, p = found
            rows.append(
                {"month": value.month, "count": value.count, "segment": number + 1,
                 "mean": p.mean, "lpl": p.lpl, "upl": p.upl, "near_lpl": p.near_lpl,
                 "near_upl": p.near_upl, "point_type": str(p.point_type),
                 "special_cause": str(p.special_cause)}
            )  # fmt: skip
        return rows


def _runs(months: Sequence[str], loaded: set[str]) -> list[list[str]]:
    """Unbroken runs of loaded periods; ``months`` lists consecutive periods in order."""
    runs: list[list[str]] = []
    previous_loaded = False
    for month in months:
        if month not in loaded:
            previous_loaded = False
            continue
        if previous_loaded:
            runs[-1].append(month)
        else:
            runs.append([month])
        previous_loaded = True
    return runs


def spc_series(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    start: str,
    end: str,
    crime_types: Sequence[str] | None = None,
    polarity: Polarity | str = Polarity.DECREASE,
    target: float | None = None,
    baseline: int | None = None,
    rebase_at: Mapping[str, str] | None = None,
    exclude_moving_range_outliers: bool = True,
    gaps: GapHandling = "split",
    force_slugs: Sequence[str] | None = None,
) -> SpcSeries:
    """XmR chart(s) of an area's monthly record counts, Making Data Count rules.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        start, end: first and last month, ``YYYY-MM``.
        crime_types: police.uk categories to count (default: all records, crime and ASB).
        polarity: ``'decrease'`` (lower is better, the default for crime), ``'increase'`` or
            ``'neutral'``.
        target: monthly target count, for the assurance icon.
        baseline: fix each segment's limits on its first ``baseline`` (>= 12) months.
        rebase_at: ``{'YYYY-MM': reason}``: start new limits at that month (within a segment).
        exclude_moving_range_outliers: the NHSRplotthedots screen (default on).
        gaps: ``'split'`` (default): one chart per unbroken run of loaded months;
            ``'refuse'``: raise :class:`SpcGapError` if any month is missing.
        force_slugs: restrict to these forces' files.

    Returns:
        :class:`SpcSeries`.

    Raises:
        SpcGapError: with ``gaps='refuse'`` when a month of the range is missing.
        NoDataError: no month of the range is loaded (for these forces).
        ValueError: bad months, polarity, crime types or rebase months.
    """
    if gaps not in ("split", "refuse"):
        raise QueryError("gaps must be 'split' or 'refuse'")
    months = month_range(start, end)
    if not months:
        raise QueryError(f"the series ends ({end}) before it starts ({start})")
    try:
        polarity = Polarity(polarity)
    except ValueError:
        raise QueryError(ERROR_POLARITY.format(value=polarity)) from None
    codes = expand_area_codes(con, area_codes)
    types = None if crime_types is None else check_crime_types(crime_types)
    chosen, _, loaded = counts_by_month(con, codes, start, end, types, force_slugs)
    if not loaded:
        raise no_police_data(con, codes, months, f"{start} to {end}", force_slugs)
    return spc_from_counts(
        months=months,
        counts=chosen,
        loaded=set(loaded),
        area_codes=codes,
        area_name=area_name(con, codes),
        crime_types=types,
        label=series_label(types),
        polarity=polarity,
        target=target,
        baseline=baseline,
        rebase_at=rebase_at,
        exclude_moving_range_outliers=exclude_moving_range_outliers,
        gaps=gaps,
    )


def spc_from_counts(
    *,
    months: Sequence[str],
    counts: Mapping[str, int],
    loaded: set[str],
    area_codes: Sequence[str],
    area_name: str,
    label: str,
    crime_types: Sequence[str] | None = None,
    polarity: Polarity = Polarity.DECREASE,
    target: float | None = None,
    baseline: int | None = None,
    rebase_at: Mapping[str, str] | None = None,
    exclude_moving_range_outliers: bool = True,
    gaps: GapHandling = "split",
    unit: str = "month",
) -> SpcSeries:
    """XmR chart(s) of a series of counts, one per unbroken run of loaded periods.

    The shared core of :func:`spc_series` (police.uk) and partner datasets. ``months`` are
    the periods in order, each named by its first month (``YYYY-MM``); ``counts`` the count
    of every loaded period; ``loaded`` which periods have data (the others are gaps).
    """
    months = list(months)
    missing = [m for m in months if m not in loaded]
    if missing and gaps == "refuse":
        raise SpcGapError(missing)

    rebases = dict(rebase_at or {})
    for month in rebases:
        parse_month(month)
        if month not in loaded:
            raise QueryError(f"cannot rebase at {month}: no data is loaded for that month")
    warnings: list[str] = []
    segments: list[SpcSegment] = []
    runs = _runs(months, loaded)
    for number, run in enumerate(runs):
        values = [counts[m] for m in run]
        run_rebases = {}
        for month, reason in rebases.items():
            if month == run[0] and number > 0:
                warnings.append(
                    f"{month} starts a new segment after a gap already; rebase not needed there."
                )
            elif month in run:
                run_rebases[run.index(month)] = reason
        chart = xmr(
            values,
            polarity=polarity,
            target=target,
            baseline=baseline,
            rebase_at=run_rebases or None,
            exclude_moving_range_outliers=exclude_moving_range_outliers,
            dates=[date(*parse_month(m), 1) for m in run],
        )
        segments.append(SpcSegment(number, tuple(run), tuple(values), chart))
        warnings.extend(
            f"Segment {number + 1} ({run[0]} to {run[-1]}): {w}" for w in chart.warnings
        )
    if missing:
        warnings.insert(
            0,
            f"No data for {len(missing)} month(s) ({describe_months(missing)}): the series is split there "
            f"into {len(runs)} segment(s), each with its own mean and limits; a gap is never "
            "filled or bridged.",
        )
    return SpcSeries(
        area_codes=tuple(area_codes),
        area_name=area_name,
        crime_types=None if crime_types is None else tuple(crime_types),
        label=label,
        polarity=polarity,
        target=target,
        start=months[0],
        end=months[-1],
        monthly=tuple(MonthValue(m, counts.get(m) if m in loaded else None) for m in months),
        missing_months=tuple(missing),
        segments=tuple(segments),
        gaps=gaps,
        warnings=tuple(warnings),
    )
