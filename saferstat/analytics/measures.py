"""Crime measures for a partnership area over a period, read from the warehouse views.

Every function takes a DuckDB connection from ``saferstat.analytics.warehouse.connect(root)``
(the views are described in ``docs/warehouse.md``) and returns plain dataclasses.

Rules (``docs/analytics.md`` has the long form):

* **Area.** A record belongs to the partnership when its LSOA lies in the local authority:
  ``street_crimes.lad_code`` is one of the area's codes. Codes are expanded through
  ``la_codes`` so that an old and a new code of the same authority are the same area
  (Sheffield ``E08000019`` = ``E08000039``). Records with no LSOA belong to no area; they
  are counted by :func:`unknown_location_count` instead.
* **Geography.** Records coded to 2011 LSOAs are mapped to 2021 LSOAs and to the current
  (2024) ONS ward by the importer; every figure here is on LSOA 2021 / ward 2024.
* **Gaps.** A month of the period with no loaded police.uk partition is *missing*: it is
  listed in ``missing_months`` and never counted as zero. A period with no loaded month at
  all is not answered: :class:`~saferstat.analytics.errors.NoDataError` (see
  :func:`require_months`).
* **Forces.** Pass the forces that police the area (``force_slugs``; :func:`area_forces`
  finds them from the records): a month counts as loaded when *those* forces have it.
* **Rates** are per 1,000 residents, Census 2021 usual residents (sum over LSOA 2021).
* **Change** against an earlier period is tested with the conditional exact Poisson test
  (:func:`saferstat.analytics.stats.poisson_compare`) with exposure = months loaded, so a
  period with a missing month is compared on its average per month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from saferstat.analytics.constants import ASB
from saferstat.analytics.coverage import (  # noqa: F401 (re-exported)
    MIN_RECORDS_PER_1000_A_YEAR,
    Freshness,
    _as_datetime,
    _freshness_of,
    _months_in,
    _population,
    _street_partitions,
    _ward_populations,
    area_forces,
    area_name,
    expand_area_codes,
    force_names,
    freshness,
    is_covered,
    loaded_months,
    population,
    require_months,
    street_months,
    ward_populations,
)
from saferstat.analytics.coverage import ward_keys as _ward_keys  # noqa: F401 (re-exported)
from saferstat.analytics.errors import QueryError
from saferstat.analytics.filters import marks, record_filter
from saferstat.analytics.measure_results import (  # noqa: F401 (re-exported)
    GEOGRAPHY_LSOA,
    GEOGRAPHY_NOTE,
    GEOGRAPHY_WARD,
    CountBy,
    CountsResult,
    CrimeTypeRow,
    Geography,
    MonthValue,
    Overview,
    WardRow,
)
from saferstat.analytics.periods import Period
from saferstat.analytics.periods import describe_months as _month_list
from saferstat.analytics.seasonal import SeasonMatch, season_match, season_note
from saferstat.analytics.stats import ALPHA, poisson_compare

#: Groupings accepted by :func:`counts`.
COUNT_BY = ("crime_type", "ward", "month")


# --- helpers ---------------------------------------------------------------------------


def _crime_filter(
    codes: Sequence[str], period: Period, force_slugs: Sequence[str] | None
) -> tuple[str, list[object]]:
    return record_filter(
        lad_codes=codes, start=period.start, end=period.end, force_slugs=force_slugs
    )


# --- public measures -------------------------------------------------------------------


def counts(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    period: Period,
    by: CountBy,
    force_slugs: Sequence[str] | None = None,
) -> CountsResult:
    """Count police.uk street-level records (crime and ASB) in an area over a period.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        period: the reporting period.
        by: ``'crime_type'`` (police.uk category), ``'ward'`` (current 2024 ward name) or
            ``'month'`` (``YYYY-MM``; loaded months only, 0 for a loaded month without
            records in the area).
        force_slugs: restrict to these forces' files (default: all loaded forces).

    Returns:
        :class:`CountsResult` with rows sorted by key and the period's missing months.

    Raises:
        NoDataError: no month of the period is loaded (for these forces).
    """
    if by not in COUNT_BY:
        raise QueryError(f"cannot count by {by!r}: expected one of {', '.join(COUNT_BY)}")
    codes = expand_area_codes(con, area_codes)
    months = loaded_months(con, period, force_slugs)
    require_months(con, codes, period, months, force_slugs)
    loaded = set(months)
    missing = [m for m in period.months if m not in loaded]
    where, params = _crime_filter(codes, period, force_slugs)
    if by == "ward":
        raw = con.execute(
            f"SELECT ward_code, ward_name, count(*) FROM street_crimes WHERE {where} "
            "GROUP BY ward_code, ward_name",
            params,
        ).fetchall()
        rows = _ward_keys([(c, n, int(k)) for c, n, k in raw])
    else:
        raw = con.execute(
            f"SELECT {by}, count(*) FROM street_crimes WHERE {where} GROUP BY 1", params
        ).fetchall()
        found = {key: int(count) for key, count in raw}
        if by == "month":
            found = {m: found.get(m, 0) for m in sorted(set(months) | set(found))}
        rows = sorted(found.items())
    return CountsResult(
        by=by,
        period=period,
        area_codes=codes,
        rows=rows,
        missing_months=missing,
        months_loaded=months,
    )


def unknown_location_count(
    con: duckdb.DuckDBPyConnection, *, force_slug: str, period: Period
) -> int:
    """Records of one force in the period with no LSOA ("no location"): in no area's figures,
    reported separately and never silently dropped."""
    row = con.execute(
        "SELECT count(*) FROM street_crimes WHERE force_slug = ? AND month >= ? AND month <= ? "
        "AND lsoa_code IS NULL",
        [force_slug, period.start, period.end],
    ).fetchone()
    return int(row[0]) if row else 0


def _row(
    name: str,
    count: int,
    total: int,
    pop: int,
    previous: int | None,
    months: int,
    previous_months: int,
    matched: int | None = None,
) -> CrimeTypeRow:
    compared = count if matched is None else matched
    if previous is None or previous_months == 0 or months == 0:
        change = p_value = None
        significant = False
    else:
        test = poisson_compare(previous, compared, e1=previous_months, e2=months)
        change = None if previous == 0 and compared == 0 else test.change_pct
        p_value = test.p_value
        significant = test.is_significant(ALPHA)
    return CrimeTypeRow(
        crime_type=name,
        count=count,
        rate_per_1000=count / pop * 1000 if pop else float("nan"),
        share_pct=count / total * 100 if total else 0.0,
        previous_count=previous,
        change_pct=change,
        p_value=p_value,
        is_significant=significant,
        matched_count=matched,
    )


@dataclass
class _OverviewScan:
    """What the overview needs from the street records, read in one grouped scan."""

    by_type: dict[str, int] = field(default_factory=dict)
    before_by_type: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    by_ward: dict[str | None, int] = field(default_factory=dict)
    by_month_type: dict[tuple[str, str], int] = field(default_factory=dict)
    lsoa11: int = 0
    ward_approximate: int = 0
    unknown_location: dict[str, int] = field(default_factory=dict)


def _overview_scan(
    con: duckdb.DuckDBPyConnection,
    codes: Sequence[str],
    period: Period,
    comparison: Period,
    force_slugs: Sequence[str] | None,
) -> _OverviewScan:
    """Two statements instead of one per figure (the same rules as :func:`counts` and
    :func:`unknown_location_count`): the area's records of both periods, grouped finely
    enough for every overview figure, and the period's records with no location by force.
    (Kept apart: a single statement with an OR for the records with no LSOA stops DuckDB
    from filtering on the area before the LSOA join, and took three times as long.)"""
    forces = f" AND s.force_slug IN ({marks(force_slugs)})" if force_slugs else ""
    in_period = "s.month >= ? AND s.month <= ?"
    rows = con.execute(
        f"""
        SELECT s.month, s.crime_type, s.ward_code, s.lsoa_vintage = 2011 AS lsoa11,
               a.lsoa_code IS NOT NULL AS approximate, count(*)
        FROM street_crimes s
        LEFT JOIN (SELECT DISTINCT lsoa_code FROM lsoa_lookup
                   WHERE lsoa_vintage = 2011 AND is_ward_approximate) a
               ON s.lsoa_vintage = 2011 AND a.lsoa_code = s.lsoa_code
        WHERE s.month >= ? AND s.month <= ?{forces}
          AND s.lad_code IN ({marks(codes)}) AND ({in_period} OR {in_period})
        GROUP BY ALL
        """,
        [
            min(period.start, comparison.start),
            max(period.end, comparison.end),
            *(force_slugs or []),
            *codes,
            period.start,
            period.end,
            comparison.start,
            comparison.end,
        ],
    ).fetchall()
    scan = _OverviewScan()

    def add(counter: dict, key: object, n: int) -> None:
        counter[key] = counter.get(key, 0) + n

    for month, crime_type, ward, lsoa11, approximate, n in rows:
        n = int(n)
        if period.start <= month <= period.end:
            add(scan.by_type, crime_type, n)
            add(scan.by_month, month, n)
            add(scan.by_ward, ward, n)
            scan.lsoa11 += n if lsoa11 else 0
            scan.ward_approximate += n if approximate else 0
        if comparison.start <= month <= comparison.end:
            add(scan.before_by_type, crime_type, n)
        add(scan.by_month_type, (month, crime_type), n)
    scan.unknown_location = {
        force: int(n)
        for force, n in con.execute(
            f"SELECT s.force_slug, count(*) FROM street_crimes s WHERE {in_period}{forces} "
            "AND s.lsoa_code IS NULL GROUP BY 1",
            [period.start, period.end, *(force_slugs or [])],
        ).fetchall()
    }
    return scan


def _counts_result(
    by: CountBy,
    period: Period,
    codes: tuple[str, ...],
    found: dict[str, int],
    partitions: list[tuple[str, str, object]],
) -> CountsResult:
    months = _months_in(partitions, period)
    if by == "month":
        found = {m: found.get(m, 0) for m in sorted(set(months) | set(found))}
    return CountsResult(
        by=by,
        period=period,
        area_codes=codes,
        rows=sorted(found.items()),
        missing_months=[m for m in period.months if m not in set(months)],
        months_loaded=months,
    )


def overview(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    period: Period,
    compare_with: Literal["previous", "same_period_last_year"] = "previous",
    force_slugs: Sequence[str] | None = None,
) -> Overview:
    """The crime overview of an area for a period, compared with an earlier period.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        period: the reporting period.
        compare_with: ``'previous'`` (previous financial year for a financial year, previous
            quarter/month/12 months otherwise) or ``'same_period_last_year'``.
        force_slugs: restrict to these forces' files (default: all loaded forces).

    Returns:
        :class:`Overview`. Comparisons use exposure = months loaded in each period, so a
        period with a missing month is compared on its average per month, and a note says so.

    Raises:
        NoDataError: no month of the period is loaded (for these forces).
    """
    codes = expand_area_codes(con, area_codes)
    if compare_with == "previous":
        comparison = period.previous()
    elif compare_with == "same_period_last_year":
        comparison = period.same_period_last_year()
    else:
        raise QueryError("compare_with must be 'previous' or 'same_period_last_year'")
    partitions = _street_partitions(con, force_slugs)
    require_months(con, codes, period, _months_in(partitions, period), force_slugs)
    scan = _overview_scan(con, codes, period, comparison, force_slugs)
    by_type = _counts_result("crime_type", period, codes, scan.by_type, partitions)
    before = _counts_result("crime_type", comparison, codes, scan.before_by_type, partitions)
    by_month = _counts_result("month", period, codes, scan.by_month, partitions)
    pop = _population(con, codes)
    months, prev_months = len(by_type.months_loaded), len(before.months_loaded)
    current, previous = by_type.as_dict(), before.as_dict()
    has_prev = prev_months > 0
    has_data = months > 0
    # Season-matched when a period is incomplete (saferstat/analytics/seasonal.py): the
    # change compares the same calendar months loaded in both, each with exposure = months.
    match = season_match(period, comparison, [month for _, month, _ in partitions])
    matched: dict[str, int] | None = None
    if match is not None:
        matched = _by_type_in(scan.by_month_type, match.months)
        previous = _by_type_in(scan.by_month_type, match.comparison_months)
        months = prev_months = match.n_months

    total = sum(current.values())
    crime_types: list[CrimeTypeRow] = []
    total_row = excl_asb = None
    if has_data:
        for name in sorted(set(current) | set(previous)):
            crime_types.append(
                _row(
                    name,
                    current.get(name, 0),
                    total,
                    pop,
                    previous.get(name, 0) if has_prev else None,
                    months,
                    prev_months,
                    None if matched is None else matched.get(name, 0),
                )
            )
        prev_total = sum(previous.values()) if has_prev else None
        m_total = None if matched is None else sum(matched.values())
        total_row = _row(
            "All crime and ASB", total, total, pop, prev_total, months, prev_months, m_total
        )
        excl = total - current.get(ASB, 0)
        prev_excl = prev_total - previous.get(ASB, 0) if prev_total is not None else None
        m_excl = None if matched is None else m_total - matched.get(ASB, 0)
        excl_asb = _row(
            "All crime (excluding ASB)", excl, total, pop, prev_excl, months, prev_months, m_excl
        )

    month_counts = by_month.as_dict()
    monthly = [
        MonthValue(m, month_counts.get(m) if m in month_counts else None) for m in period.months
    ]

    ward_counts = scan.by_ward
    wards = [
        WardRow(
            ward_code=code,
            ward_name=name,
            count=ward_counts.get(code, 0),
            population=ward_pop,
            rate_per_1000=ward_counts.get(code, 0) / ward_pop * 1000 if ward_pop else None,
        )
        for code, name, ward_pop in _ward_populations(con, codes)
    ]
    n_approximate = scan.ward_approximate
    unknown = {
        slug: scan.unknown_location.get(slug, 0)
        for slug in sorted({force for force, month, _ in partitions if month in period.months})
    }
    fresh = _freshness_of(partitions)
    notes = _notes(period, comparison, by_type, before, bool(scan.lsoa11), unknown, fresh, match)
    if n_approximate:
        notes.append(
            f"{n_approximate:,} records came from 2011 LSOAs that were split between wards; "
            "each such LSOA's records are given to the ward of its most populous 2021 part, "
            "so those wards' figures are approximate."
        )
    return Overview(
        area_codes=codes,
        area_name=area_name(con, codes),
        period=period,
        comparison_period=comparison,
        population=pop,
        total=total_row,
        total_excluding_asb=excl_asb,
        crime_types=crime_types,
        monthly=monthly,
        wards=wards,
        months_loaded=by_type.months_loaded,
        missing_months=by_type.missing_months,
        comparison_months_loaded=before.months_loaded,
        comparison_missing_months=before.missing_months,
        records_from_lsoa11=scan.lsoa11,
        records_ward_approximate=n_approximate,
        unknown_location=unknown,
        freshness=fresh,
        notes=notes,
        season_match=match,
    )


def _by_type_in(by_month_type: dict[tuple[str, str], int], months: Sequence[str]) -> dict[str, int]:
    """Records per crime type in these months (from the overview's grouped scan)."""
    wanted = set(months)
    found: dict[str, int] = {}
    for (month, crime_type), n in by_month_type.items():
        if month in wanted:
            found[crime_type] = found.get(crime_type, 0) + n
    return found


def _notes(
    period: Period,
    comparison: Period,
    now: CountsResult,
    before: CountsResult,
    mapped: bool,
    unknown: dict[str, int],
    fresh: Freshness,
    match: SeasonMatch | None = None,
) -> list[str]:
    notes: list[str] = []
    n, n_prev = len(now.months_loaded), len(before.months_loaded)
    size = len(period.months)
    if not n:
        notes.append(f"No police.uk data is loaded for {period.label}.")
    elif (
        now.missing_months
        and fresh.latest_month
        and all(m > fresh.latest_month for m in now.missing_months)
    ):
        notes.append(
            f"{period.label} to date: {n} of {size} months loaded (latest {fresh.latest_month}); "
            f"{_month_list(now.missing_months)} not loaded yet."
        )
    elif now.missing_months:
        notes.append(
            f"{period.label} is incomplete: {n} of {size} months loaded; no data for "
            f"{_month_list(now.missing_months)} (shown as a gap, not as zero)."
        )
    if n and not n_prev:
        notes.append(f"No police.uk data is loaded for {comparison.label}: no comparison.")
    elif n and before.missing_months:
        notes.append(
            f"{comparison.label} is incomplete: {n_prev} of {len(comparison.months)} months "
            f"loaded; no data for {_month_list(before.missing_months)}."
        )
    if match is not None:
        notes.append(season_note(match, period, comparison))
    elif n and n_prev and n != n_prev:
        notes.append(
            f"Change and significance compare the average per loaded month ({n} months in "
            f"{period.label}, {n_prev} in {comparison.label}): the Poisson test uses months "
            "loaded as the exposure. Seasonal differences between the months are not adjusted for."
        )
    if mapped:
        notes.append(GEOGRAPHY_NOTE)
    for slug, count in unknown.items():
        if count:
            notes.append(
                f"{count:,} records of {slug} in {period.label} have no location (no LSOA) and "
                "are in no area's figures."
            )
    return notes
