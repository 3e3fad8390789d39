"""The admin site: it has no sign-in of its own and needs a session that passed two-factor.

`/admin/login/` sends people to the app's sign-in (password, then the code when the user has
a device or must use one), with `next` back to the admin, so the password alone never makes
an admin session. `has_permission` also refuses a session that owes its second factor (the
middleware already stops one before it gets here).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class SaferStatAdminSite(AdminSite):
    site_header = "SaferStat administration"
    site_title = "SaferStat admin"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        from . import twofactor  # not at import time: INSTALLED_APPS loads this module

        user = request.user
        return user.is_verified() or not twofactor.needs_second_factor(user)

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(target)
            # Signed in, but not staff: the app's sign-in would send them straight back.
            raise PermissionDenied("Your account cannot use the admin site.")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class SaferStatAdminConfig(AdminConfig):
    """Django's admin app with SaferStat's site (INSTALLED_APPS names this class)."""

    default_site = "saferstat.core.admin_site.SaferStatAdminSite"
