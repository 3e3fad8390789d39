"""Optional two-factor sign-in with a time-based one-time password (TOTP, RFC 6238).

Admins and analysts (who can change data and read sensitive figures) may turn it on under
"Two-factor sign-in"; a deployment can require it for those roles with
SAFERSTAT_REQUIRE_2FA=1. Any authenticator app (30-second, 6-digit, SHA-1 codes) works.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .choices import Role
from .models import ForceAdministrator, Membership, TwoFactorDevice, User

STEP_SECONDS = 30
DIGITS = 6
#: Codes from one step either side are accepted, for clocks that drift.
WINDOW = 1
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.ANALYST})
ERR_CODE = "Enter the 6-digit code from your authenticator app."
ERR_WRONG = "That code is not right, or it has expired. Try the newest code."


def new_secret() -> str:
    """A random 160-bit secret, base32 as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp(secret: str, at: float, *, step: int = STEP_SECONDS, digits: int = DIGITS) -> str:
    """The code for `secret` at Unix time `at` (RFC 6238 with HMAC-SHA-1, RFC 4226 truncation)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int(at // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (within the window), or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    now = time.time() if now is None else now
    for drift in range(-WINDOW, WINDOW + 1):
        at = now + drift * STEP_SECONDS
        if hmac.compare_digest(totp(secret, at), code):
            return int(at // STEP_SECONDS)
    return None


def provisioning_uri(device: TwoFactorDevice) -> str:
    label = quote(f"SaferStat:{device.user.username}")
    return f"otpauth://totp/{label}?secret={device.secret}&issuer=SaferStat&digits={DIGITS}&period={STEP_SECONDS}"


def has_two_factor(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def may_use_two_factor(user: User) -> bool:
    """Admins and analysts of any partnership, force administrators (and staff) may turn
    two-factor sign-in on; SAFERSTAT_REQUIRE_2FA makes it compulsory for them."""
    return (
        user.is_staff
        or Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()
        or ForceAdministrator.objects.filter(user=user).exists()
    )


def must_use_two_factor(user: User) -> bool:
    return bool(getattr(settings, "SAFERSTAT_REQUIRE_2FA", False)) and may_use_two_factor(user)


@transaction.atomic
def two_factor_start(*, user: User) -> TwoFactorDevice:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one)."""
    if not may_use_two_factor(user):
        raise ValidationError("Two-factor sign-in is for partnership admins and analysts.")
    TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).delete()
    if has_two_factor(user):
        raise ValidationError("Two-factor sign-in is already on.")
    return TwoFactorDevice.objects.create(user=user, secret=new_secret())


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> TwoFactorDevice:
    """Turn two-factor sign-in on once the user proves their app shows the right code."""
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=True)
        .first()
    )
    if device is None:
        raise ValidationError("Start again: there is no code waiting to be confirmed.")
    step = matching_step(device.secret, code)
    if step is None:
        raise ValidationError(ERR_WRONG)
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save()
    audit.record(actor=user, verb="two_factor.enable", obj=device)
    return device


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> bool:
    """Check a sign-in code; each code works once (a replayed code is refused)."""
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        return False
    step = matching_step(device.secret, code)
    if step is None or (device.last_step is not None and step <= device.last_step):
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off (needs a current code, so a stolen session cannot)."""
    if must_use_two_factor(user):
        raise ValidationError("Two-factor sign-in is required for your role here.")
    if not two_factor_verify(user=user, code=code):
        raise ValidationError(ERR_WRONG)
    device = TwoFactorDevice.objects.get(user=user, confirmed_at__isnull=False)
    audit.record(actor=user, verb="two_factor.disable", obj=device)
    device.delete()
