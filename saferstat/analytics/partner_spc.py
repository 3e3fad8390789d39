"""SPC (XmR) charts of a partner dataset's counts per month or quarter, like police.uk's.

A partner dataset is counted from the ``partner_records`` view (``sum(count)``); a period
with no upload is a gap (the series is split there), a loaded period with no records in the
area counts 0. Periods before the dataset's first loaded period are not gaps: they are
"before this dataset starts", and the series begins at its first period
(:func:`dataset_start`).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from saferstat.analytics import partner
from saferstat.analytics.errors import QueryError
from saferstat.analytics.filters import record_filter
from saferstat.analytics.measures import area_name, expand_area_codes
from saferstat.analytics.periods import month_range, parse_month
from saferstat.analytics.spc import Polarity
from saferstat.analytics.spc_series import SpcSeries, spc_from_counts

QUARTER_STARTS = (1, 4, 7, 10)


def period_starts(start: str, end: str, granularity: str) -> list[str]:
    """The first month of every month or quarter (Apr-Jun, Jul-Sep, ...) from start to end."""
    months = month_range(start, end)
    if granularity == "quarter":
        return [m for m in months if parse_month(m)[1] in QUARTER_STARTS]
    return months


def dataset_start(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    """The first month of the dataset's first loaded period, or None if nothing is loaded."""
    row = con.execute(
        "SELECT min(month) FROM loaded_partitions WHERE dataset = ?", [dataset]
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def before_start_note(label: str, first: str) -> str:
    """What a page says when the months asked for begin before the dataset does."""
    return (
        f"{label} starts in {first}: the months before it are before this dataset starts, "
        "not gaps, and the chart begins there."
    )


def partner_spc_series(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    label: str,
    area_codes: Sequence[str],
    start: str,
    end: str,
    polarity: Polarity | str = Polarity.DECREASE,
    target: float | None = None,
) -> SpcSeries:
    """XmR chart(s) of a partner dataset in an area, split at periods with no upload.

    Args:
        con: connection from ``warehouse.connect``.
        dataset: warehouse dataset name (``partner.dataset_name``).
        label: what is counted, for titles (the dataset's name).
        area_codes: local authority codes (old or new codes).
        start, end: first and last month (``YYYY-MM``); quarterly data uses the quarters
            that start in this range, each named by its first month.
        polarity: which direction is better.
        target: optional target for the assurance icon.

    Months before the dataset's first period are left out (not gaps, see the module's
    docstring); a range that ends before the dataset starts is a :class:`QueryError`.
    """
    granularity = partner.dataset_granularity(con, dataset) or "month"
    first = dataset_start(con, dataset)
    if first is not None and end < first:
        raise QueryError(
            f"{label} starts in {first}: choose months from {first} onwards "
            "(the months asked for are before this dataset starts)."
        )
    if first is not None and start < first:
        start = first
    periods = period_starts(start, end, granularity)
    if not periods:
        raise QueryError(f"no whole {granularity} starts between {start} and {end}")
    codes = expand_area_codes(con, area_codes)
    in_dataset, params = record_filter(dataset=dataset, start=periods[0], end=periods[-1])
    loaded = {
        month
        for (month,) in con.execute(
            f"SELECT DISTINCT month FROM loaded_partitions WHERE {in_dataset}", params
        ).fetchall()
    }
    where, params = record_filter(
        dataset=dataset, lad_codes=codes, start=periods[0], end=periods[-1]
    )
    rows = con.execute(
        f"SELECT month, sum(count) FROM partner_records WHERE {where} GROUP BY month", params
    ).fetchall()
    counts = {month: 0 for month in loaded}
    counts.update({month: int(total) for month, total in rows})
    return spc_from_counts(
        months=periods,
        counts=counts,
        loaded=loaded & set(periods),
        area_codes=codes,
        area_name=area_name(con, codes),
        label=label,
        polarity=Polarity(polarity),
        target=target,
        unit=granularity,
    )
