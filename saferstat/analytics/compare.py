"""Comparison of a partnership with its neighbours (or any set of local authorities).

For each area: rate = count / population × 1,000 with its confidence interval
(:func:`saferstat.analytics.stats.poisson_interval`: exact Poisson below 10 records, Byar's
approximation from 10; each row names its method). The comparator is the group rate =
Σ counts / Σ populations × 1,000 over every area shown (the partnership and the others). An
area is "significantly above/below" when its interval excludes the group rate.

Funnel plot limits (95% and 99.8%) around the group rate are a function of population. They
are the inverse of the same interval, so an area lies outside the 95% funnel exactly when
its 95% interval excludes the group rate (the funnel and the flags never disagree): at
population ``n`` the expected count is ``E = r·n/1000`` (``r`` the group rate per 1,000), the
upper limit is ``O⁺/n × 1000`` where ``O⁺`` solves ``lower(O⁺) = E`` and the lower limit
is ``O⁻/n × 1000`` where ``O⁻`` solves ``upper(O⁻) = E`` (0 when ``upper(0) ≥ E``).
This is the PHE Fingertips method for crude rates (a point is outside when its Poisson
interval excludes the average; PHEindicatormethods ``phe_funnels(statistic = "rate")``).
From 10 on Byar's approximation makes ``O⁺`` the continuous (Wilson-Hilferty) Poisson
quantile of ``E``. ``docs/analytics.md`` ("Comparison") has more.

A period with no loaded month raises :class:`~saferstat.analytics.errors.NoDataError`; a
comparator outside the loaded data (no population, or fewer than
``measures.MIN_RECORDS_PER_1000_A_YEAR`` records: another force's records over the boundary)
raises :class:`~saferstat.analytics.errors.UnknownAreaError`; never a row of (near) zeros.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from scipy.optimize import brentq

from saferstat.analytics.errors import QueryError, UnknownAreaError
from saferstat.analytics.filters import count_of, marks, record_filter
from saferstat.analytics.harm import check_crime_types
from saferstat.analytics.measures import (
    area_name,
    expand_area_codes,
    is_covered,
    loaded_months,
    population,
    require_months,
)
from saferstat.analytics.periods import Period
from saferstat.analytics.series import series_label
from saferstat.analytics.stats import (
    EXACT_BELOW,
    INTERVAL_METHOD_NOTE,
    byar_limits,
    exact_limits,
    rate_ci,
    z_value,
)

#: Groups of neighbouring authorities (codes as in the ONS lookups; later codes are added by
#: ``expand_area_codes``). The default comparators of a member are the other members.
NEIGHBOUR_GROUPS: dict[str, tuple[str, ...]] = {
    "South Yorkshire": ("E08000016", "E08000017", "E08000018", "E08000019"),
}

FUNNEL_LEVELS = (0.95, 0.998)


# --- funnel limits ---------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits (rates per 1,000) for an area of ``population`` residents."""

    population: float
    expected_count: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


def funnel_limit_counts(expected: float, confidence: float) -> tuple[float, float]:
    """Counts ``(O⁻, O⁺)`` at which the interval of :func:`stats.poisson_interval` just
    touches the expected count ``E``.

    ``O⁺`` solves ``lower(O⁺) = E`` and ``O⁻`` solves ``upper(O⁻) = E`` (the limits are
    evaluated for non-whole ``O`` by :func:`stats.poisson_limits`: exact below 10, Byar's from
    10); ``O⁻ = 0`` when even a count of 0 has ``upper ≥ E``. The two methods differ slightly
    at 10, so a limit can fall there: it is chosen so that a whole count lies outside the
    funnel exactly when its own interval excludes ``E``.
    """
    if expected <= 0:
        raise QueryError(f"the expected count must be > 0, not {expected}")

    z = z_value(confidence)
    edge = float(EXACT_BELOW)

    def solve(limit, side: int, low: float, high: float) -> float:
        return brentq(lambda o: limit(o, z)[side] - expected, low, high, xtol=1e-10, rtol=1e-14)

    # O⁺: a whole count O is above when lower(O) > E.
    if byar_limits(edge, z)[0] <= expected:
        high = solve(byar_limits, 0, max(edge, expected), expected + 10 * expected**0.5 + 20)
    elif exact_limits(edge, z)[0] <= expected:
        high = math.nextafter(edge, 0.0)  # 10 is above, 9 is not
    else:
        high = solve(exact_limits, 0, expected, edge)
    # O⁻: a whole count O is below when upper(O) < E.
    if byar_limits(edge, z)[1] < expected:
        low = solve(byar_limits, 1, edge, expected)
    elif exact_limits(0.0, z)[1] >= expected:
        low = 0.0
    elif exact_limits(edge, z)[1] < expected:
        low = edge  # 9 is below, 10 is not
    else:
        low = solve(exact_limits, 1, 0.0, edge)
    return low, high


