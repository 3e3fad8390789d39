"""Attacks on sign-in over real HTTP: concurrent wrong codes on one sign-in, a forged
X-Forwarded-For per attempt, and one password sprayed across accounts.

The concurrency test runs the shipped gunicorn configuration (several worker processes,
each with its own database connection) on a copy of the test database; the others use the
live test server. All traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from tests.core.two_factor_helpers import KEY, code_at
from tests.django_fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WRONG = "That code is not right"


class Browser:
    """One person's browser: a cookie jar, CSRF tokens, no redirects followed."""

    def __init__(self, base: str, headers: dict[str, str] | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.headers = headers or {}

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = None
        if data is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), None)
            if token is None:
                self.request("/sign-in/")
                token = next(c.value for c in self.jar if c.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(
            self.base + path, data=body, headers={**self.headers, **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def sign_in(self, username: str, password: str = PASSWORD, headers: dict | None = None):
        return self.request(
            "/sign-in/", {"username": username, "password": password}, headers=headers
        )

    def enable_two_factor(self, username: str) -> str:
        self.sign_in(username)
        _, _, page = self.request("/account/two-factor/", {"action": "start"})
        key = KEY.search(page).group(1)
        status, _, _ = self.request(
            "/account/two-factor/", {"action": "confirm", "code": code_at(key, time.time())}
        )
        assert status in (200, 302)
        self.request("/sign-out/", {})
        return key


# ----------------------------------------------------------- concurrent codes, one sign-in


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_server(tmp_path: Path) -> str:
    """The test database, where another process can open it: the in-memory SQLite database
    copied to a file, or the PostgreSQL test database itself (its rows are committed)."""
    if connection.vendor == "sqlite":
        target = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    s = connection.settings_dict
    password = urllib.parse.quote(s["PASSWORD"] or "", safe="")
    return f"postgresql://{s['USER']}:{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def gunicorn(tmp_path, transactional_db, rotherham, members):
    port = free_port()
    env = {
        **os.environ,
        # The test settings (the users' passwords were hashed with their fast hasher).
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_server(tmp_path),
        "SAFERSTAT_SKIP_DOTENV": "1",
        "SECRET_KEY": "two-factor-http-test-key-0123456789-0123456789",
        "DEBUG": "1",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "SAFERSTAT_WAREHOUSE": str(tmp_path / "warehouse"),
        "SAFERSTAT_MEDIA_DIR": str(tmp_path / "media"),
        "SAFERSTAT_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "3",  # the production default on 2 cores
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "--preload",  # import once, then fork the workers: a faster start
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                with urllib.request.urlopen(base + "/sign-in/", timeout=30):
                    break
            except OSError:  # refused while it starts, or timed out while workers boot
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
def test_concurrent_wrong_codes_on_one_sign_in_check_at_most_the_limit(gunicorn, settings):
    browser = Browser(gunicorn)
    key = browser.enable_two_factor("rotherham-analyst")
    status, headers, _ = browser.sign_in("rotherham-analyst")
    assert status == 302 and headers["Location"] == "/sign-in/code/"
    wrong = next(c for c in ("000000", "111111", "222222") if c not in {
        code_at(key, time.time() + d * 30) for d in (-1, 0, 1, 2)})  # fmt: skip

    def attempt(_):
        return browser.request("/sign-in/code/", {"code": wrong})

    with ThreadPoolExecutor(max_workers=60) as pool:
        answers = list(pool.map(attempt, range(60)))
    checked = [a for a in answers if WRONG in a[2]]
    assert all(a[0] != 500 for a in answers), [a[0] for a in answers]
    print(f"{len(checked)} of 60 concurrent codes were checked")
    assert 1 <= len(checked) <= settings.AXES_FAILURE_LIMIT, len(checked)
    # The burst used up the account's attempts: the right code no longer signs in.
    status, _, _ = browser.request("/sign-in/code/", {"code": code_at(key, time.time() + 30)})
    assert status != 302 or browser.request("/p/rotherham/")[0] == 302
    assert browser.request("/p/rotherham/")[0] == 302


# ------------------------------------------------------- forged X-Forwarded-For, spraying


@pytest.fixture
def behind_proxy(settings):
    """BEHIND_TLS_PROXY=1 with one proxy in front (the live server's clients are 127.0.0.1)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SAFERSTAT_TRUSTED_PROXY_COUNT = 1
    return settings


@pytest.mark.django_db(transaction=True)
def test_a_forged_forwarded_address_per_attempt_does_not_dodge_the_lock(
    live_server, behind_proxy, rotherham, members
):
    """The app port is reachable directly (the proxy is elsewhere, at 192.0.2.1): whatever
    X-Forwarded-For the client invents, its failures count against its own address."""
    behind_proxy.SAFERSTAT_TRUSTED_PROXIES = ["192.0.2.1"]
    browser = Browser(live_server.url)
    statuses = []
    for attempt in range(20):
        forged = {"X-Forwarded-For": f"198.51.100.{attempt + 1}"}
        statuses.append(browser.sign_in("rotherham-analyst", "not-the-password", forged)[0])
    status, _, page = browser.sign_in(
        "rotherham-analyst", PASSWORD, {"X-Forwarded-For": "198.51.100.99"}
    )
    assert status == 429 and "Sign-in locked" in page
    assert statuses.count(429) >= 20 - behind_proxy.AXES_FAILURE_LIMIT


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_proxy_the_client_address_is_the_one_it_appended(
    live_server, behind_proxy, rotherham, members
):
    """The live server's 127.0.0.1 is the proxy: the last entry is the real client, so one
    client's lock does not lock the colleague the proxy reports at another address."""
    browser = Browser(live_server.url)
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        browser.sign_in("rotherham-analyst", "guess", {"X-Forwarded-For": "6.6.6.6, 198.51.100.7"})
    locked = browser.sign_in("rotherham-analyst", PASSWORD, {"X-Forwarded-For": "198.51.100.7"})
    assert locked[0] == 429
    colleague = Browser(live_server.url)
    status, headers, _ = colleague.sign_in(
        "rotherham-analyst", PASSWORD, {"X-Forwarded-For": "6.6.6.6, 203.0.113.20"}
    )
    assert status == 302 and headers["Location"] == "/"


@pytest.mark.django_db(transaction=True)
def test_one_password_sprayed_across_accounts_from_one_address_is_stopped(
    live_server, behind_proxy, rotherham, members, make_member
):
    limit = getattr(behind_proxy, "SAFERSTAT_ADDRESS_FAILURE_LIMIT", 30)
    assert 0 < limit <= 50
    browser = Browser(live_server.url, {"X-Forwarded-For": "198.51.100.50"})
    for n in range(limit - 1):
        assert browser.sign_in(f"officer-{n}", "Summer2024!")[0] == 200  # one try per account
    assert browser.sign_in("officer-last", "Summer2024!")[0] == 429  # the limit is reached
    # The same address now gets nowhere, even with a real account's right password...
    status, _, page = browser.sign_in("rotherham-lead", PASSWORD)
    assert status == 429 and "Sign-in locked" in page
    # ... while the same colleague from another address signs in.
    other = Browser(live_server.url, {"X-Forwarded-For": "203.0.113.5"})
    assert other.sign_in("rotherham-lead", PASSWORD)[0] == 302


@pytest.mark.django_db(transaction=True)
def test_guessing_one_account_from_many_addresses_is_stopped(
    live_server, behind_proxy, rotherham, members
):
    limit = getattr(behind_proxy, "SAFERSTAT_USERNAME_FAILURE_LIMIT", 20)
    assert 0 < limit <= 50
    for n in range(limit):  # a botnet: one guess from each address
        bot = Browser(live_server.url, {"X-Forwarded-For": f"198.51.100.{n + 1}"})
        assert bot.sign_in("rotherham-admin", f"guess-{n}")[0] == (200 if n < limit - 1 else 429)
    fresh = Browser(live_server.url, {"X-Forwarded-For": "203.0.113.77"})
    status, _, _ = fresh.sign_in("rotherham-admin", PASSWORD)
    assert status == 429, "the account is locked wherever the next try comes from"
    # Other accounts are not affected.
    assert fresh.sign_in("rotherham-analyst", PASSWORD)[0] == 302
