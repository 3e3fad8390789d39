"""`{% public_dashboard_link partnership %}`: a link to the partnership's public dashboard
from its other published pages (the crime overview, the public meetings), once the
dashboard is published, without those apps importing this one."""

from django import template

from ..selectors import dashboard_published

register = template.Library()


@register.inclusion_tag("performance/_public_dashboard_link.html")
def public_dashboard_link(partnership):
    return {"partnership": partnership, "show": dashboard_published(partnership)}