def funnel_limits(group_rate_per_1000: float, population: float) -> FunnelLimits:
    """95% and 99.8% funnel limits around a group rate for an area of ``population``."""
    if population <= 0:
        raise QueryError(f"population must be > 0, not {population}")
    if group_rate_per_1000 <= 0:
        raise QueryError("the group rate must be > 0 to draw funnel limits")
    expected = group_rate_per_1000 * population / 1000
    scale = 1000 / population
    low95, high95 = funnel_limit_counts(expected, 0.95)
    low998, high998 = funnel_limit_counts(expected, 0.998)
    return FunnelLimits(
        population=population,
        expected_count=expected,
        lower_95=low95 * scale,
        upper_95=high95 * scale,
        lower_998=low998 * scale,
        upper_998=high998 * scale,
    )


def funnel_position(rate: float, limits: FunnelLimits) -> str:
    """``'above 99.8%'``, ``'above 95%'``, ``'within'``, ``'below 95%'`` or ``'below 99.8%'``."""
    if rate > limits.upper_998:
        return "above 99.8%"
    if rate > limits.upper_95:
        return "above 95%"
    if rate < limits.lower_998:
        return "below 99.8%"
    if rate < limits.lower_95:
        return "below 95%"
    return "within"


# --- comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRate:
    """One local authority in a comparison.

    ``significance`` is ``'above'``, ``'below'`` or ``'similar'``: whether the interval
    (``confidence``; ``method`` exact Poisson under 10 records, else Byar's) excludes the
    group rate; ``funnel`` is the position against the funnel
    limits at the area's population.
    """

    code: str
    codes: tuple[str, ...]
    name: str
    count: int
    population: int
    rate_per_1000: float
    lower: float
    upper: float
    significance: str
    funnel: str
    is_focus: bool
    method: str = ""


@dataclass(frozen=True)
class Comparison:
    """A partnership and its comparators over one period, with the group rate and funnel."""

    period: Period
    crime_types: tuple[str, ...] | None
    label: str
    confidence: float
    focus: AreaRate
    areas: tuple[AreaRate, ...]
    group_count: int
    group_population: int
    group_rate_per_1000: float
    months_loaded: tuple[str, ...]
    missing_months: tuple[str, ...]
    notes: tuple[str, ...]

    def limits(self, population: float) -> FunnelLimits:
        """Funnel limits at a population (see :func:`funnel_limits`)."""
        return funnel_limits(self.group_rate_per_1000, population)

    def funnel_curve(self, points: int = 60) -> list[FunnelLimits]:
        """Limits at ``points`` populations spread (geometrically) over the plot's x range."""
        pops = [a.population for a in self.areas]
        low, high = max(1.0, min(pops) * 0.5), max(pops) * 1.2
        step = (high / low) ** (1 / (points - 1))
        return [self.limits(low * step**i) for i in range(points)]

    def table(self) -> list[dict[str, object]]:
        """Data table rows, highest rate first."""
        return [
            {
                "code": a.code,
                "name": a.name,
                "count": a.count,
                "population": a.population,
                "rate_per_1000": a.rate_per_1000,
                "lower": a.lower,
                "upper": a.upper,
                "method": a.method,
                "significance": a.significance,
                "funnel": a.funnel,
                "is_focus": a.is_focus,
            }
            for a in self.areas
        ]


def default_neighbours(con: duckdb.DuckDBPyConnection, area_code: str) -> tuple[str, ...]:
    """The other members of the neighbour group the area belongs to (see NEIGHBOUR_GROUPS).

    Raises:
        ValueError: the area is in no group; pass the comparators explicitly.
    """
    own = set(expand_area_codes(con, [area_code]))
    for members in NEIGHBOUR_GROUPS.values():
        if own & set(members):
            return tuple(m for m in members if not own & set(expand_area_codes(con, [m])))
    raise QueryError(
        f"{area_code} is in no known neighbour group; give the local authority codes to "
        "compare with"
    )


