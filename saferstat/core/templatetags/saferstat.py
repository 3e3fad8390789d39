"""Template filters for figures: formatting only, never computing."""

from __future__ import annotations

import math

from django import template

from saferstat.analytics.periods import month_name

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
    return ", ".join(month_name(v) for v in values)
