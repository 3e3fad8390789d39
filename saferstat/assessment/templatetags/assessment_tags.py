from django import template

register = template.Library()


@register.filter
def percent(value, places: int = 1) -> str:
    """0.1234 -> "12.3%"."""
    try:
        return f"{float(value) * 100:.{int(places)}f}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def lookup(mapping, key):
    """``{{ mapping|lookup:key }}``: the value for key, or '' when there is none."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
