"""The one place a view turns a URL's partnership slug into a partnership it may act on."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.urls import reverse

from .audit import object_ref
from .models import Partnership
from .permissions import can, require, require_force
from .selectors import partnership_get


def partnership_view(action: str):
    """Decorate a view taking `slug`: loads the partnership and checks `action`.

    Anonymous users who are refused are sent to sign in; signed-in users get 403.
    The view receives `partnership` instead of `slug`.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            partnership = partnership_get(slug=slug)
            try:
                require(request.user, action, partnership)
            except PermissionDenied:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            return view(request, partnership, *args, **kwargs)

        wrapper.saferstat_action = action
        return wrapper

    return decorator


def force_view(action: str):
    """Decorate a view taking `force` (a police.uk force slug): checks the force-level
    `action` (``FORCE_RULES``). Anonymous users are sent to sign in; others get 403; a force
    no partnership is served by is 404."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, force: str, *args, **kwargs):
            try:
                require_force(request.user, action, force)
            except PermissionDenied:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            if not Partnership.objects.filter(force_slug=force).exists():
                raise Http404("No partnership is served by this force")
            return view(request, force, *args, **kwargs)

        wrapper.saferstat_force_action = action
        return wrapper

    return decorator


def audit_history_url(user, partnership, obj: models.Model) -> str | None:
    """The partnership's audit log filtered to `obj`, or None if the user may not read it."""
    if not can(user, "audit.view", partnership):
        return None
    query = urlencode({"object": object_ref(obj)})
    return f"{reverse('audit_log', kwargs={'slug': partnership.slug})}?{query}"
