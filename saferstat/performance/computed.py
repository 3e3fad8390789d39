"""Values of computed indicators, read from the warehouse through the one analysis runner
(`saferstat.analytics.runner`): police.uk indicators through the counts `saferstat counts`
runs (`saferstat.analytics.measures.counts`), partner dataset indicators through the same
runner asked about the dataset (`saferstat.analytics.partner.partner_counts`), both for the
partnership's area. A period with any month (or quarter) not loaded is a gap, never a
smaller count, and never zero.
"""

from __future__ import annotations

from saferstat.analytics import measures
from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import parse_period
from saferstat.intelligence import figures

from .models import Indicator, Source


def computed_values(indicator: Indicator, labels: list[str]) -> dict[str, tuple[float | None, str]]:
    """``{period label: (value or None, status)}``: status ``computed`` for a whole period,
    ``incomplete`` when some of its months are not loaded, ``no_data`` when none are."""
    if not figures.warehouse_is_ready():
        return {label: (None, "no_data") for label in labels}
    if indicator.source == Source.PARTNER:
        return _partner_values(indicator, labels)
    partnership = indicator.partnership
    types = tuple(indicator.crime_types or ())
    out: dict[str, tuple[float | None, str]] = {}
    for label in labels:
        period = parse_period(label)
        try:
            result = figures.counts(partnership, period, "crime_type")
        except NoDataError:
            out[label] = (None, "no_data")
            continue
        if not result.months_loaded:
            out[label] = (None, "no_data")
        elif result.missing_months:
            out[label] = (None, "incomplete")
        else:
            total = sum(n for key, n in result.rows if not types or key in types)
            out[label] = (float(total), "computed")
    return out


def _partner_values(indicator: Indicator, labels: list[str]) -> dict[str, tuple[float | None, str]]:
    """A partner dataset indicator: the runner's counts of the dataset for the partnership's
    area in each period, by category when the indicator filters on one (summing the chosen
    values), else by period."""
    dataset = indicator.dataset
    if dataset is None:
        return {label: (None, "no_data") for label in labels}
    column = indicator.category_column or ""
    wanted = set(indicator.categories or ())
    out: dict[str, tuple[float | None, str]] = {}
    for label in labels:
        params = {"period": label, "by": "category" if column else "period"}
        if column:
            params["category"] = column
        try:
            result = figures.run(
                figures.analysis_query(
                    indicator.partnership,
                    "counts",
                    params,
                    dataset=dataset.warehouse_dataset,
                    dataset_label=dataset.name,
                )
            )
        except NoDataError:
            out[label] = (None, "no_data")
            continue
        if not result.periods_loaded:
            out[label] = (None, "no_data")
        elif result.missing_periods:
            out[label] = (None, "incomplete")
        else:
            total = sum(n for key, n in result.rows if not column or key in wanted)
            out[label] = (float(total), "computed")
    return out


__all__ = ["computed_values", "measures"]
