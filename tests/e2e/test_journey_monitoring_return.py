"""A project's monitoring return from submission to approval, and onto the "what did the
money achieve" page; axe-core on every delivery page."""

from __future__ import annotations

import pytest

from tests.delivery.factories import delivery_world
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_monitoring_return_from_project_lead_to_the_outcome_page(
    page, axe_page, live_server, rotherham, make_member
):
    lead = make_member(rotherham, "lead", username="lead")
    analyst = make_member(rotherham, "analyst", username="ana")
    make_member(rotherham, "scrutiny", username="scrutiny")
    admin = make_member(rotherham, "admin", username="adm")
    world = delivery_world(rotherham, admin=admin, analyst=analyst, lead=lead)
    stream_url = f"{live_server.url}/p/rotherham/delivery/streams/{world['stream'].pk}/"

    # The project lead sees the return they owe and submits 2024/25-Q3.
    sign_in(page, live_server, "lead", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/delivery/")
    page.locator("#owed").get_by_role("link", name="Perpetrator programme: 2024/25-Q3").click()
    page.get_by_label("Perpetrators referred (perpetrators)").fill("37")
    page.get_by_label("Positive completions (completions)").fill("4")
    page.get_by_label("Evidence for positive completions").fill("Four finished the course")
    page.get_by_label("Spend this quarter (£)").fill("6,250.50")
    page.get_by_label("Narrative for the funder").fill("Referrals rose after police training.")
    page.get_by_role("button", name="Submit to the analyst").click()
    page.get_by_text("Return submitted to the analyst.").wait_for()
    return_url = page.url

    # The analyst finds it waiting and approves it.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/delivery/late/")
    page.locator("#awaiting").get_by_role("link", name="2024/25-Q3 – Perpetrator programme").click()
    assert "£6,250.50" in page.locator("#spend-text").inner_text()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Return approved").wait_for()
    assert "Approved" in page.locator("#return-status").inner_text()

    # A scrutiny member asks what the £118,000 achieved.
    sign_in(page, live_server, "scrutiny", PASSWORD)
    page.goto(stream_url)
    page.get_by_role("link", name="What did £118,000 achieve?").click()
    assert page.get_by_role("heading", level=1).inner_text() == "What did the £118,000 achieve?"
    answer = page.locator("#answer").inner_text()
    assert "£20,000 was awarded to 1 project" in answer
    assert "£11,250.50 of spend" in answer  # Q1 £5,000 + Q3 £6,250.50, in pence
    section = page.locator(f"#project-{world['project'].pk}")
    assert "77" in section.inner_text()  # 40 (Q1) + 37 (Q3); Q2 is awaiting approval
    assert "Four finished the course" in section.inner_text()
    assert "2024/25-Q2: return submitted" in section.inner_text()  # a gap, shown as a gap

    sign_in(axe_page, live_server, "ana", PASSWORD)
    base = f"{live_server.url}/p/rotherham/delivery"
    for url in [
        f"{base}/",
        stream_url,
        f"{stream_url}achieved/",
        f"{base}/projects/",
        f"{base}/projects/{world['project'].pk}/",
        return_url,
        f"{base}/returns/{world['submitted'].pk}/",
        f"{base}/late/",
        f"{base}/communications/",
        f"{base}/engagement/",
    ]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    # The form itself, as the project lead sees it (Q4 is still to be entered).
    sign_in(axe_page, live_server, "lead", PASSWORD)
    owed = world["project"].returns.get(period__label="2024/25-Q4")
    axe_page.goto(f"{base}/returns/{owed.pk}/")
    axe_page.get_by_label("Spend this quarter (£)").wait_for()
    assert axe_violations(axe_page) == []
