from django.urls import reverse

from .models import Partnership
from .navigation import breadcrumbs, service_navigation
from .permissions import can, partnerships_for


def _current_partnership(request, mine):
    """The partnership the page belongs to (from the URL's slug), if the user may see it;
    on pages outside a partnership (not the home page, which lists them), the user's only
    partnership."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match is not None else None
    if slug is None:
        # The home page lists the user's partnerships itself.
        home = match is not None and match.url_name == "home"
        return mine[0] if len(mine) == 1 and not home else None
    partnership = next((p for p in mine if p.slug == slug), None)
    if partnership is None:
        partnership = Partnership.objects.filter(slug=slug).first()
    user = getattr(request, "user", None)
    if partnership is None or not (
        can(user, "partnership.view", partnership) or can(user, "overview.view", partnership)
    ):
        # Never name a partnership the user may not see (a 403 or 404 page).
        return None
    return partnership


def navigation(request):
    """The header's service navigation, partnership switcher and breadcrumbs (see
    saferstat/core/navigation.py and docs/frontend.md)."""
    user = getattr(request, "user", None)
    mine = partnerships_for(user)
    match = getattr(request, "resolver_match", None)
    url_name = match.view_name if match is not None else None
    current = _current_partnership(request, mine)
    nav = service_navigation(user, current, url_name) if current is not None else []
    return {
        "my_partnerships": mine,
        "current_partnership": current,
        "service_nav": nav,
        "other_partnerships": [p for p in mine if p != current] if len(mine) > 1 else [],
        "breadcrumbs": breadcrumbs(user, current, url_name),
        "url_name": url_name,
        "privacy_url": _privacy_url(user, current),
    }


def _privacy_url(user, partnership) -> str:
    """The footer's privacy link: the page's partnership's notice when the user may read
    it, else the list of notices."""
    if partnership is not None and can(user, "privacy.view", partnership):
        return reverse("privacy_notice", kwargs={"slug": partnership.slug})
    return reverse("privacy")
