"""A session that owes its second factor is not signed in, except to pass it or sign out.

Installed after django-otp's `OTPMiddleware`. For a signed-in user who needs a second factor
(`twofactor.needs_second_factor`: a confirmed device, or SAFERSTAT_REQUIRE_2FA for their
role) and whose session has not passed one (`request.user.is_verified()`):

- the code step, sign-in and sign-out pages work as usual, and so does the two-factor
  set-up page while the user has no confirmed device yet (to set one up);
- the JSON API sees an anonymous caller (a bearer token is its own credential and is read
  from the header, not the session, so token calls are unaffected);
- every other URL, pages, downloads, form posts and /admin/ alike, answers with a redirect
  to the code step (or to the set-up page) and does nothing else.

The usual sign-in does not sign a user with a device in before their code
(`twofactor_views`), so this mostly holds users who must set up a device, sessions made
some other way (Django's admin, `login()` elsewhere, sessions from before this change) and
anything added later.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from . import twofactor

#: URL names a session that owes its second factor may still use.
ALWAYS_ALLOWED = frozenset({"login", "login_code", "logout"})
SET_UP = "two_factor"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.is_verified()
            or not twofactor.needs_second_factor(user)
        ):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = None
        has_device = twofactor.has_two_factor(user)
        if name in ALWAYS_ALLOWED or (name == SET_UP and not has_device):
            return self.get_response(request)
        if name and name.startswith("api:"):
            request.user = AnonymousUser()
            return self.get_response(request)
        target = reverse("login_code" if has_device else SET_UP)
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
