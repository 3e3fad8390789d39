from django import template

from saferstat.delivery.money import pounds as _pounds

register = template.Library()


@register.filter
def pounds(pence) -> str:
    """Whole pence as pounds: 11800000 -> "£118,000"; None -> "–"."""
    return _pounds(pence)


@register.filter
def may_approve(user, partnership) -> bool:
    """True when the user may approve monitoring returns in the partnership."""
    from saferstat.core.permissions import can

    return can(user, "delivery.approve", partnership)
