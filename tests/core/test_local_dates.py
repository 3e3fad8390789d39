"""Every "today" in the apps is the site's local date (``timezone.localdate()``, TIME_ZONE
Europe/London), never the machine's clock read without a time zone: a deadline, an overdue
action or a report's "as at" date must not move by a day when the server runs on UTC."""

from __future__ import annotations

import re
from pathlib import Path

SAFERSTAT = Path(__file__).resolve().parents[2] / "saferstat"
NAIVE_TODAY = re.compile(r"\bdate\.today\(\)|\bdatetime\.now\(\)")


def test_no_app_reads_a_naive_today():
    offenders = [
        f"{path.relative_to(SAFERSTAT).as_posix()}:{number}"
        for path in sorted(SAFERSTAT.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAIVE_TODAY.search(line)
    ]
    assert offenders == [], "use django.utils.timezone.localdate() / timezone.now()"
