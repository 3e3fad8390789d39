"""Structured logs: with SAFERSTAT_LOG_FORMAT=json every log line is one JSON object, and every
line written while answering a request carries that request's id: the proxy's X-Request-ID
when it is well-formed, else a new one; the answer carries it back. Each request ends with
one access line."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import subprocess
import sys

import pytest

from config.settings.base import BASE_DIR, logging_config
from saferstat.core.logfilters import current_request_id, request_id_from


@pytest.fixture
def log_lines():
    """Configure logging as the base settings do in the given format, writing to a buffer;
    put the test settings' logging back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()

    def configure(log_format: str) -> io.StringIO:
        config = logging_config(log_format)
        config["handlers"]["console"]["stream"] = stream
        logging.config.dictConfig(config)
        return stream

    yield configure
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_the_proxys_id_is_kept_and_a_bad_or_missing_one_replaced():
    assert request_id_from("4f1c2a9e0b7d4c3a8e6f5d4c3b2a1908") == "4f1c2a9e0b7d4c3a8e6f5d4c3b2a1908"
    assert request_id_from("Root=1-67891233-abcdef012345678912345678") == (
        "Root=1-67891233-abcdef012345678912345678"
    )
    for bad in (None, "", "two words", "x\nINFO forged line", "é", "a" * 129):
        made = request_id_from(bad)
        assert re.fullmatch(r"[0-9a-f]{32}", made), bad
    assert request_id_from(None) != request_id_from(None)


@pytest.mark.django_db
def test_every_json_line_of_a_request_carries_its_id(client, log_lines, rotherham, members):
    stream = log_lines("json")
    logging.getLogger("saferstat.test").warning("before any request")
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-1")
    assert response.status_code == 404 and response["X-Request-ID"] == "proxy-id-1"
    client.force_login(members["scrutiny"])
    refused = client.get("/p/rotherham/audit/")  # 403: django.request logs it
    assert refused.status_code == 403
    made = refused["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    logging.getLogger("saferstat.test").warning("after them")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_id: dict[object, list[dict]] = {}
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line)
        by_id.setdefault(line["request_id"], []).append(line)
    assert [x["message"] for x in by_id[None]] == ["before any request", "after them"]
    first = {(x["logger"], x["message"]) for x in by_id["proxy-id-1"]}
    assert ("django.request", "Not Found: /no-such-page/") in first
    assert any(
        x["logger"] == "saferstat.access" and x["status"] == 404 and x["path"] == "/no-such-page/"
        for x in by_id["proxy-id-1"]
    )
    second = by_id[made]
    assert {x["logger"] for x in second} == {"django.request", "saferstat.access"}
    refusal = next(x for x in second if x["logger"] == "django.request")
    assert refusal["status_code"] == 403 and "exc_info" not in refusal  # one line, no traceback
    assert "request" not in refusal  # Django's request object is not dumped into the log
    assert set(by_id) == {None, "proxy-id-1", made}
    assert current_request_id.get() is None  # nothing leaks into what runs next


@pytest.mark.django_db
def test_text_lines_carry_the_id_too(client, log_lines):
    stream = log_lines("text")
    response = client.get("/glossary/", HTTP_X_REQUEST_ID="text-id-7")
    assert response["X-Request-ID"] == "text-id-7"
    logging.getLogger("saferstat.test").warning("outside")
    lines = stream.getvalue().splitlines()
    assert "INFO saferstat.access [text-id-7] GET /glossary/ 200" in lines[0]
    assert lines[-1] == "WARNING saferstat.test [-] outside"


def test_the_format_comes_from_the_environment_and_a_wrong_one_is_refused():
    """SAFERSTAT_LOG_FORMAT=json makes the real settings write JSON lines; anything but text
    or json stops the app from starting."""
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('saferstat.x').warning('hello %s', 'there')"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
        "SAFERSTAT_SKIP_DOTENV": "1",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    ran = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SAFERSTAT_LOG_FORMAT": "json"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    line = json.loads(ran.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello there" and line["logger"] == "saferstat.x"
    assert line["level"] == "WARNING" and line["request_id"] is None
    wrong = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SAFERSTAT_LOG_FORMAT": "xml"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode != 0 and "SAFERSTAT_LOG_FORMAT must be text or json" in wrong.stderr
