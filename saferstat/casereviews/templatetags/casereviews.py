from django import template

from saferstat.core.permissions import can_read_cases

register = template.Library()


@register.filter
def can_cases(partnership, user) -> bool:
    """True when `user` may see case review applications in `partnership`."""
    return can_read_cases(user, partnership)
