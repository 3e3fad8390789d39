"""`{% public_dashboard_link partnership %}`: a link to the partnership's public dashboard
from its other published pages (the crime overview, the public meetings), once the
dashboard is published, without those apps importing this one. `{{ point.status|status_words }}`:
a series point's status in words ("No data loaded", not ``no_data``)."""

from django import template

from ..selectors import STATUS_WORDS, dashboard_published

register = template.Library()


@register.inclusion_tag("performance/_public_dashboard_link.html")
def public_dashboard_link(partnership):
    return {"partnership": partnership, "show": dashboard_published(partnership)}


@register.filter
def status_words(status: str) -> str:
    """A series point's status as the dashboard writes it; an SPC point type (``special_cause``)
    with spaces."""
    return STATUS_WORDS.get(status, str(status).replace("_", " ").capitalize())
