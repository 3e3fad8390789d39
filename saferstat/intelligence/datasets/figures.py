"""The bridge from the partner dataset pages to `saferstat.analytics.partner`.

No figure is computed here: this module chooses the partnership's area codes and the period,
asks `partner.partner_counts`, and caches answers until the warehouse changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from saferstat.analytics import partner
from saferstat.analytics.periods import Period, financial_year_of, parse_period

from .. import figures
from .models import PartnerDataset


@dataclass(frozen=True)
class WardRow:
    """One ward's counts, one per period of the table (None: period not loaded)."""

    ward: str
    counts: list[int | None]
    total: int


@dataclass(frozen=True)
class PartnerFigures:
    """What the dataset page shows for one financial year.

    Attributes:
        periods_loaded: every period loaded for the dataset, in time order.
        years: financial years with any data, newest first.
        period: the year shown (None when nothing is loaded).
        by_period: counts by month or quarter, with the missing periods.
        periods: the periods of the year (columns of the ward table).
        ward_rows: counts by ward and period (empty for partnership-level data).
        by_category: counts by each category column.
        by_outcome: counts by outcome (None without an outcome column).
    """

    periods_loaded: list[str]
    years: list[Period]
    period: Period | None = None
    by_period: partner.PartnerCountsResult | None = None
    periods: list[str] = field(default_factory=list)
    ward_rows: list[WardRow] = field(default_factory=list)
    by_category: list[partner.PartnerCountsResult] = field(default_factory=list)
    by_outcome: partner.PartnerCountsResult | None = None


def years_of(periods: list[str]) -> list[Period]:
    seen: dict[str, Period] = {}
    for label in periods:
        fy = financial_year_of(parse_period(label).start)
        seen[fy.label] = fy
    return sorted(seen.values(), key=lambda p: p.start, reverse=True)


def _default_year(years: list[Period], loaded: list[str], granularity: str) -> Period:
    """The latest complete financial year, else the latest with any data (as the overview)."""
    have = set(loaded)
    for year in years:
        if all(p in have for p in partner.expected_periods(year, granularity)):
            return year
    return years[0]


def dataset_figures(dataset: PartnerDataset, year: Period | None = None) -> PartnerFigures:
    """Figures of a dataset for a financial year (default: the latest complete one, else the
    latest with any data)."""
    schema = dataset.dataset_schema()
    name = dataset.warehouse_dataset
    codes = tuple(dataset.partnership.lad_codes)

    def compute() -> PartnerFigures:
        if not figures.warehouse_is_ready() or not codes:
            return PartnerFigures([], [])
        with figures.connect_for(dataset.partnership) as con:
            loaded = partner.loaded_periods(con, name, granularity=schema.granularity)
            years = years_of(loaded)
            if not years:
                return PartnerFigures(loaded, years)
            period = year if year is not None else _default_year(years, loaded, schema.granularity)

            def count(by: str, within: Period = period, **kwargs) -> partner.PartnerCountsResult:
                return partner.partner_counts(
                    con, dataset=name, area_codes=codes, period=within, by=by,
                    granularity=schema.granularity, **kwargs,
                )  # fmt: skip

            by_period = count("period")
            columns = [*by_period.periods_loaded, *by_period.missing_periods]
            columns.sort(key=lambda label: parse_period(label).start)
            ward_rows: list[WardRow] = []
            if schema.area_level != "partnership":
                per_period = {
                    label: count("ward", parse_period(label)).as_dict()
                    for label in by_period.periods_loaded
                }
                wards = sorted({ward for counts in per_period.values() for ward in counts})
                for ward in wards:
                    cells = [
                        per_period[label].get(ward, 0) if label in per_period else None
                        for label in columns
                    ]
                    ward_rows.append(WardRow(ward, cells, sum(c for c in cells if c)))
            return PartnerFigures(
                periods_loaded=loaded,
                years=years,
                period=period,
                by_period=by_period,
                periods=columns,
                ward_rows=ward_rows,
                by_category=[count("category", category=c) for c in schema.category_columns],
                by_outcome=count("outcome") if schema.outcome_column else None,
            )

    key = ("partner", name, codes, year.label if year else None, repr(schema))
    return figures.cached(key, compute)


def financial_year_of_slug(text: str) -> Period:
    """``2024-25`` (from a URL) is the financial year 2024/25."""
    return figures.parse_fy_slug(text)
