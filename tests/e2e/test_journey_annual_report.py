"""The annual report over real HTTP: an admin starts the 2024/25 annual report, builds a
version (the task worker runs it), previews it as the public will see it, checks every
suppression and publishes it; then an anonymous visitor reads the published report, finds
it in the archive and downloads its PDF. The small count of a domestic abuse project (3
positive completions) is hidden from the public. axe-core runs on every page visited."""

from __future__ import annotations

import pytest

from saferstat.plan.models import Priority
from tests.delivery.factories import delivery_world
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world

HIDDEN = "(hidden by disclosure control)"


@pytest.mark.django_db(transaction=True)
def test_an_admin_publishes_the_annual_report_and_a_visitor_reads_it_and_its_pdf(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    lead = make_member(rotherham, "lead", username="lead")
    analyst = make_member(rotherham, "analyst", username="ana")
    admin = make_member(rotherham, "admin", username="adm")
    plan = plan_world(rotherham, admin=admin, analyst=analyst, lead=lead, other_lead=None, value=5)
    Priority.objects.filter(pk=plan["first"].pk).update(name="Tackling domestic abuse")
    build_governance(rotherham, admin)
    world = delivery_world(rotherham, admin=admin, analyst=analyst, lead=lead)
    project_table = f"#table-project-{world['project'].pk}"
    base = f"{live_server.url}/p/rotherham/reports/"
    member_pages: list[str] = []
    public_pages: list[str] = []

    # The admin starts the report: with no version built yet it is a preview.
    sign_in(page, live_server, "adm", PASSWORD)
    page.goto(base)
    member_pages.append(page.url)
    page.get_by_label("Kind of report").select_option("annual")
    page.get_by_label("Period").fill("2024/25")
    page.get_by_role("button", name="Start the report").click()
    page.get_by_text("The report was started.").wait_for()
    report_url = page.url.split("?")[0]
    assert "Preview: no version is built yet" in page.inner_text("main")

    # Build version 1 (the task worker runs it) and read it.
    page.get_by_role("link", name="Versions: build a new one").click()
    member_pages.append(page.url)
    page.get_by_role("button", name="Build a new version").click()
    page.get_by_text("Version 1 is being built.").wait_for()
    page.locator("#version-progress .govuk-tag--green").wait_for()
    member_pages.append(page.url)
    page.get_by_role("link", name="Read version 1").click()
    member_pages.append(page.url)
    # The admin sees the true values: 3 completions.
    completions = page.locator(project_table).get_by_role("row", name="Positive completions")
    assert completions.locator("td").first.inner_text().startswith("3")
    assert "New campaign tackles hate" in page.inner_text("#section-communications")

    # Preview as the public will see it: the small count is hidden.
    page.get_by_role("link", name="Preview as the public will see it").click()
    member_pages.append(page.url)
    completions = page.locator(project_table).get_by_role("row", name="Positive completions")
    assert HIDDEN in completions.locator("td").first.inner_text()

    # Check every suppression, then publish.
    page.goto(report_url)
    page.get_by_role("link", name="Check and publish version 1").click()
    member_pages.append(page.url)
    assert "Positive completions" in page.locator("#suppressions").inner_text()
    page.get_by_role("button", name="Publish version 1").click()
    page.get_by_text("Version 1 is published and open to the public.").wait_for()
    member_pages.append(page.url)

    # An anonymous visitor reads the published report, with the count hidden ...
    page.context.clear_cookies()
    page.goto(report_url)
    public_pages.append(page.url)
    assert "the published version" in page.inner_text("#version-line")
    cell = page.locator(project_table).get_by_role("row", name="Positive completions")
    shown = cell.locator("td").first.inner_text()
    assert shown.startswith("*") and HIDDEN in shown
    assert "Write the narrative" not in page.inner_text("main")
    # ... finds it in the archive ...
    page.goto(f"{base}published/")
    public_pages.append(page.url)
    page.get_by_role("link", name="Annual report 2024/25").first.wait_for()
    # ... and downloads its PDF (as an anonymous visitor: the public version).
    page.goto(report_url)
    href = page.get_by_role("link", name="The report as a PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    for url in public_pages:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    sign_in(axe_page, live_server, "adm", PASSWORD)
    for url in member_pages:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
