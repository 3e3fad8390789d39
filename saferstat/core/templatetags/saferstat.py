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
        month_name(run[0]) if len(run) == 1 else f"{month_name(run[0])} to {month_name(run[-1])}"
        for run in runs
    )


@register.filter
def column_label(name: str) -> str:
    """`rate_per_1000` -> `Rate per 1000`: a readable table header from a column name."""
    return str(name).replace("_", " ").capitalize()


@register.filter
def cell(row: dict, column: str) -> str:
    """A table cell: numbers formatted, a missing value shown as a dash (a gap, not zero)."""
    value = row.get(column)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.2f}"
    return str(value)
