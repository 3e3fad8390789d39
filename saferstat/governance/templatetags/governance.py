"""`{% governance_attention partnership user %}`: the partnership home page's governance box
(duties overdue or due within 30 days), without the core app importing governance."""

from django import template
from django.utils import timezone

from saferstat.core.permissions import can

from ..selectors import duties_needing_attention, public_bodies

register = template.Library()


@register.inclusion_tag("governance/_home_attention.html")
def governance_attention(partnership, user):
    if not can(user, "governance.view", partnership):
        return {"show": False}
    return {
        "show": True,
        "partnership": partnership,
        "duties": duties_needing_attention(
            partnership, timezone.localdate(), dhr=can(user, "governance.dhr", partnership)
        ),
    }


@register.inclusion_tag("governance/_public_meetings_link.html")
def public_meetings_link(partnership):
    """A link to the partnership's public meetings, on its public pages (the crime overview),
    when one of its bodies meets in public."""
    return {"partnership": partnership, "show": public_bodies(partnership).exists()}
