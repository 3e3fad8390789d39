"""The one place a view turns a URL's partnership slug into a partnership it may act on."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .permissions import require
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
