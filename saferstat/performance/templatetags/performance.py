"""`{% public_dashboard_link partnership %}`: a link to the partnership's public dashboard
from its other published pages (the crime overview, the public meetings), once the
dashboard is published, without those apps importing this one. `{{ point.status|status_words }}`:
a series point's status in words ("No data loaded", not ``no_data``)."""

from django import template

from saferstat.analytics.periods import month_name

from ..selectors import dashboard_published, status_word

register = template.Library()


@register.inclusion_tag("performance/_public_dashboard_link.html")
def public_dashboard_link(partnership):
    return {"partnership": partnership, "show": dashboard_published(partnership)}


@register.filter
def status_words(status: str, indicator=None) -> str:
    """``{{ p.status|status_words:indicator }}``: :func:`selectors.status_word`."""
    return status_word(status, indicator)


@register.filter
def values_words(values) -> str:
    """A return's values as kept in its history (``{code: value}``, ``{code: {month: value}}``
    for a monthly indicator) in words, by code: ``missing-episodes January 2025: 3,
    February 2025: no value; repeat-asb 41``."""
    if not isinstance(values, dict) or not values:
        return "none"

    def one(value) -> str:
        return (
            "no value"
            if value is None
            else f"{value:g}"
            if isinstance(value, float)
            else str(value)
        )

    parts = []
    for code, value in sorted(values.items()):  # by code: the database may keep any order
        if isinstance(value, dict):
            months = ", ".join(f"{month_name(m)}: {one(v)}" for m, v in sorted(value.items()))
            parts.append(f"{code} {months}")
        else:
            parts.append(f"{code} {one(value)}")
    return "; ".join(parts)
