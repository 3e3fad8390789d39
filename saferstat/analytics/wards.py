"""A ward's profile: its records over a period, their trend and types, its rate against the
partnership's with the interval, and its harm (for ward profiles, issue 17).

The same filter (:func:`saferstat.analytics.filters.record_filter`), population tables,
interval (:func:`saferstat.analytics.stats.rate_ci`) and harm weights
(:func:`saferstat.analytics.harm.harm_from_counts`) as the crime overview and the hotspots,
so a ward profile's figures match the explorer's ward view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from saferstat.analytics.constants import ASB
from saferstat.analytics.coverage import (
    area_name,
    expand_area_codes,
    loaded_months,
    require_months,
    ward_populations,
)
from saferstat.analytics.errors import QueryError
from saferstat.analytics.filters import record_filter
from saferstat.analytics.harm import HarmEstimate, harm_from_counts
from saferstat.analytics.measure_results import MonthValue
from saferstat.analytics.periods import Period
from saferstat.analytics.stats import RateCI, rate_ci


@dataclass(frozen=True)
class WardProfile:
    """One ward over one period, with its partnership for comparison.

    ``rate`` is the ward's records per 1,000 residents with its 95% interval; ``compared``
    says whether that interval lies ``above`` or ``below`` the partnership's rate, or
    includes it (``similar``). ``monthly`` has every month of the period (``None`` for a
    month not loaded: a gap, never a zero)."""

    ward_code: str
    ward_name: str
    area_name: str
    period: Period
    population: int
    count: int
    asb_count: int
    rate: RateCI | None
    area_count: int
    area_population: int
    area_rate_per_1000: float | None
    compared: str
    monthly: list[MonthValue]
    crime_types: list[tuple[str, int]]
    harm: HarmEstimate
    months_loaded: list[str]
    missing_months: list[str]
    notes: list[str] = field(default_factory=list)


def ward_list(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> list[tuple[str, str]]:
    """``(ward_code, ward_name)`` of every ward of the area, by name."""
    codes = expand_area_codes(con, area_codes)
    return [(code, name) for code, name, _pop in ward_populations(con, codes)]


def ward_profile(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    ward: str,
    period: Period,
    force_slugs: Sequence[str] | None = None,
) -> WardProfile:
    """The profile of one ward (given by its 2024 code or its name) of the area.

    Raises:
        QueryError: the ward is not in the area.
        NoDataError: no month of the period is loaded.
    """
    codes = expand_area_codes(con, area_codes)
    wards = ward_populations(con, codes)
    wanted = ward.strip().casefold()
    found = [w for w in wards if wanted in (w[0].casefold(), w[1].casefold())]
    if not found:
        raise QueryError(f"{ward!r} is not a ward of this area")
    ward_code, ward_name, population = found[0]
    months = loaded_months(con, period, force_slugs)
    require_months(con, codes, period, months, force_slugs)
    where, params = record_filter(
        lad_codes=codes, start=period.start, end=period.end, force_slugs=force_slugs
    )
    rows = con.execute(
        f"SELECT month, crime_type, ward_code = ? AS here, count(*) FROM street_crimes "
        f"WHERE {where} GROUP BY ALL",
        [ward_code, *params],
    ).fetchall()
    by_month: dict[str, int] = {m: 0 for m in months}
    by_type: dict[str, int] = {}
    area_count = 0
    for month, crime_type, here, n in rows:
        n = int(n)
        area_count += n
        if here:
            by_month[month] = by_month.get(month, 0) + n
            by_type[crime_type] = by_type.get(crime_type, 0) + n
    count = sum(by_type.values())
    area_population = sum(pop for _c, _n, pop in wards)
    area_rate = area_count / area_population * 1000 if area_population else None
    rate = rate_ci(count, population) if population else None
    compared = rate.compare_to(area_rate) if rate and area_rate is not None else "similar"
    missing = [m for m in period.months if m not in set(months)]
    notes = []
    if missing:
        notes.append(
            f"No data loaded for {len(missing)} of {period.n_months} months "
            f"({', '.join(missing)}): the counts cover the loaded months only."
        )
    return WardProfile(
        ward_code=ward_code,
        ward_name=ward_name,
        area_name=area_name(con, codes),
        period=period,
        population=int(population),
        count=count,
        asb_count=by_type.get(ASB, 0),
        rate=rate,
        area_count=area_count,
        area_population=int(area_population),
        area_rate_per_1000=area_rate,
        compared=compared,
        monthly=[MonthValue(m, by_month[m] if m in by_month else None) for m in period.months],
        crime_types=sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])),
        harm=harm_from_counts(by_type),
        months_loaded=list(months),
        missing_months=missing,
        notes=notes,
    )
