"""Showing a report's figures: a number, ``*`` (suppressed) or "No data"."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

from saferstat.analytics.disclosure import SUPPRESSED

register = template.Library()


def _show(value, unit: str):
    if value is None or value == "":
        return "No data" if unit != "text" else ""
    if value == SUPPRESSED:
        return format_html(
            '{}<span class="govuk-visually-hidden"> (a count of 1 to 7, not shown)</span>',
            SUPPRESSED,
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = intcomma(int(value))
    return f"{text}%" if unit == "percentage" else text


@register.simple_tag
def figure(cell: dict):
    return _show(cell.get("value"), cell.get("unit", ""))


@register.simple_tag
def figure_value(value, unit: str = ""):
    return _show(value, unit)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")
