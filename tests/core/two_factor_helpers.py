"""Helpers for the two-factor tests: an RFC 6238 code generator of our own (the test's
oracle, independent of the app) and sign-in steps done as a person does them, with real
POSTs to the sign-in and set-up forms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from tests.django_fixtures import PASSWORD

KEY = re.compile(r'id="two-factor-key">([A-Z2-7]+)<')
RECOVERY = re.compile(r"<li><code>([a-z2-7]{8,16})</code></li>")


def code_at(secret: str, at: float, digits: int = 6) -> str:
    """The TOTP code (HMAC-SHA-1, 30-second steps) of a base32 secret at Unix time `at`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def next_code(secret: str, username: str) -> str:
    """The code of the step after the last one the user's device accepted, whatever the
    clock did since (a slow machine may cross a 30-second step between two requests)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    last_t = TOTPDevice.objects.get(user__username=username, confirmed=True).last_t
    return code_at(secret, (last_t + 1) * 30)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def sign_out(client):
    return client.post("/sign-out/")


def enable(client, username: str) -> tuple[str, list[str]]:
    """Sign in, turn two-factor sign-in on through the page, sign out.

    Returns the key the page showed and the recovery codes it showed (none before
    django-otp). The confirming code is the current one, so the next usable code is the
    next time step's: `code_at(key, time.time() + 30)`.
    """
    sign_in(client, username)
    page = client.post("/account/two-factor/", {"action": "start"}).content.decode()
    key = KEY.search(page).group(1)
    response = client.post(
        "/account/two-factor/", {"action": "confirm", "code": code_at(key, time.time())}
    )
    assert response.status_code in (200, 302), response.status_code
    codes = RECOVERY.findall(response.content.decode())
    sign_out(client)
    return key, codes
