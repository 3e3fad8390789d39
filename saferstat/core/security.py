"""Small security helpers that settings point at (see docs/security.md section 2)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...] | None:
    """The trusted proxies as networks; None means any address ("*")."""
    if "*" in entries:
        return None
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted_proxy(address: str | None) -> bool:
    networks = _networks(tuple(getattr(settings, "SAFERSTAT_TRUSTED_PROXIES", ())))
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip_address(request: HttpRequest) -> str | None:
    """The address sign-in failures are counted against (django-axes).

    Directly on the internet this is `REMOTE_ADDR`. Behind proxies
    (`SAFERSTAT_TRUSTED_PROXY_COUNT` of them, 1 by default when `BEHIND_TLS_PROXY=1`) every
    request comes from the innermost proxy, and each proxy appends the address it was
    reached from to `X-Forwarded-For`; the client is the entry the outermost trusted proxy
    appended, `SAFERSTAT_TRUSTED_PROXY_COUNT` from the end. Entries before it are whatever
    the client sent and are never used. `X-Forwarded-For` is read only when `REMOTE_ADDR` is
    one of `SAFERSTAT_TRUSTED_PROXIES` (loopback by default): a client that reaches the app
    port directly is counted by its own address, whatever header it invents.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "SAFERSTAT_TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0 or not _is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request skipped one, so nothing in it is trusted.
        return remote
    return forwarded[-count]


def _failures(**filters) -> int:
    return (
        AccessAttempt.objects.filter(**filters).aggregate(total=Sum("failures_since_start"))[
            "total"
        ]
        or 0
    )


class SaferStatAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with two more locks, within the cool-off time.

    Besides 5 failures for one username from one address (`AXES_FAILURE_LIMIT`), a username
    is locked after `SAFERSTAT_USERNAME_FAILURE_LIMIT` failures from any addresses (guessing
    from many addresses), and an address after `SAFERSTAT_ADDRESS_FAILURE_LIMIT` failures
    across any usernames (one password tried against many accounts). 0 turns either off.
    """

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes answers 429 only when its own count reaches the limit; do so for ours too.
        if request is not None and not getattr(request, "axes_locked_out", False):
            if self.is_locked(request, credentials):
                request.axes_locked_out = True
                request.axes_credentials = credentials

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        since = get_cool_off_threshold(request)
        username = get_client_username(request, credentials)
        per_username = int(getattr(settings, "SAFERSTAT_USERNAME_FAILURE_LIMIT", 0) or 0)
        if (
            username
            and per_username
            and _failures(username=username, attempt_time__gte=since) >= per_username
        ):
            return True
        address = getattr(request, "axes_ip_address", None)
        per_address = int(getattr(settings, "SAFERSTAT_ADDRESS_FAILURE_LIMIT", 0) or 0)
        return bool(
            address
            and per_address
            and _failures(ip_address=address, attempt_time__gte=since) >= per_address
        )


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
