"""Optional two-factor sign-in (TOTP): the algorithm, turning it on, signing in, replay."""

from __future__ import annotations

import time

import pytest

from saferstat.core import twofactor
from saferstat.core.models import AuditEvent, TwoFactorDevice
from tests.django_fixtures import PASSWORD

# RFC 6238 appendix B test vectors (SHA-1, 8 digits) for the ASCII secret "12345678901234567890".
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
               (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]  # fmt: skip


@pytest.mark.parametrize("at,code", RFC_VECTORS)
def test_totp_matches_the_rfc_test_vectors(at, code):
    assert twofactor.totp(RFC_SECRET, at, digits=8) == code


def test_codes_within_one_step_are_accepted_and_others_not():
    secret = twofactor.new_secret()
    now = 1_800_000_000
    assert (
        twofactor.matching_step(secret, twofactor.totp(secret, now - 30), now=now)
        == (now - 30) // 30
    )
    assert twofactor.matching_step(secret, twofactor.totp(secret, now - 90), now=now) is None
    assert twofactor.matching_step(secret, "12345", now=now) is None
    assert twofactor.matching_step(secret, "abcdef", now=now) is None


def enable(client, user) -> str:
    client.force_login(user)
    client.post("/account/two-factor/", {"action": "start"})
    secret = TwoFactorDevice.objects.get(user=user).secret
    response = client.post(
        "/account/two-factor/", {"action": "confirm", "code": twofactor.totp(secret, time.time())}
    )
    assert response.status_code == 302
    client.logout()
    return secret


@pytest.mark.django_db
def test_analyst_turns_it_on_and_then_needs_a_code(client, rotherham, members):
    secret = enable(client, members["analyst"])
    assert AuditEvent.objects.filter(verb="two_factor.enable").exists()
    response = client.post("/sign-in/", {"username": "rotherham-analyst", "password": PASSWORD})
    assert response["Location"] == "/sign-in/code/"
    assert client.get("/p/rotherham/").status_code == 302  # not signed in yet
    assert client.post("/sign-in/code/", {"code": "000000"}).status_code == 400
    # The confirming code's time step is used up; the next step's code (within the window) works.
    code = twofactor.totp(secret, time.time() + 30)
    assert client.post("/sign-in/code/", {"code": code}).status_code == 302
    assert client.get("/p/rotherham/").status_code == 200
    # The same code cannot be used again (replay).
    client.logout()
    client.post("/sign-in/", {"username": "rotherham-analyst", "password": PASSWORD})
    assert client.post("/sign-in/code/", {"code": code}).status_code == 400


@pytest.mark.django_db
def test_five_wrong_codes_end_the_attempt(client, rotherham, members):
    enable(client, members["admin"])
    client.post("/sign-in/", {"username": "rotherham-admin", "password": PASSWORD})
    for _ in range(4):
        assert client.post("/sign-in/code/", {"code": "000000"}).status_code == 400
    assert client.post("/sign-in/code/", {"code": "000000"})["Location"] == "/sign-in/"
    assert client.get("/sign-in/code/")["Location"] == "/sign-in/"


@pytest.mark.django_db
def test_only_admins_and_analysts_may_turn_it_on(client, rotherham, members):
    client.force_login(members["board"])
    response = client.post("/account/two-factor/", {"action": "start"})
    assert response.status_code == 400
    assert not TwoFactorDevice.objects.exists()


@pytest.mark.django_db
def test_turning_off_needs_a_code_and_is_refused_when_required(
    client, rotherham, members, settings
):
    secret = enable(client, members["analyst"])
    client.force_login(members["analyst"])
    assert (
        client.post("/account/two-factor/", {"action": "disable", "code": "000000"}).status_code
        == 400
    )
    settings.SAFERSTAT_REQUIRE_2FA = True
    later = twofactor.totp(secret, time.time() + 30)
    assert (
        client.post("/account/two-factor/", {"action": "disable", "code": later}).status_code == 400
    )
    settings.SAFERSTAT_REQUIRE_2FA = False
    assert (
        client.post("/account/two-factor/", {"action": "disable", "code": later}).status_code == 302
    )
    assert not TwoFactorDevice.objects.exists()


@pytest.mark.django_db
def test_required_two_factor_sends_a_new_analyst_to_set_it_up(client, rotherham, members, settings):
    settings.SAFERSTAT_REQUIRE_2FA = True
    response = client.post("/sign-in/", {"username": "rotherham-analyst", "password": PASSWORD})
    assert response["Location"] == "/account/two-factor/"
    board = client.post("/sign-in/", {"username": "rotherham-board", "password": PASSWORD})
    assert board["Location"] != "/account/two-factor/"
