"""scripts/smoke.py (`make smoke`, run by .ci/run) fails loudly: without a reachable
PostgreSQL it exits non-zero at once, saying how to start one, and leaves no folder behind."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_smoke_fails_without_postgresql(tmp_path):
    before = set(Path(tempfile.gettempdir()).glob("saferstat-smoke-*"))
    result = subprocess.run(
        [sys.executable, "scripts/smoke.py"],
        cwd=ROOT,
        env={
            **os.environ,
            "SAFERSTAT_SMOKE_POSTGRES_URL": "postgresql://nobody:secret@127.0.0.1:1/none",
            "TMPDIR": tempfile.gettempdir(),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot reach PostgreSQL" in result.stderr
    assert "secret" not in result.stdout + result.stderr  # the password is not printed
    assert "FAILED" in result.stderr
    assert set(Path(tempfile.gettempdir()).glob("saferstat-smoke-*")) == before
