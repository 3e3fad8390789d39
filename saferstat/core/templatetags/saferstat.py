"""Template filters for figures: formatting only, never computing."""

from __future__ import annotations

import math
import re

from django import template
from django.urls import reverse
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe

from saferstat.analytics import labels
from saferstat.analytics.periods import describe_months, month_name
from saferstat.core.glossary import BY_SLUG

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
    return describe_months(values, name=month_name)


@register.filter
def number(value, places: int = 0) -> str:
    """A figure with thousands separators: 12345 -> "12,345"; None or NaN -> "–"."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        numeric = float(value) if not isinstance(value, int | float) else value
    except (TypeError, ValueError):
        return str(value)
    if isinstance(numeric, int) and not places:
        return f"{numeric:,}"
    return f"{numeric:,.{int(places)}f}"


@register.filter
def force_name(slug) -> str:
    """A police.uk force slug in words: `south-yorkshire` -> "South Yorkshire Police"."""
    if not slug:
        return ""
    small = {"and", "of", "the"}
    words = str(slug).split("-")
    text = " ".join(w if w in small and i else w.capitalize() for i, w in enumerate(words))
    return f"{text} Police"


@register.filter
def column_label(name: str) -> str:
    """`lpl` -> "Lower process limit": the plain-English header of an analytics column
    (saferstat/analytics/labels.py)."""
    return labels.column(name)


@register.filter
def plain(value) -> str:
    """A coded value in words: `common_cause` -> "Common cause variation"."""
    return labels.value(value)


@register.simple_tag
def glossary(slug: str, text: str = ""):
    """A link from a term's first use on a page to its glossary entry."""
    term = BY_SLUG[slug]
    return format_html(
        '<a class="govuk-link" href="{}#{}">{}</a>',
        reverse("glossary"),
        term.slug,
        text or term.use or term.term,
    )


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
    return labels.value(value)


@register.filter
def plain_text(value) -> str:
    """Plain text an admin wrote (a privacy notice, the accessibility statement) as GOV.UK
    paragraphs: a blank line starts a paragraph, a block of lines starting "- " is a
    bulleted list, web and email addresses become links. Everything is escaped first, so
    no markup the writer typed reaches the page."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", str(value or "").strip()) if b.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_linked(line[2:].strip())}</li>" for line in lines)
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            html.append(f'<p class="govuk-body">{"<br>".join(_linked(x) for x in lines)}</p>')
    return mark_safe("\n".join(html))  # noqa: S308 - every piece is escaped by _linked


def _linked(text: str) -> str:
    """Escaped text with its web and email addresses as GOV.UK links."""
    return urlize(text, nofollow=False, autoescape=True).replace(
        "<a href=", '<a class="govuk-link" href='
    )
