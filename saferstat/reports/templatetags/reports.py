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
            '{}<span class="govuk-visually-hidden"> (hidden by disclosure control)</span>',
            SUPPRESSED,
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if unit == "pence":  # money is kept in whole pence (delivery.money)
        from saferstat.delivery.money import pounds

        return pounds(int(value))
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    elif unit == "rate":
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


@register.simple_tag(takes_context=True)
def report_chart(context, table: dict):
    """A table's chart as an image with alternative text (SVG on pages, PNG in the PDF);
    its data table is the table itself, printed below it."""
    from saferstat.reports.render import chart_image

    src = chart_image(table, fmt="png" if context.get("print") else "svg")
    if not src:
        return ""
    chart = table["chart"]
    alt = f"{chart['title']}. {chart['description']}"
    if "table below" not in alt:
        alt += " The figures are in the table below."
    return format_html(
        '<figure class="saferstat-chart"><img src="{}" alt="{}" width="100%"></figure>', src, alt
    )


@register.filter
def source_url(source: str) -> str:
    """The page a figure can be checked on: the address its source starts with."""
    first = str(source or "").split(" ", 1)[0]
    return first if first.startswith("/") else ""


@register.filter
def column_name(columns: list, index: int) -> str:
    """The heading of a table's ``index``-th value column (after the row label)."""
    try:
        return columns[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""
