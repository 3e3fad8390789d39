"""Hotspots: the wards or LSOAs of a partnership ranked by count, rate and harm.

Each ward (2024 ONS ward) or LSOA (2021) of the area gets its count, Census 2021 residents,
rate per 1,000 with Byar's 95% confidence interval, and a harm estimate (CCHI, with its
range; ASB excluded). A unit is "significantly above" the partnership when the lower end of
its interval is above the partnership's rate, "significantly below" when the upper end is
below it, otherwise "similar" (``docs/analytics.md``, "Hotspots").

Records coded to 2011 LSOAs (files before 2022) are on 2021 LSOAs and current wards through
the warehouse views; a split 2011 LSOA's records all go to its most populous 2021 part, so
units that received such records are flagged ``is_approximate``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import duckdb

from saferstat.analytics.harm import HarmEstimate, HarmWeights, check_crime_types, harm_from_counts
from saferstat.analytics.measures import (
    area_name,
    expand_area_codes,
    loaded_months,
    population,
    ward_populations,
)
from saferstat.analytics.periods import Period
from saferstat.analytics.series import series_label
from saferstat.analytics.stats import rate_ci

Level = Literal["ward", "lsoa"]
RankBy = Literal["count", "rate", "harm", "harm_rate"]
LEVELS = ("ward", "lsoa")
RANK_BY = ("count", "rate", "harm", "harm_rate")
LEVEL_NAMES = {"ward": "ward (2024)", "lsoa": "LSOA (2021)"}


@dataclass(frozen=True)
class HotspotRow:
    """One ward or LSOA of the area.

    Attributes:
        rank: 1 = highest on the ranking measure; equal values share a rank (1, 2, 2, 4).
        rate_lower, rate_upper: Byar confidence interval of the rate (``confidence``).
        significance: ``'above'``, ``'below'`` or ``'similar'`` against the partnership
            rate; ``None`` for a unit without residents.
        harm_days, harm_low_days, harm_high_days: harm estimate and range (ASB excluded).
        is_approximate: the unit received records of a 2011 LSOA that was split (LSOA level)
            or split across wards (ward level); its figures are approximate.
    """

    rank: int
    code: str
    name: str
    count: int
    population: int
    rate_per_1000: float | None
    rate_lower: float | None
    rate_upper: float | None
    significance: str | None
    harm_days: float
    harm_low_days: float
    harm_high_days: float
    harm_per_1000: float | None
    is_approximate: bool


@dataclass(frozen=True)
class Hotspots:
    """Ranked wards or LSOAs of an area, with the partnership figures they are compared with."""

    area_codes: tuple[str, ...]
    area_name: str
    period: Period
    level: str
    rank_by: str
    crime_types: tuple[str, ...] | None
    label: str
    confidence: float
    population: int
    count: int
    rate_per_1000: float | None
    harm: HarmEstimate
    rows: tuple[HotspotRow, ...]
    months_loaded: tuple[str, ...]
    missing_months: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def above(self) -> list[HotspotRow]:
        return [r for r in self.rows if r.significance == "above"]

    @property
    def below(self) -> list[HotspotRow]:
        return [r for r in self.rows if r.significance == "below"]

    def table(self) -> list[dict[str, object]]:
        """Data table rows, in rank order."""
        return [
            {
                "rank": r.rank,
                "code": r.code,
                "name": r.name,
                "count": r.count,
                "population": r.population,
                "rate_per_1000": r.rate_per_1000,
                "rate_lower": r.rate_lower,
                "rate_upper": r.rate_upper,
                "significance": r.significance,
                "harm_days": r.harm_days,
                "harm_low_days": r.harm_low_days,
                "harm_high_days": r.harm_high_days,
                "harm_per_1000": r.harm_per_1000,
                "is_approximate": r.is_approximate,
            }
            for r in self.rows
        ]


def _units(
    con: duckdb.DuckDBPyConnection, codes: Sequence[str], level: str
) -> list[tuple[str, str, int]]:
    if level == "ward":
        return ward_populations(con, codes)
    marks = ", ".join("?" for _ in codes)
    rows = con.execute(
        f"""
        SELECT l.lsoa21_code, any_value(l.lsoa_name), coalesce(any_value(p.population), 0)
        FROM lsoa_lookup l LEFT JOIN lsoa21_population p USING (lsoa21_code)
        WHERE l.lsoa_vintage = 2021 AND l.lad_code IN ({marks})
        GROUP BY 1 ORDER BY 2, 1
        """,
        list(codes),
    ).fetchall()
    return [(code, name, int(pop)) for code, name, pop in rows]


def _ranked(rows: list[HotspotRow], rank_by: str) -> list[HotspotRow]:
    attribute = {
        "count": "count",
        "rate": "rate_per_1000",
        "harm": "harm_days",
        "harm_rate": "harm_per_1000",
    }[rank_by]

    def value(row: HotspotRow) -> float | None:
        return getattr(row, attribute)

    ordered = sorted(rows, key=lambda r: (value(r) is None, -(value(r) or 0.0), r.name, r.code))
    out: list[HotspotRow] = []
    for position, row in enumerate(ordered, start=1):
        same = out and value(out[-1]) == value(row)
        rank = out[-1].rank if same else position
        out.append(replace(row, rank=rank))
    return out


def hotspots(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    period: Period,
    level: Level = "ward",
    rank_by: RankBy = "rate",
    crime_types: Sequence[str] | None = None,
    confidence: float = 0.95,
    force_slugs: Sequence[str] | None = None,
    weights: HarmWeights | None = None,
) -> Hotspots:
    """Rank the wards or LSOAs of an area by count, rate per 1,000 or harm.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        period: the reporting period (missing months listed, never counted as zero).
        level: ``'ward'`` (2024 wards) or ``'lsoa'`` (2021 LSOAs).
        rank_by: ``'count'``, ``'rate'`` (per 1,000 residents), ``'harm'`` (CCHI days) or
            ``'harm_rate'`` (CCHI days per 1,000 residents).
        crime_types: police.uk categories to count (default: all records, crime and ASB;
            harm never includes ASB).
        confidence: of the Byar interval used for the significance flag (default 95%).
        force_slugs: restrict to these forces' files.
        weights: harm weights (default: the packaged CCHI 2026 table).

    Returns:
        :class:`Hotspots`, rows in rank order.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if rank_by not in RANK_BY:
        raise ValueError(f"rank_by must be one of {', '.join(RANK_BY)}, not {rank_by!r}")
    codes = expand_area_codes(con, area_codes)
    types = None if crime_types is None else check_crime_types(crime_types)
    months = loaded_months(con, period, force_slugs)
    missing = tuple(m for m in period.months if m not in set(months))
    key = "s.ward_code" if level == "ward" else "s.lsoa21_code"
    flag = "l.is_ward_approximate" if level == "ward" else "l.lsoa21_candidates > 1"
    marks = ", ".join("?" for _ in codes)
    where = f"s.lad_code IN ({marks}) AND s.month BETWEEN ? AND ?"
    params: list[object] = [*codes, period.start, period.end]
    if force_slugs:
        where += f" AND s.force_slug IN ({', '.join('?' for _ in force_slugs)})"
        params += list(force_slugs)
    found = con.execute(
        f"""
        SELECT {key}, s.crime_type, count(*),
               count(*) FILTER (WHERE s.lsoa_vintage = 2011 AND coalesce({flag}, false))
        FROM street_crimes s
        LEFT JOIN (SELECT * FROM lsoa_lookup WHERE lsoa_vintage = 2011) l
               ON s.lsoa_vintage = 2011 AND l.lsoa_code = s.lsoa_code
        WHERE {where}
        GROUP BY 1, 2
        """,
        params,
    ).fetchall()
    by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    approximate: set[str] = set()
    for unit, crime_type, n, n_approximate in found:
        by_unit[unit][crime_type] = int(n)
        if n_approximate:
            approximate.add(unit)

    def selected(by_type: dict[str, int]) -> dict[str, int]:
        return by_type if types is None else {k: v for k, v in by_type.items() if k in types}

    area_pop = population(con, codes)
    area_types: dict[str, int] = defaultdict(int)
    for by_type in by_unit.values():
        for crime_type, n in selected(by_type).items():
            area_types[crime_type] += n
    area_count = sum(area_types.values())
    area_rate = area_count / area_pop * 1000 if area_pop else None

    units = _units(con, codes, level)
    rows = []
    for code, name, pop in units:
        chosen = selected(by_unit.get(code, {}))
        count = sum(chosen.values())
        unit_harm = harm_from_counts(chosen, weights)
        ci = rate_ci(count, pop, confidence=confidence) if pop else None
        rows.append(
            HotspotRow(
                rank=0,
                code=code,
                name=name,
                count=count,
                population=pop,
                rate_per_1000=ci.rate if ci else None,
                rate_lower=ci.lower if ci else None,
                rate_upper=ci.upper if ci else None,
                significance=ci.compare_to(area_rate) if ci and area_rate is not None else None,
                harm_days=unit_harm.total_days,
                harm_low_days=unit_harm.total_low_days,
                harm_high_days=unit_harm.total_high_days,
                harm_per_1000=unit_harm.total_days / pop * 1000 if pop else None,
                is_approximate=code in approximate,
            )
        )
    area_harm = harm_from_counts(dict(area_types), weights)
    notes = [
        f"Rates per 1,000 Census 2021 residents for {period.label} (not annualised); "
        f"'significantly above/below' = the {confidence:.0%} Byar confidence interval of the "
        f"{LEVEL_NAMES[level]} rate excludes the {area_name(con, codes)} rate.",
        area_harm.method,
    ]
    if missing:
        notes.append(
            f"{period.label} is incomplete: no data for {', '.join(missing)} (not counted as zero)."
        )
    if approximate:
        notes.append(
            f"{len(approximate)} {LEVEL_NAMES[level]} areas received records from 2011 LSOAs that "
            "were split; those records went to the most populous 2021 part, so their figures "
            "are approximate."
        )
    unplaced = sorted(set(by_unit) - {u[0] for u in units})
    if unplaced:
        notes.append(f"{len(unplaced)} codes with records are not in the area's lookup.")
    return Hotspots(
        area_codes=codes,
        area_name=area_name(con, codes),
        period=period,
        level=level,
        rank_by=rank_by,
        crime_types=types,
        label=series_label(types),
        confidence=confidence,
        population=area_pop,
        count=area_count,
        rate_per_1000=area_rate,
        harm=area_harm,
        rows=tuple(_ranked(rows, rank_by)),
        months_loaded=tuple(months),
        missing_months=missing,
        notes=tuple(notes),
    )
