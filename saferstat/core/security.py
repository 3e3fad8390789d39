"""Small security helpers that settings point at (see docs/security.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers


def client_ip_address(request: HttpRequest) -> str | None:
    """The address sign-in failures are counted against (django-axes).

    Directly on the internet this is `REMOTE_ADDR`. Behind a TLS-terminating proxy
    (`BEHIND_TLS_PROXY=1`, which sets `SECURE_PROXY_SSL_HEADER`) every request comes from
    the proxy, so the address is the last one in `X-Forwarded-For`: the one our proxy
    appended. Earlier entries are whatever the client sent and are never trusted, or an
    attacker could dodge the lockout by inventing a new address for every attempt.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


class PrivatePagesNotStoredMiddleware:
    """Pages for a signed-in user, and API answers to a token, are never stored.

    They hold partnership data that is not public, and some show a secret (a new API token,
    a two-factor key). `Cache-Control: no-store, private` (Django's `never_cache`) keeps
    them out of shared proxies and out of the browser's cache and back button on a shared
    PC. A response that sets its own `Cache-Control` (a chart image's short private cache)
    keeps it; public pages seen by anonymous readers may be cached as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if not response.has_header("Cache-Control") and (
            signed_in or "HTTP_AUTHORIZATION" in request.META
        ):
            add_never_cache_headers(response)
        return response


#: What HTML forms and links send. The JSON API (under /api/) answers for its own methods.
FORM_METHODS = ("GET", "HEAD", "POST")


class FormMethodsOnlyMiddleware:
    """Pages answer GET, HEAD and POST only; PUT, PATCH, DELETE and the rest get 405.

    No page is written for another method, and a view that forgot to check would treat
    a PUT or DELETE as a GET, or worse, as a POST. Refusing them before any view runs
    means no view has to remember.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.method not in FORM_METHODS and not request.path_info.startswith("/api/"):
            return HttpResponseNotAllowed(FORM_METHODS)
        return self.get_response(request)
