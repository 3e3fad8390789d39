"""Who is calling the JSON API: a bearer token, else the signed-in session, else anonymous.

The API has no permission rules of its own: each endpoint asks
`saferstat.core.permissions` with this user, exactly as the pages do.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import HttpError

from .tokens import api_token_user


def api_user(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise HttpError(401, "Use 'Authorization: Bearer <token>'.")
        user = api_token_user(key.strip())
        if user is None:
            raise HttpError(401, "The token is not valid or has been revoked.")
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else AnonymousUser()
