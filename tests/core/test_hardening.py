"""Deployment hardening: Django's deploy checks, security headers, no inline scripts, sign-in
throttling, password rules and session expiry (see docs/security.md)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from tests.django_fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "saferstat" / "templates",
    *sorted((ROOT / "saferstat").glob("*/templates")),
]
# Environment variables that would weaken production settings if they leaked in from the
# test run (config.settings.test sets SECURE_COOKIES=0, for one).
WEAKENING = {
    "DEBUG",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
}


# ------------------------------------------------------------------------ check --deploy


def run_deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in WEAKENING}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SAFERSTAT_SKIP_DOTENV="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="saferstat.example.org",
        **overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_with_production_settings():
    result = run_deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_checks_would_catch_a_weakened_setting():
    """The check above means something: turning HSTS off makes it fail."""
    result = run_deploy_check(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_the_gunicorn_configuration_loads_with_sync_workers():
    env = {k: v for k, v in os.environ.items() if k not in WEAKENING | {"WEB_CONCURRENCY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SAFERSTAT_SKIP_DOTENV="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="saferstat.example.org",
    )
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    check = subprocess.run(
        [*gunicorn, "--check-config", "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    printed = subprocess.run(
        [*gunicorn, "--print-config", "config.wsgi"],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "5"},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert re.search(r"^worker_class\s*=\s*sync$", printed, re.M)
    assert re.search(r"^workers\s*=\s*5$", printed, re.M)


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in WEAKENING | {"SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SAFERSTAT_SKIP_DOTENV="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


# ------------------------------------------------------------------------------ headers


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/sign-in/", "/p/rotherham/", "/no-such-page/"])
def test_responses_carry_the_security_headers(client, members, path):
    client.force_login(members["analyst"])
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = csp_directives(response["Content-Security-Policy"])
    scripts = csp.get("script-src", csp["default-src"])
    assert scripts == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "default-src", "style-src"):
        assert "'unsafe-inline'" not in csp.get(directive, [])
        assert "'unsafe-eval'" not in csp.get(directive, [])
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


# ------------------------------------------------------------------------- no inline JS

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
DATA_SCRIPT = re.compile(r"""type\s*=\s*["']?application/(ld\+)?json""", re.I)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
HANDLER = re.compile(r"""[\s"'/](on[a-z]+|hx-on[^\s=>]*)\s*=""", re.I)


def templates() -> list[Path]:
    found = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))
    assert found, "no templates found"
    return found


def inline_script_problems(text: str) -> list[str]:
    problems = []
    for match in SCRIPT.finditer(text):
        attributes, body = match.groups()
        if body.strip() and not DATA_SCRIPT.search(attributes):
            problems.append(f"inline <script> body: {body.strip()[:60]!r}")
    for tag in TAG.finditer(text):
        handler = HANDLER.search(tag.group())
        if handler:
            problems.append(f"event handler attribute {handler.group(1)!r} in {tag.group()[:80]!r}")
    if "javascript:" in text.lower():
        problems.append("javascript: URL")
    return problems


def test_the_template_scanner_finds_inline_scripts():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<button type="button" onclick="go()">x</button>')
    assert inline_script_problems("<body onload='x()'>")
    assert inline_script_problems('<div hx-on:click="x()">')
    assert inline_script_problems('<a href="javascript:void(0)">')
    assert not inline_script_problems('<script src="/static/app.js" defer></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<form action="/x" novalidate><p>Act on this.</p></form>')


@pytest.mark.parametrize("template", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_event_handlers(template):
    assert inline_script_problems(template.read_text(encoding="utf-8")) == []


# ----------------------------------------------------------------------- sign-in throttle


def sign_in(client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        "/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_sign_in_is_locked_after_the_failure_limit_even_with_the_right_password(
    client, rotherham, make_member, settings
):
    user = make_member(rotherham, "analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, user.username, "not-the-password")
        assert response.status_code == 200  # the form again, with its error
    locked = sign_in(client, user.username, "not-the-password")
    assert locked.status_code == 429

    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert "Try again in 30 minutes" in page
    assert '<html lang="en-GB"' in page  # the friendly page, within the site's layout
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_lockout_is_per_account_and_address(client, rotherham, make_member, settings):
    victim = make_member(rotherham, "analyst")
    colleague = make_member(rotherham, "lead")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, victim.username, "guess", address="198.51.100.7")
    assert sign_in(client, victim.username, PASSWORD, address="198.51.100.7").status_code == 429
    # A colleague at the same address, and the victim from their own office, still get in.
    assert sign_in(client, colleague.username, PASSWORD, address="198.51.100.7").status_code == 302
    client.logout()
    assert sign_in(client, victim.username, PASSWORD, address="203.0.113.20").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failure_count(client, rotherham, make_member, settings):
    user = make_member(rotherham, "analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.username, "guess")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.username, "guess").status_code == 200


def test_client_address_behind_a_proxy_is_the_one_the_proxy_appended(settings):
    from saferstat.core.security import client_ip_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    settings.SAFERSTAT_TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"  # not behind a proxy: the header is ignored
    settings.SAFERSTAT_TRUSTED_PROXY_COUNT = 1
    settings.SAFERSTAT_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip_address(request) == "203.0.113.9"  # not the spoofable left-most entry
    assert client_ip_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    # Two proxies (a CDN, then ours): the entry our proxy's upstream, the CDN, appended.
    settings.SAFERSTAT_TRUSTED_PROXY_COUNT = 2
    assert client_ip_address(request) == "1.2.3.4"
    one_hop = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip_address(one_hop) == "10.0.0.2"  # a hop skipped: nothing in it is trusted
    # From an address that is not a trusted proxy the header is the client's own invention.
    settings.SAFERSTAT_TRUSTED_PROXY_COUNT = 1
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.3", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip_address(direct) == "198.51.100.3"
    settings.SAFERSTAT_TRUSTED_PROXIES = ["*"]
    assert client_ip_address(direct) == "1.2.3.4"


# ----------------------------------------------------------------------- passwords, sessions


@pytest.mark.parametrize(
    "password",
    ["short-1", "password1234", "123456789012345", "qwertyuiop123"],
    ids=["too short", "common", "all digits", "common keyboard walk"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_a_password_like_the_username_is_refused(rotherham, make_member):
    user = make_member(rotherham, "analyst", username="jane.analyst.rotherham")
    with pytest.raises(ValidationError):
        validate_password("jane.analyst.rotherham", user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("correct horse battery staple")


def test_session_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


@pytest.mark.django_db
def test_a_session_ends_with_the_browser_and_after_eight_hours(client, rotherham, make_member):
    user = make_member(rotherham, "analyst")
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]  # gone when the browser closes
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    expiry = client.session.get_expiry_date()
    assert abs(expiry - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
