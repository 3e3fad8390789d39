"""The demo's own annual report (`make demo`'s records and the 2024/25 police.uk months):
built from the records, and its public annex publishes no sensitive count from 1 to 7."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from saferstat.core.demo import demo_install
from saferstat.reports import render
from saferstat.reports.models import Report
from saferstat.reports.services import version_execute


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_annual_report_publishes_no_small_sensitive_count(overview_warehouse):
    demo_install()
    for command in (
        "demo_governance",
        "demo_casereviews",
        "demo_plan_performance",
        "demo_delivery",
        "demo_reports",  # starts the 2024/25 annual report and queues its build
    ):
        call_command(command, stdout=io.StringIO())
    report = Report.objects.get(partnership__slug="rotherham", kind="annual", period="2024/25")
    queued = report.versions.get()
    # The worker's task runs after the demo's transaction commits (never inside a test's):
    # run it here as the worker would.
    version = version_execute(version_id=queued.pk)
    assert version.status == "built", version.status
    keys = [s["key"] for s in version.public_sections]
    for key in ("communications", "projects", "attendance", "case-reviews", "contacts"):
        assert key in keys
    annex = render.annex(report, version.public_sections, "csv", version).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(annex)))
    sensitive = [r for r in rows if r["sensitive"] == "TRUE" and r["unit"] == "count"]
    assert sensitive, "the demo report has sensitive counts to control"
    for row in sensitive:
        value = row["value"]
        assert value in ("*", "", "0") or int(float(value)) > 7, row
