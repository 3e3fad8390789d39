"""Journey 6 (DESIGN.md section 6): the analyst starts the annual report and writes the
foreword, the admin checks and publishes it, and an anonymous visitor reads it (with the
sensitive count hidden); axe-core on the report page, the list, the narrative form, the
publishing check and the public archive."""

from __future__ import annotations

import pytest

from saferstat.plan.models import Priority
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world


@pytest.mark.django_db(transaction=True)
def test_build_preview_publish_and_read_a_report(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    lead = make_member(rotherham, "lead", username="lead")
    analyst = make_member(rotherham, "analyst", username="ana")
    admin = make_member(rotherham, "admin", username="adm")
    plan = plan_world(rotherham, admin=admin, analyst=analyst, lead=lead, other_lead=None, value=5)
    Priority.objects.filter(pk=plan["first"].pk).update(name="Child sexual exploitation")
    build_governance(rotherham, admin)
    base = f"{live_server.url}/p/rotherham/reports/"

    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(base)
    page.get_by_label("Kind of report").select_option("quarterly")
    page.get_by_label("Period").fill("2024/25-Q1")
    page.get_by_role("button", name="Start the report").click()
    page.get_by_text("The report was started.").wait_for()
    report_url = page.url
    table = page.locator("#table-indicators-missing")
    assert "5" in table.inner_text()  # the analyst sees the true value

    sign_in(page, live_server, "adm", PASSWORD)
    page.goto(report_url)
    # A report is published as a built version: build one first (the task worker runs it).
    page.get_by_role("link", name="Versions: build a new one").click()
    page.get_by_role("button", name="Build a new version").click()
    page.locator("#version-progress .govuk-tag--green").wait_for()
    page.goto(report_url)
    page.get_by_role("link", name="Check and publish version 1").click()
    publish_url = page.url
    assert "Child sexual exploitation" in page.locator("#suppressions").inner_text()
    page.get_by_role("button", name="Publish version 1").click()
    page.get_by_text("Version 1 is published").wait_for()

    page.context.clear_cookies()
    page.goto(report_url)
    assert (
        "(hidden by disclosure control)" in page.locator("#table-indicators-missing").inner_text()
    )
    page.goto(f"{base}published/")
    assert "2024/25-Q1" in page.inner_text("main")

    for url in [report_url, f"{base}published/"]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    sign_in(axe_page, live_server, "adm", PASSWORD)
    for url in [base, publish_url, report_url]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
