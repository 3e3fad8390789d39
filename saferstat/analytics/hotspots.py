"""Hotspots: the wards or LSOAs of a partnership ranked by count, rate and harm.

Each ward (2024 ONS ward) or LSOA (2021) of the area gets its count, Census 2021 residents,
rate per 1,000 with its 95% confidence interval (exact Poisson below 10 records, Byar's
approximation from 10; ``stats.poisson_interval``), and a harm estimate (CCHI, with its
range; ASB excluded). A unit is "significantly above" the partnership when the lower end of
its interval is above the partnership's rate, "significantly below" when the upper end is
below it, otherwise "similar" (``docs/analytics.md``, "Hotspots").

Partner datasets (:func:`partner_hotspots`) are ranked the same way from ``partner_records``
(``sum(count)``); harm weights apply to police.uk categories only, so their harm is zero.

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

from saferstat.analytics import partner
from saferstat.analytics.errors import NoDataError, QueryError
from saferstat.analytics.filters import marks, record_filter
from saferstat.analytics.harm import HarmEstimate, HarmWeights, check_crime_types, harm_from_counts
from saferstat.analytics.measures import (
    area_name,
    expand_area_codes,
    loaded_months,
    population,
    require_months,
    ward_populations,
)
from saferstat.analytics.periods import Period, parse_period
from saferstat.analytics.series import series_label
from saferstat.analytics.stats import INTERVAL_METHOD_NOTE, rate_ci

Level = Literal["ward", "lsoa"]
RankBy = Literal["count", "rate", "harm", "harm_rate"]
LEVELS = ("ward", "lsoa")
RANK_BY = ("count", "rate", "harm", "harm_rate")
PartnerRankBy = Literal["count", "rate"]
PARTNER_RANK_BY = ("count", "rate")
LEVEL_NAMES = {"ward": "ward (2024)", "lsoa": "LSOA (2021)"}
NO_HARM_NOTE = "harm weights apply to police.uk categories only"
#: SQL: the unit of a row (``s`` = the records, ``l`` = its 2011 LSOA in ``lsoa_lookup``) and
#: whether its 2011 LSOA was split (so the unit is approximate), per level.
UNIT_KEY = {"ward": "s.ward_code", "lsoa": "s.lsoa21_code"}
APPROXIMATE = {"ward": "l.is_ward_approximate", "lsoa": "l.lsoa21_candidates > 1"}


@dataclass(frozen=True)
class HotspotRow:
    """One ward or LSOA of the area.

    Attributes:
        rank: 1 = highest on the ranking measure; equal values share a rank (1, 2, 2, 4).
        rate_lower, rate_upper: confidence interval of the rate (``confidence``).
        interval_method: ``'exact Poisson'`` (under 10 records) or ``"Byar's approximation"``.
        significance: ``'above'``, ``'below'`` or ``'similar'`` against the partnership
            rate; ``None`` for a unit without residents.
        harm_days, harm_low_days, harm_high_days: harm estimate and range (ASB excluded);
            zero for partner datasets.
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
    interval_method: str | None = None


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
                "interval_method": r.interval_method,
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
    rows = con.execute(
        f"""
        SELECT l.lsoa21_code, any_value(l.lsoa_name), coalesce(any_value(p.population), 0)
        FROM lsoa_lookup l LEFT JOIN lsoa21_population p USING (lsoa21_code)
        WHERE l.lsoa_vintage = 2021 AND l.lad_code IN ({marks(codes)})
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


def _check(level: str, rank_by: str, allowed: Sequence[str]) -> None:
    if level not in LEVELS:
        raise QueryError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if rank_by not in allowed:
        raise QueryError(f"rank_by must be one of {', '.join(allowed)}, not {rank_by!r}")


def _hotspots(
    con: duckdb.DuckDBPyConnection,
    *,
    codes: tuple[str, ...],
    period: Period,
    level: str,
    rank_by: str,
    crime_types: tuple[str, ...] | None,
    label: str,
    confidence: float,
    counts: dict[str, int],
    harms: dict[str, HarmEstimate] | None,
    area_count: int,
    area_harm: HarmEstimate,
    harm_note: str,
    approximate: set[str],
    months_loaded: Sequence[str],
    missing_months: Sequence[str],
    missing_periods: Sequence[str],
) -> Hotspots:
    """Rates, intervals, significance, ranks and notes from counts per unit.

    ``counts`` holds every unit with records (units outside the area's lookup are noted);
    ``harms`` the harm per unit, or None when harm does not apply (then zero).
    """
    area_pop = population(con, codes)
    area_rate = area_count / area_pop * 1000 if area_pop else None
    units = _units(con, codes, level)
    rows = []
    for code, name, pop in units:
        count = counts.get(code, 0)
        unit_harm = harms.get(code) if harms is not None else None
        harm_days = unit_harm.total_days if unit_harm else 0.0
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
                harm_days=harm_days,
                harm_low_days=unit_harm.total_low_days if unit_harm else 0.0,
                harm_high_days=unit_harm.total_high_days if unit_harm else 0.0,
                harm_per_1000=harm_days / pop * 1000 if pop and harms is not None else None,
                is_approximate=code in approximate,
                interval_method=ci.method if ci else None,
            )
        )
    name = area_name(con, codes)
    notes = [
        f"Rates per 1,000 Census 2021 residents for {period.label} (not annualised); "
        f"'significantly above/below' = the {confidence:.0%} confidence interval of the "
        f"{LEVEL_NAMES[level]} rate excludes the {name} rate.",
        INTERVAL_METHOD_NOTE,
        harm_note,
    ]
    if missing_periods:
        notes.append(
            f"{period.label} is incomplete: no data for {', '.join(missing_periods)} "
            "(not counted as zero)."
        )
    if approximate:
        notes.append(
            f"{len(approximate)} {LEVEL_NAMES[level]} areas received records from 2011 LSOAs that "
            "were split; those records went to the most populous 2021 part, so their figures "
            "are approximate."
        )
    unplaced = sorted(set(counts) - {u[0] for u in units})
    if unplaced:
        notes.append(f"{len(unplaced)} codes with records are not in the area's lookup.")
    return Hotspots(
        area_codes=codes,
        area_name=name,
        period=period,
        level=level,
        rank_by=rank_by,
        crime_types=crime_types,
        label=label,
        confidence=confidence,
        population=area_pop,
        count=area_count,
        rate_per_1000=area_rate,
        harm=area_harm,
        rows=tuple(_ranked(rows, rank_by)),
        months_loaded=tuple(months_loaded),
        missing_months=tuple(missing_months),
        notes=tuple(notes),
    )


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
        confidence: of the interval used for the significance flag (default 95%).
        force_slugs: restrict to these forces' files.
        weights: harm weights (default: the packaged CCHI 2026 table).

    Returns:
        :class:`Hotspots`, rows in rank order.
    """
    _check(level, rank_by, RANK_BY)
    codes = expand_area_codes(con, area_codes)
    types = None if crime_types is None else check_crime_types(crime_types)
    months = loaded_months(con, period, force_slugs)
    require_months(con, codes, period, months, force_slugs)
    missing = tuple(m for m in period.months if m not in set(months))
    where, params = record_filter(
        lad_codes=codes, start=period.start, end=period.end, force_slugs=force_slugs, alias="s"
    )
    found = con.execute(
        f"""
        SELECT {UNIT_KEY[level]}, s.crime_type, count(*),
               count(*) FILTER (WHERE s.lsoa_vintage = 2011 AND coalesce({APPROXIMATE[level]}, false))
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

    area_types: dict[str, int] = defaultdict(int)
    for by_type in by_unit.values():
        for crime_type, n in selected(by_type).items():
            area_types[crime_type] += n
    area_harm = harm_from_counts(dict(area_types), weights)
    return _hotspots(
        con,
        codes=codes,
        period=period,
        level=level,
        rank_by=rank_by,
        crime_types=types,
        label=series_label(types),
        confidence=confidence,
        counts={unit: sum(selected(t).values()) for unit, t in by_unit.items()},
        harms={unit: harm_from_counts(selected(t), weights) for unit, t in by_unit.items()},
        area_count=sum(area_types.values()),
        area_harm=area_harm,
        harm_note=area_harm.method,
        approximate=approximate,
        months_loaded=months,
        missing_months=missing,
        missing_periods=missing,
    )


def partner_hotspots(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    label: str,
    area_codes: Sequence[str],
    period: Period,
    level: Level = "ward",
    rank_by: PartnerRankBy = "rate",
    confidence: float = 0.95,
) -> Hotspots:
    """Rank the wards or LSOAs of an area on a partner dataset, like :func:`hotspots`.

    Counts are ``sum(count)`` of ``partner_records`` for the dataset, area and period. A unit
    with no records counts 0 for the loaded periods; periods with no upload are listed in
    ``missing_months`` (every calendar month of them) and the notes, never counted as zero.
    Harm does not apply: harm fields are zero (``harm_per_1000`` None).

    Args:
        con: connection from ``warehouse.connect``.
        dataset: warehouse dataset name (``partner.dataset_name``).
        label: what is counted, for titles (the dataset's name).
        area_codes: local authority codes of the partnership (old or new codes).
        period: the reporting period (whole quarters for a quarterly dataset).
        level: ``'ward'`` (2024 wards) or ``'lsoa'`` (2021 LSOAs; LSOA-level datasets only).
        rank_by: ``'count'`` or ``'rate'`` (per 1,000 Census 2021 residents).
        confidence: of the interval used for the significance flag (default 95%).

    Raises:
        ValueError: a partnership-level dataset, LSOA level for a dataset not recorded by
            LSOA, nothing loaded for the dataset, a bad level or ranking, or a period that
            does not fit a quarterly dataset.
    """
    _check(level, rank_by, PARTNER_RANK_BY)
    levels = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT area_level FROM partner_records WHERE dataset = ?", [dataset]
        ).fetchall()
    }
    if not levels:
        raise NoDataError(f"No data is loaded for {label}.")
    if "partnership" in levels:
        raise QueryError("this dataset is recorded for the whole partnership, not by ward")
    if level == "lsoa" and levels != {"lsoa"}:
        raise QueryError("this dataset is recorded by ward, not by LSOA: rank it by ward")
    granularity = partner.dataset_granularity(con, dataset) or "month"
    expected = partner.expected_periods(period, granularity)
    loaded = set(partner.loaded_periods(con, dataset, granularity=granularity))
    missing_periods = [p for p in expected if p not in loaded]
    codes = expand_area_codes(con, area_codes)
    if expected and len(missing_periods) == len(expected):
        raise NoDataError(
            f"No {label} data is loaded for {area_name(con, codes)} in {period.label} (no "
            f"upload covers {', '.join(missing_periods)}).",
            period.months,
        )
    where, params = record_filter(
        dataset=dataset, lad_codes=codes, start=period.start, end=period.end, alias="s"
    )
    found = con.execute(
        f"""
        SELECT {UNIT_KEY[level]}, sum(s.count),
               coalesce(sum(s.count) FILTER (WHERE coalesce({APPROXIMATE[level]}, false)), 0)
        FROM partner_records s
        LEFT JOIN (SELECT * FROM lsoa_lookup WHERE lsoa_vintage = 2011) l
               ON s.area_level = 'lsoa' AND l.lsoa_code = s.area_code
        WHERE {where}
        GROUP BY 1
        """,
        params,
    ).fetchall()
    counts = {unit: int(n) for unit, n, _ in found}
    missing = [m for p in missing_periods for m in parse_period(p).months]
    return _hotspots(
        con,
        codes=codes,
        period=period,
        level=level,
        rank_by=rank_by,
        crime_types=None,
        label=label,
        confidence=confidence,
        counts=counts,
        harms=None,
        area_count=sum(counts.values()),
        area_harm=harm_from_counts({}),
        harm_note=f"Harm is not estimated for {label}: {NO_HARM_NOTE}.",
        approximate={unit for unit, _, n_approximate in found if n_approximate},
        months_loaded=[m for m in period.months if m not in set(missing)],
        missing_months=missing,
        missing_periods=missing_periods,
    )
