"""Move each two-factor device to django-otp, then drop SaferStat's own table.

The old `TwoFactorDevice` kept a base32 secret; django-otp's `TOTPDevice` keeps the same
bytes as hex. Confirmed devices stay confirmed, and the last used time step carries over,
so a code already used cannot be used again. Users keep signing in with the same app entry.
"""

import base64
import binascii

from django.db import migrations
from django.utils import timezone


def to_django_otp(apps, schema_editor):
    old_model = apps.get_model("core", "TwoFactorDevice")
    totp_model = apps.get_model("otp_totp", "TOTPDevice")
    for old in old_model.objects.all():
        secret = old.secret.strip().replace(" ", "").upper()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        device = totp_model.objects.create(
            user_id=old.user_id,
            name="Authenticator app",
            confirmed=old.confirmed_at is not None,
            key=binascii.hexlify(key).decode("ascii"),
            step=30,
            t0=0,
            digits=6,
            tolerance=1,
            drift=0,
            last_t=old.last_step if old.last_step is not None else -1,
            last_used_at=old.confirmed_at,
        )
        # created_at is auto_now_add: keep the old date with an update.
        totp_model.objects.filter(pk=device.pk).update(created_at=old.created_at)


def from_django_otp(apps, schema_editor):
    old_model = apps.get_model("core", "TwoFactorDevice")
    totp_model = apps.get_model("otp_totp", "TOTPDevice")
    for device in totp_model.objects.order_by("user_id", "-confirmed", "-id"):
        if old_model.objects.filter(user_id=device.user_id).exists():
            continue
        secret = base64.b32encode(binascii.unhexlify(device.key)).decode("ascii").rstrip("=")
        old_model.objects.create(
            user_id=device.user_id,
            secret=secret,
            confirmed_at=(device.last_used_at or device.created_at or timezone.now())
            if device.confirmed
            else None,
            last_step=device.last_t if device.last_t >= 0 else None,
        )
    totp_model.objects.all().delete()


class Migration(migrations.Migration):
    # saferstat/core/migration_safety.py: a data migration.
    saferstat_online = (
        "Copies each two-factor device (one per user who turned it on) to django-otp: a few "
        "rows, no large table."
    )
    dependencies = [
        ("core", "0003_two_factor"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(to_django_otp, from_django_otp),
        migrations.DeleteModel(name="TwoFactorDevice"),
    ]
