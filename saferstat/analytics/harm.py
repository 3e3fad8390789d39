"""Harm estimates: police.uk counts weighted by the Cambridge Crime Harm Index (CCHI).

A harm estimate for a set of records is ``Σ count(category) × weight(category)``, in days of
imprisonment (the CCHI unit: the sentencing-guideline starting point for a first offender).
police.uk publishes 14 broad categories, not offences, so each category carries the CCHI
approximation documented in ``docs/analytics.md`` (section "Harm"): the median CCHI of each
Home Office offence subgroup, volume-weighted by a force's own subgroup mix. Four categories
mix subgroups of very different harm (violence and sexual offences, burglary, criminal damage
and arson, drugs), so their weight depends on the force; we carry the lowest and highest
force weight as the range and the midpoint as the central value. Every estimate is
therefore returned with its range (low-high), the source and the method, to be printed with
the figure.

Anti-social behaviour is not a crime: it has no weight and is never in a harm total (its
count is reported as excluded).

The weights are versioned data: ``saferstat/analytics/data/harm_weights_cchi_2026_v1.csv``.
A new edition is a new file with a new version; :func:`load_weights` reads any such file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from saferstat.analytics.errors import QueryError
from saferstat.analytics.measures import ASB, area_name, counts, expand_area_codes, population
from saferstat.analytics.periods import Period
from saferstat.analytics.policeuk import CRIME_TYPES

WEIGHTS_FILE = "harm_weights_cchi_2026_v1.csv"
WEIGHTS_VERSION = "cchi-2026-policeuk-categories-v1"
WEIGHTS_NAME = "Cambridge Crime Harm Index (2026 update), police.uk category approximation"
UNIT = "days"

SOURCE = (
    "Cambridge Crime Harm Index, 2026 update (Cambridge Centre for Evidence-Based Policing, "
    "University of Cambridge); Sherman L, Neyroud P, Neyroud E (2016) 'The Cambridge Crime "
    "Harm Index: measuring total harm from crime based on sentencing guidelines', Policing "
    "10(3):171-183. Category values: median CCHI per Home Office offence subgroup, "
    "volume-weighted by each force's 2024/25 subgroup mix ('Cambridge Crime Harm Index: "
    "values used by the dashboard', public GitHub document)."
)

METHOD = (
    "Harm estimate = sum over police.uk crime categories of (records x CCHI weight in days of "
    "imprisonment). Central figure: the middle of each category's weight range; range: all "
    "categories at their lowest, then at their highest weight. Four categories (violence and "
    "sexual offences, burglary, criminal damage and arson, drugs) vary by force with the mix "
    "of offences inside them; the others have one value. Anti-social behaviour is not a crime "
    "and is excluded. Drugs and weapons counts largely reflect police activity. The range does "
    "not cover the spread of offences within a subgroup."
)


@dataclass(frozen=True)
class HarmWeight:
    """CCHI weight of one police.uk category, in days (low <= central <= high)."""

    crime_type: str
    low_days: float
    central_days: float
    high_days: float
    basis: str


@dataclass(frozen=True)
class HarmWeights:
    """A versioned table of category weights, with its source and method text."""

    version: str
    name: str
    source: str
    method: str
    weights: Mapping[str, HarmWeight]
    #: Categories that are never weighted (not crimes).
    excluded: tuple[str, ...] = (ASB,)
    unit: str = UNIT

    def weight(self, crime_type: str) -> HarmWeight | None:
        return self.weights.get(crime_type)


class HarmWeightsError(ValueError):
    """A weights file that cannot be used (missing column, bad number, unknown category)."""


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise HarmWeightsError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise HarmWeightsError(f"{where}: {text!r} must be a number >= 0")
    return value


def parse_weights(
    text: str,
    *,
    version: str,
    name: str = WEIGHTS_NAME,
    source: str = SOURCE,
    method: str = METHOD,
    origin: str = "weights",
) -> HarmWeights:
    """Read a weights table (CSV: ``crime_type,low_days,central_days,high_days,basis``).

    A row with empty numbers marks a category that is not weighted (ASB). Every category
    must be one of the 14 police.uk categories, with ``low <= central <= high``.
    """
    reader = csv.DictReader(io.StringIO(text))
    needed = {"crime_type", "low_days", "central_days", "high_days", "basis"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise HarmWeightsError(f"{origin}: the header must have {', '.join(sorted(needed))}")
    weights: dict[str, HarmWeight] = {}
    excluded: list[str] = []
    for line, row in enumerate(reader, start=2):
        where = f"{origin}:{line}"
        crime_type = row["crime_type"].strip()
        if crime_type not in CRIME_TYPES:
            raise HarmWeightsError(f"{where}: {crime_type!r} is not a police.uk crime type")
        if crime_type in weights or crime_type in excluded:
            raise HarmWeightsError(f"{where}: {crime_type!r} appears twice")
        numbers = [row[c].strip() for c in ("low_days", "central_days", "high_days")]
        if not any(numbers):
            excluded.append(crime_type)
            continue
        low, central, high = (_number(n, where) for n in numbers)
        if not low <= central <= high:
            raise HarmWeightsError(f"{where}: weights must satisfy low <= central <= high")
        weights[crime_type] = HarmWeight(crime_type, low, central, high, row["basis"].strip())
    if ASB in weights:
        raise HarmWeightsError(f"{origin}: anti-social behaviour is not a crime; give it no weight")
    return HarmWeights(
        version=version,
        name=name,
        source=source,
        method=method,
        weights=weights,
        excluded=tuple(sorted(set(excluded) | {ASB})),
    )


def load_weights(path: str | Path | None = None, *, version: str | None = None) -> HarmWeights:
    """The weights table: the packaged CCHI 2026 table, or a CSV file of the same shape."""
    if path is None:
        return default_weights()
    path = Path(path)
    return parse_weights(
        path.read_text(encoding="utf-8-sig"), version=version or path.stem, origin=path.name
    )


@cache
def default_weights() -> HarmWeights:
    """The packaged weights (:data:`WEIGHTS_VERSION`)."""
    text = (
        resources.files("saferstat.analytics")
        .joinpath("data", WEIGHTS_FILE)
        .read_text(encoding="utf-8")
    )
    return parse_weights(text, version=WEIGHTS_VERSION, origin=WEIGHTS_FILE)


# --- estimates -------------------------------------------------------------------------


@dataclass(frozen=True)
class HarmRow:
    """Harm of one crime category: ``count × weight`` (central, low and high)."""

    crime_type: str
    count: int
    weight: HarmWeight
    harm_days: float
    harm_low_days: float
    harm_high_days: float
    #: Share of the total central harm, %.
    share_pct: float


@dataclass(frozen=True)
class HarmEstimate:
    """A harm estimate with its range, source and method (print all of them with it).

    Attributes:
        rows: one per weighted category with records, largest harm first.
        total_days, total_low_days, total_high_days: the estimate and its range (min-max).
        crime_count: records that went into the total (crimes with a weight).
        excluded: records left out by category (ASB; categories without a weight).
        weights: the table used (``.version``, ``.source``, ``.method``).
        area_codes, area_name, period, population, missing_months: set by :func:`harm`.
    """

    rows: tuple[HarmRow, ...]
    total_days: float
    total_low_days: float
    total_high_days: float
    crime_count: int
    excluded: Mapping[str, int]
    weights: HarmWeights
    area_codes: tuple[str, ...] = ()
    area_name: str | None = None
    period: Period | None = None
    population: int | None = None
    missing_months: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        return self.weights.source

    @property
    def method(self) -> str:
        return self.weights.method

    @property
    def version(self) -> str:
        return self.weights.version

    @property
    def per_1000(self) -> float | None:
        """Central harm per 1,000 residents (``None`` without a population)."""
        if not self.population:
            return None
        return self.total_days / self.population * 1000

    @property
    def range_text(self) -> str:
        """E.g. ``'412,345 days (range 380,001 to 450,210)'``."""
        return (
            f"{self.total_days:,.0f} days (range {self.total_low_days:,.0f} to "
            f"{self.total_high_days:,.0f})"
        )

    def table(self) -> list[dict[str, object]]:
        """Data table rows: category, records, weight (low/central/high), harm, share."""
        return [
            {
                "crime_type": r.crime_type,
                "count": r.count,
                "weight_low_days": r.weight.low_days,
                "weight_days": r.weight.central_days,
                "weight_high_days": r.weight.high_days,
                "harm_days": r.harm_days,
                "harm_low_days": r.harm_low_days,
                "harm_high_days": r.harm_high_days,
                "share_pct": r.share_pct,
            }
            for r in self.rows
        ]


def harm_from_counts(
    counts_by_type: Mapping[str, int], weights: HarmWeights | None = None
) -> HarmEstimate:
    """Weight counts per police.uk category (pure function; no warehouse needed).

    ASB and any category without a weight are left out of the total and listed in
    ``excluded``.
    """
    table = weights or default_weights()
    rows: list[HarmRow] = []
    excluded: dict[str, int] = {}
    for crime_type, count in sorted(counts_by_type.items()):
        if count < 0 or int(count) != count:
            raise ValueError(f"count of {crime_type!r} must be a whole number >= 0, not {count}")
        weight = table.weight(crime_type)
        if weight is None:
            if count:
                excluded[crime_type] = int(count)
            continue
        if not count:
            continue
        rows.append(
            HarmRow(
                crime_type=crime_type,
                count=int(count),
                weight=weight,
                harm_days=count * weight.central_days,
                harm_low_days=count * weight.low_days,
                harm_high_days=count * weight.high_days,
                share_pct=0.0,
            )
        )
    total = math.fsum(r.harm_days for r in rows)
    rows = [replace(r, share_pct=r.harm_days / total * 100 if total else 0.0) for r in rows]
    rows.sort(key=lambda r: (-r.harm_days, r.crime_type))
    return HarmEstimate(
        rows=tuple(rows),
        total_days=total,
        total_low_days=math.fsum(r.harm_low_days for r in rows),
        total_high_days=math.fsum(r.harm_high_days for r in rows),
        crime_count=sum(r.count for r in rows),
        excluded=excluded,
        weights=table,
    )


def harm(
    con: duckdb.DuckDBPyConnection,
    *,
    area_codes: Sequence[str],
    period: Period,
    crime_types: Sequence[str] | None = None,
    force_slugs: Sequence[str] | None = None,
    weights: HarmWeights | None = None,
) -> HarmEstimate:
    """Harm estimate of an area's police.uk records over a period.

    Args:
        con: connection from ``warehouse.connect``.
        area_codes: local authority codes of the partnership (old or new codes).
        period: the reporting period (missing months are listed, never counted as zero).
        crime_types: restrict to these categories (default: every weighted category).
        force_slugs: restrict to these forces' files.
        weights: the weights table (default: the packaged CCHI 2026 table).

    Returns:
        :class:`HarmEstimate` with the area, period, population and notes set.
    """
    codes = expand_area_codes(con, area_codes)
    by_type = counts(con, area_codes=codes, period=period, by="crime_type", force_slugs=force_slugs)
    found = by_type.as_dict()
    if crime_types is not None:
        wanted = check_crime_types(crime_types)
        found = {k: v for k, v in found.items() if k in wanted}
    estimate = harm_from_counts(found, weights)
    notes = [estimate.method]
    if estimate.excluded.get(ASB):
        notes.append(
            f"{estimate.excluded[ASB]:,} anti-social behaviour records are not in the harm "
            "total (ASB is not a crime)."
        )
    if by_type.missing_months:
        notes.append(
            f"{period.label} is incomplete: no data for {', '.join(by_type.missing_months)} "
            "(not counted as zero)."
        )
    return replace(
        estimate,
        area_codes=codes,
        area_name=area_name(con, codes),
        period=period,
        population=population(con, codes),
        missing_months=tuple(by_type.missing_months),
        notes=tuple(notes),
    )


def check_crime_types(crime_types: Sequence[str]) -> tuple[str, ...]:
    """The given police.uk categories, checked and without duplicates (order kept).

    Raises:
        ValueError: a name that is not one of the 14 categories, or an empty list.
    """
    if isinstance(crime_types, str):
        crime_types = [crime_types]
    out: list[str] = []
    for name in crime_types:
        if name not in CRIME_TYPES:
            raise QueryError(
                f"{name!r} is not a police.uk crime type: expected one of {', '.join(CRIME_TYPES)}"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise QueryError("crime_types is empty: give at least one police.uk crime type")
    return tuple(out)
