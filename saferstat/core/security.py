"""Small security helpers that settings point at (see docs/security.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
