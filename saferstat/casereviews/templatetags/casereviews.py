from django import template

from saferstat.core.permissions import can, can_read_cases

register = template.Library()


@register.filter
def can_cases(partnership, user) -> bool:
    """True when `user` may see case review applications in `partnership`."""
    return can_read_cases(user, partnership)


@register.filter
def can_map(partnership, user) -> bool:
    """True when `user` may see the ward map of case review applications."""
    return can(user, "casereviews.map", partnership)
