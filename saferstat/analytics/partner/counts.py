"""Counting partner records: loaded periods, granularity, area codes, the counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from saferstat.analytics.coverage import ward_keys
from saferstat.analytics.errors import QueryError, UnknownAreaError
from saferstat.analytics.filters import in_list, record_filter
from saferstat.analytics.measures import expand_area_codes
from saferstat.analytics.partner.schema import (
    AREA_LEVELS,
    BLANK,
    COUNT_BY,
    AreaLevel,
)
from saferstat.analytics.periods import (
    FY_START_MONTH,
    Period,
    financial_year_of,
    parse_period,
    quarter_of,
)

# --- reading: the view and the counts --------------------------------------------------


def _expand_lad_codes(con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str]) -> tuple[str, ...]:
    return expand_area_codes(con, lad_codes)


def known_area_codes(
    con: duckdb.DuckDBPyConnection, *, level: AreaLevel, lad_codes: Sequence[str]
) -> frozenset[str]:
    """The area codes a partnership's uploads may use at ``level``.

    ``lsoa``: every LSOA (2011 or 2021 code) whose 2021 LSOA lies in the local authorities;
    ``ward``: their current (2024) ONS wards; ``partnership``: the local authority codes,
    old and new (``E08000016`` and ``E08000038`` are both Barnsley).

    Raises:
        UnknownAreaError: no reference data is loaded.
        ValueError: unknown level.
    """
    if level not in AREA_LEVELS:
        raise QueryError(f"unknown area level {level!r}: expected one of {', '.join(AREA_LEVELS)}")
    (loaded,) = con.execute("SELECT count(*) FROM la_codes").fetchone()
    if not loaded:
        raise UnknownAreaError(
            "no reference data is loaded, so area codes cannot be checked "
            "(run: saferstat reference demo_data/ons)"
        )
    codes = _expand_lad_codes(con, lad_codes)
    if level == "partnership":
        return frozenset(codes)
    in_area, params = in_list("lad_code", codes)
    if level == "ward":
        sql = f"SELECT DISTINCT ward_code FROM lsoa_lookup WHERE lsoa_vintage = 2021 AND {in_area}"
    else:
        sql = f"SELECT DISTINCT lsoa_code FROM lsoa_lookup WHERE {in_area}"
    return frozenset(row[0] for row in con.execute(sql, params).fetchall() if row[0])


def _period_label(month: str, granularity: str) -> str:
    return quarter_of(month).label if granularity == "quarter" else month


def expected_periods(period: Period, granularity: str) -> list[str]:
    """The months (``month``) or quarter labels (``quarter``) that make up ``period``.

    Raises:
        ValueError: a quarterly dataset and a period that is not whole quarters.
    """
    if granularity == "month":
        return period.months
    start_month = int(period.start[5:7])
    end_month = int(period.end[5:7])
    starts = {(FY_START_MONTH - 1 + 3 * q) % 12 + 1 for q in range(4)}  # 4, 7, 10, 1
    if start_month not in starts or (end_month % 12 + 1) not in starts:
        raise QueryError(
            f"this dataset is quarterly, so it cannot be counted for {period.label}: ask for a "
            "quarter, a financial year, or 12 months ending in March, June, September or December"
        )
    return [quarter_of(m).label for m in period.months[::3]]


def dataset_granularity(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    """``month`` or ``quarter`` as stored for a partner dataset, None if nothing is loaded."""
    row = con.execute(
        "SELECT max(period_months) FROM partner_records WHERE dataset = ?", [dataset]
    ).fetchone()
    if not row or row[0] is None:
        return None
    return "quarter" if row[0] == 3 else "month"


def loaded_periods(
    con: duckdb.DuckDBPyConnection, dataset: str, *, granularity: str | None = None
) -> list[str]:
    """Every period loaded for a partner dataset, in time order."""
    granularity = granularity or dataset_granularity(con, dataset) or "month"
    rows = con.execute(
        "SELECT DISTINCT month FROM loaded_partitions WHERE dataset = ? ORDER BY 1", [dataset]
    ).fetchall()
    return [_period_label(month, granularity) for (month,) in rows]


def latest_year(periods: Sequence[str]) -> Period | None:
    """The financial year of the latest of ``periods`` (``2024-05`` or ``2024/25-Q1``)."""
    if not periods:
        return None
    last = parse_period(periods[-1])
    return financial_year_of(last.start)


@dataclass(frozen=True)
class PartnerCountsResult:
    """Counts of one partner dataset for an area and period, by one key.

    Attributes:
        dataset: warehouse dataset name.
        by: ``period``, ``ward``, ``area``, ``category`` or ``outcome``.
        category: the category column counted by (``by='category'``), else None.
        period: the period asked for.
        granularity: ``month`` or ``quarter``.
        area_codes: the local authority codes used (after adding former/new codes).
        rows: ``(key, count)``; for ``by='period'`` in time order and only loaded periods
            (0 for a loaded period without records in the area); otherwise sorted by key.
        missing_periods: periods of the period asked for with no data loaded (gaps).
        periods_loaded: periods with data loaded.
    """

    dataset: str
    by: str
    category: str | None
    period: Period
    granularity: str
    area_codes: tuple[str, ...]
    rows: list[tuple[str, int]]
    missing_periods: list[str]
    periods_loaded: list[str]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    @property
    def is_complete(self) -> bool:
        return not self.missing_periods

    @property
    def missing_months(self) -> list[str]:
        """Every calendar month of the missing periods."""
        out = []
        for label in self.missing_periods:
            out += parse_period(label).months
        return out

    def as_dict(self) -> dict[str, int]:
        return dict(self.rows)


def partner_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    area_codes: Sequence[str],
    period: Period,
    by: str,
    category: str | None = None,
    granularity: str | None = None,
) -> PartnerCountsResult:
    """Count a partner dataset in an area over a period (sum of counts; 1 per record row).

    Args:
        con: connection from ``warehouse.connect``.
        dataset: warehouse dataset name (:func:`dataset_name`).
        area_codes: local authority codes of the area (old or new codes).
        period: the reporting period. A quarterly dataset needs whole quarters.
        by: ``'period'`` (``2024-05`` or ``2024/25-Q1``), ``'ward'`` (current ward name; not
            for partnership-level data), ``'area'`` (the code as uploaded), ``'category'``
            (the values of the column ``category``) or ``'outcome'``.
        category: the category column, with ``by='category'``.
        granularity: ``month`` or ``quarter`` (default: as stored; ``month`` if nothing is).

    Returns:
        :class:`PartnerCountsResult`, with the periods that have no data loaded.

    Raises:
        ValueError: unknown ``by``, or a period that does not fit a quarterly dataset.
    """
    if by not in COUNT_BY:
        raise QueryError(f"cannot count by {by!r}: expected one of {', '.join(COUNT_BY)}")
    if (by == "category") != (category is not None):
        raise QueryError("give category= (the column name) with by='category', and only then")
    granularity = granularity or dataset_granularity(con, dataset) or "month"
    expected = expected_periods(period, granularity)
    codes = _expand_lad_codes(con, area_codes)
    loaded = [p for p in loaded_periods(con, dataset, granularity=granularity) if p in expected]
    missing = [p for p in expected if p not in set(loaded)]
    where, params = record_filter(
        dataset=dataset, lad_codes=codes, start=period.start, end=period.end
    )
    if by == "ward":
        level = con.execute(
            "SELECT DISTINCT area_level FROM partner_records WHERE dataset = ?", [dataset]
        ).fetchall()
        if ("partnership",) in level:
            raise QueryError(f"{dataset} is at partnership level: it cannot be counted by ward")
        raw = con.execute(
            f"SELECT ward_code, ward_name, sum(count) FROM partner_records WHERE {where} "
            "GROUP BY 1, 2",
            params,
        ).fetchall()
        rows = ward_keys(raw)
    else:
        expression = {
            "period": "period",
            "area": "area_code",
            "outcome": f"coalesce(outcome, '{BLANK}')",
            "category": f"coalesce(categories[?], '{BLANK}')",
        }[by]
        key_params = [category] if by == "category" else []
        raw = con.execute(
            f"SELECT {expression} AS key, sum(count) FROM partner_records WHERE {where} GROUP BY 1",
            [*key_params, *params],
        ).fetchall()
        counted = {key: int(count) for key, count in raw}
        if by == "period":
            order = {label: i for i, label in enumerate(expected)}
            keys = sorted(set(loaded) | set(counted), key=lambda k: order.get(k, len(order)))
            rows = [(k, counted.get(k, 0)) for k in keys]
        else:
            rows = sorted(counted.items())
    return PartnerCountsResult(
        dataset=dataset,
        by=by,
        category=category,
        period=period,
        granularity=granularity,
        area_codes=codes,
        rows=rows,
        missing_periods=missing,
        periods_loaded=loaded,
    )


def period_label_of(month: str, granularity: str) -> str:
    """The period a stored partition month stands for (``2024-04`` -> ``2024/25-Q1``)."""
    return _period_label(month, granularity)
