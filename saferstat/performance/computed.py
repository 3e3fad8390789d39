"""Values of computed indicators, read from the warehouse through the same analysis the
CLI's `saferstat counts` runs (`saferstat.analytics.measures.counts`), for the partnership's
area and police force. A quarter with any month not loaded is a gap, never a smaller count.
"""

from __future__ import annotations

from saferstat.analytics import measures
from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import parse_period
from saferstat.intelligence import figures

from .models import Indicator


def computed_values(indicator: Indicator, labels: list[str]) -> dict[str, tuple[float | None, str]]:
    """``{period label: (value or None, status)}``: status ``computed`` for a whole period,
    ``incomplete`` when some of its months are not loaded, ``no_data`` when none are."""
    partnership = indicator.partnership
    if not figures.warehouse_is_ready():
        return {label: (None, "no_data") for label in labels}
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


__all__ = ["computed_values", "measures"]
