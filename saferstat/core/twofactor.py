"""Two-factor sign-in: an authenticator app (TOTP) and single-use recovery codes, on django-otp.

Admins and analysts (who can change data and read sensitive figures), staff and superusers
may turn it on under "Two-factor sign-in"; SAFERSTAT_REQUIRE_2FA=1 makes it compulsory for
them. Any authenticator app (30-second, 6-digit, SHA-1 codes) works. The devices are
django-otp's `TOTPDevice` and `StaticDevice` (recovery codes); docs/decisions/0001-django-otp.md
says why. A session that owes its second factor is held by
`saferstat.core.twofactor_middleware.TwoFactorMiddleware`.

Every code a user enters is checked by `check_code`, which serialises the checks for one
user (so concurrent requests cannot check more codes than the limits allow), refuses codes
while the account is locked (django-axes), counts each code that does not sign in as a
failed sign-in (django-axes), and leaves django-otp's back-off (1, 2, 4, 8 ... seconds after
each wrong code) in force.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .choices import Role
from .models import ForceAdministrator, Membership, User

DIGITS = 6
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.ANALYST})
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
ERR_CODE = "Enter the 6-digit code from your authenticator app."
ERR_WRONG = "That code is not right, or it has expired. Try the newest code."
ERR_WAIT = "Too many wrong codes in a row. Wait a few seconds, then enter the newest code."


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # checked, and wrong (or already used)
    WAIT = "wait"  # not checked: django-otp's back-off after recent wrong codes
    LOCKED = "locked"  # not checked: the account is locked at this address (django-axes)


@dataclass(frozen=True)
class CodeCheck:
    outcome: Outcome
    device: Device | None = None


def base32_key(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps show it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI the QR code holds."""
    return device.config_url


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The set-up QR code as an SVG data URI for an <img> (CSP allows img-src data:)."""
    return segno.make(provisioning_uri(device), error="m").svg_data_uri(scale=5, border=2)


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    """A confirmed authenticator app (or recovery codes) is registered for the user."""
    return user_has_device(user, confirmed=True)


def may_use_two_factor(user: User) -> bool:
    """Admins and analysts of any partnership, force administrators, staff and superusers may
    turn two-factor sign-in on; SAFERSTAT_REQUIRE_2FA makes it compulsory for them."""
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()
        or ForceAdministrator.objects.filter(user=user).exists()
    )


def must_use_two_factor(user: User) -> bool:
    return bool(getattr(settings, "SAFERSTAT_REQUIRE_2FA", False)) and may_use_two_factor(user)


def needs_second_factor(user: User) -> bool:
    """A session of this user counts as signed in only once it has passed a second factor."""
    return has_two_factor(user) or must_use_two_factor(user)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _serialise(user: User) -> None:
    """Hold the user's row until the transaction ends: one code check at a time per user.

    An UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite (where
    SELECT ... FOR UPDATE does nothing), so a second request waits here until the first has
    counted its failure. Must be the first statement of the transaction.
    """
    User.objects.filter(pk=user.pk).update(is_active=F("is_active"))


def _record_failure(request: HttpRequest | None, user: User) -> None:
    """A code that did not sign in counts as a failed sign-in for the account (django-axes)."""
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )


def _is_locked(request: HttpRequest | None, user: User) -> bool:
    if request is None:
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def _candidates(user: User, code: str, *, confirmed: bool = True) -> list[Device]:
    """The devices a code is meant for: 6 digits for the app, anything else a recovery code."""
    if code.isdigit() and len(code) == DIGITS:
        model = TOTPDevice
    elif confirmed:
        model = StaticDevice
    else:
        return []
    return list(model.objects.devices_for_user(user, confirmed=confirmed).select_for_update())


def check_code(request: HttpRequest | None, user: User, code: str) -> CodeCheck:
    """Check a sign-in code (authenticator app or recovery code) for `user`.

    Each code works once (a replayed app code or a used recovery code is refused). A code
    that does not sign in, for any reason, counts as one failed sign-in for django-axes.
    """
    code = (code or "").strip().replace(" ", "").lower()
    with transaction.atomic():
        _serialise(user)
        if _is_locked(request, user):
            return CodeCheck(Outcome.LOCKED)
        devices = _candidates(user, code)
        if any(not device.verify_is_allowed()[0] for device in devices):
            _record_failure(request, user)
            return CodeCheck(Outcome.WAIT)
        for device in devices:
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    audit.record(
                        actor=user,
                        verb="two_factor.recovery_code_used",
                        obj=device,
                        after={"left": recovery_codes_left(user)},
                    )
                return CodeCheck(Outcome.OK, device)
        if not devices:
            # No device takes this kind of code: still a failure, and still throttled.
            for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
                device.throttle_increment()
        _record_failure(request, user)
        return CodeCheck(Outcome.WRONG)


def message_for(outcome: Outcome) -> str:
    return ERR_WAIT if outcome is Outcome.WAIT else ERR_WRONG


@transaction.atomic
def two_factor_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator key for the user (replacing an unconfirmed one)."""
    if not may_use_two_factor(user):
        raise ValidationError("Two-factor sign-in is for partnership admins and analysts.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    if has_two_factor(user):
        raise ValidationError("Two-factor sign-in is already on.")
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
    return codes


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on once the user's app shows the right code.

    Returns the device and 10 new single-use recovery codes, to be shown once.
    """
    _serialise(user)
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError("Start again: there is no code waiting to be confirmed.")
    if not device.verify_is_allowed()[0]:
        raise ValidationError(ERR_WAIT)
    code = (code or "").strip().replace(" ", "")
    if not device.verify_token(code):
        raise ValidationError(ERR_WRONG)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(actor=user, verb="two_factor.enable", obj=device)
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with 10 new ones (the old ones stop working)."""
    if not has_two_factor(user):
        raise ValidationError("Turn two-factor sign-in on first.")
    codes = _new_recovery_codes(user)
    audit.record(
        actor=user,
        verb="two_factor.recovery_codes",
        obj=StaticDevice.objects.get(user=user),
        after={"count": len(codes)},
    )
    return codes


def two_factor_disable(*, user: User, code: str, request: HttpRequest | None = None) -> None:
    """Turn two-factor sign-in off (needs a current code, so a stolen session cannot)."""
    if must_use_two_factor(user):
        raise ValidationError("Two-factor sign-in is required for your role here.")
    result = check_code(request, user, code)
    if result.outcome is not Outcome.OK:
        raise ValidationError(message_for(result.outcome))
    with transaction.atomic():
        device = confirmed_totp(user)
        audit.record(actor=user, verb="two_factor.disable", obj=device or result.device)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
