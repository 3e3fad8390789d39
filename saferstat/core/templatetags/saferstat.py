"""Template filters for figures: formatting only, never computing."""

from __future__ import annotations

import math

from django import template

from saferstat.analytics.periods import add_months, month_name

register = template.Library()


@register.filter
def decimal(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{int(places)}f}"


@register.filter
def signed_pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "new"
    return f"{value:+.1f}%"


@register.filter
def month_label(value) -> str:
    if not value:
        return ""
    return month_name(value)


@register.filter
def months_list(values) -> str:
    """Months as text, runs of consecutive months collapsed: "April 2023 to December 2023"."""
    runs: list[list[str]] = []
    for month in sorted(values):
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(
        month_name(run[0]) if len(run) == 1 else f"{month_name(run[0])} to {month_name(run[-1])}" for run in runs
    )
