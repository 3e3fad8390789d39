"""A refused page (403) or a missing one (404) is one line in the log, without a traceback;
a server error keeps its traceback."""

from __future__ import annotations

import logging
import sys

import pytest

from saferstat.core.logfilters import ClientErrorsInOneLine


def _record(status: int) -> logging.LogRecord:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), info)
    record.status_code = status
    return record


@pytest.mark.parametrize("status, keeps", [(403, False), (404, False), (500, True)])
def test_client_errors_lose_their_traceback(status, keeps):
    record = _record(status)
    assert ClientErrorsInOneLine().filter(record)
    assert (record.exc_info is not None) is keeps


def test_the_console_handler_uses_the_filter():
    """The base settings (which the demo and production use; the tests' own settings keep
    the log quiet) wire the filter to the handler that writes the log."""
    from config.settings import base

    handler = base.LOGGING["handlers"]["console"]
    assert "client_errors_in_one_line" in handler["filters"]
    configured = base.LOGGING["filters"]["client_errors_in_one_line"]["()"]
    assert configured == "saferstat.core.logfilters.ClientErrorsInOneLine"


def test_the_logging_configuration_loads_before_the_apps(tmp_path):
    """Django configures logging before it loads the apps: the filter's module must import
    without them (a `manage.py` command with the base settings proves it)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "SECRET_KEY": "x" * 50}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
