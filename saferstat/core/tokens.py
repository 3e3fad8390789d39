"""API tokens: create, revoke, and find the user behind a presented token."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from . import audit
from .models import ApiToken, User
from .sanitise import clean_plain

TOKEN_PREFIX = "ss_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the row and the secret, which is shown only once."""
    name = clean_plain(name)
    if not name:
        raise ValueError("Give the token a name, for example 'Power BI refresh'.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[3:11], key_hash=_hash(key)
    )
    audit.record(
        actor=user,
        verb="api_token.create",
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by,
            verb="api_token.revoke",
            obj=token,
            after={"revoked_at": str(token.revoked_at)},
        )
    return token


def api_token_user(key: str) -> User | None:
    """The active user behind a presented token, or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked_at=None).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
