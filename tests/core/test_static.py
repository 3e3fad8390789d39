"""The static files build as production serves them (hashed names, compressed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_with_the_production_storage(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SAFERSTAT_SKIP_DOTENV": "1",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = f"import django, sys; from django.conf import settings; django.setup(); settings.STATIC_ROOT = {str(tmp_path / 'static')!r}; from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/govuk/govuk-frontend.min.css" in manifest
    css = next(
        (tmp_path / "static" / "vendor" / "govuk").glob("govuk-frontend.min.*.css")
    ).read_text()
    assert "GDS Transport" not in css and "govuk-crest" not in css