def _active_code(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> str:
    row = con.execute(
        f"SELECT min(active_code) FROM la_codes WHERE lad_code IN ({marks(codes)})",
        list(codes),
    ).fetchone()
    return row[0] if row and row[0] else codes[0]


def compare_areas(
    con: duckdb.DuckDBPyConnection,
    *,
    area_code: str,
    period: Period,
    with_codes: Sequence[str] | None = None,
    crime_types: Sequence[str] | None = None,
    confidence: float = 0.95,
    force_slugs: Sequence[str] | None = None,
) -> Comparison:
    """Compare a partnership's rate with its neighbours' and the group rate.

    Args:
        con: connection from ``warehouse.connect``.
        area_code: the partnership's local authority code (old or new).
        period: the reporting period; all areas are counted over the same loaded months.
        with_codes: comparator authorities (default: :func:`default_neighbours`).
        crime_types: police.uk categories (default: all records, crime and ASB).
        confidence: of the intervals behind ``significance`` (default 95%).
        force_slugs: restrict to these forces' files.

    Returns:
        :class:`Comparison`; ``areas`` sorted by rate, highest first.
    """
    types = None if crime_types is None else check_crime_types(crime_types)
    focus_codes = expand_area_codes(con, [area_code])
    others = default_neighbours(con, area_code) if with_codes is None else tuple(with_codes)
    groups = [focus_codes]
    for code in others:
        codes = expand_area_codes(con, [code])
        if set(codes) & set(focus_codes) or any(set(codes) & set(g) for g in groups):
            continue
        groups.append(codes)
    if len(groups) < 2:
        raise QueryError("give at least one other local authority to compare with")
    months = loaded_months(con, period, force_slugs)
    require_months(con, focus_codes, period, months, force_slugs)
    missing = tuple(m for m in period.months if m not in set(months))
    all_codes = [c for g in groups for c in g]
    where, params = record_filter(
        lad_codes=all_codes, start=period.start, end=period.end, force_slugs=force_slugs
    )
    chosen, type_params = count_of(types)
    found = con.execute(
        f"SELECT lad_code, {chosen}, count(*) FROM street_crimes WHERE {where} GROUP BY 1",
        type_params + params,
    ).fetchall()
    by_lad = {lad: int(n) for lad, n, _ in found}
    everything = {lad: int(n) for lad, _, n in found}
    counted = [(g, sum(by_lad.get(c, 0) for c in g), population(con, g)) for g in groups]
    for g, _, pop in counted:
        if pop <= 0 or not is_covered(sum(everything.get(c, 0) for c in g), pop, len(months)):
            raise UnknownAreaError(
                f"{area_name(con, g)} ({', '.join(g)}) is outside the loaded data: "
                + (
                    "no Census 2021 population is loaded for it"
                    if pop <= 0
                    else "no police.uk records of the force that polices it are loaded (only a "
                    "neighbouring force's few records over the boundary)"
                )
                + ", so it cannot be compared. Choose areas whose force's data is loaded."
            )
    group_count = sum(n for _, n, _ in counted)
    group_pop = sum(p for _, _, p in counted)
    group_rate = group_count / group_pop * 1000
    areas = []
    for codes, n, pop in counted:
        ci = rate_ci(n, pop, confidence=confidence)
        position = (
            funnel_position(ci.rate, funnel_limits(group_rate, pop)) if group_rate > 0 else "within"
        )
        areas.append(
            AreaRate(
                code=_active_code(con, codes),
                codes=codes,
                name=area_name(con, codes),
                count=n,
                population=pop,
                rate_per_1000=ci.rate,
                lower=ci.lower,
                upper=ci.upper,
                method=ci.method,
                significance=ci.compare_to(group_rate),
                funnel=position,
                is_focus=codes == focus_codes,
            )
        )
    focus = areas[0]
    areas.sort(key=lambda a: (-a.rate_per_1000, a.name))
    notes = [
        f"Rates per 1,000 Census 2021 residents for {period.label} (not annualised). Group rate "
        f"= all {len(areas)} areas' records / their residents x 1,000. 'Significantly "
        f"above/below' = the {confidence:.0%} confidence interval excludes the group rate.",
        INTERVAL_METHOD_NOTE,
    ]
    if missing:
        notes.append(
            f"{period.label} is incomplete: no data for {', '.join(missing)} (not counted as "
            "zero); every area covers the same loaded months."
        )
    return Comparison(
        period=period,
        crime_types=types,
        label=series_label(types),
        confidence=confidence,
        focus=focus,
        areas=tuple(areas),
        group_count=group_count,
        group_population=group_pop,
        group_rate_per_1000=group_rate,
        months_loaded=tuple(months),
        missing_months=missing,
        notes=tuple(notes),
    )
