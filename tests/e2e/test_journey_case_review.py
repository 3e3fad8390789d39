"""ASB case review journey: an application is recorded, its complaints added, the
threshold test shown with its reasons and confirmed, the review meeting arranged as a
governance meeting (the case a confidential item) and the review recorded, a
recommendation becomes an action of that meeting with an owner, the applicant is told; the year
is published and the public sees the figures, disclosure-controlled. A scrutiny member is
refused the case. axe-core on every new page."""

from __future__ import annotations

import pytest

from saferstat.governance import services as governance
from saferstat.governance.models import Action
from tests.casereviews.world import build
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in


@pytest.mark.django_db(transaction=True)
def test_application_to_published_figures(page, axe_page, live_server, rotherham, members):
    from tests.governance.world import build as build_governance

    gov = build_governance(rotherham, members["admin"])
    world = build(rotherham, members["admin"], published=False)
    governance.body_create(
        partnership=rotherham,
        by=members["admin"],
        name="ASB case review panel",
        kind="priority_group",
    )
    base = f"{live_server.url}/p/rotherham/case-reviews"

    sign_in(page, live_server, "rotherham-admin", PASSWORD)
    page.goto(f"{base}/")
    page.get_by_label("Date received").fill("2025-01-06")
    page.get_by_label("Victim", exact=True).check()
    page.get_by_label("Applicant's name").fill("Applicant J (invented)")
    page.get_by_role("button", name="Record the application").click()
    page.get_by_text("The application was recorded.").wait_for()
    for made in ("2024-08-01", "2024-10-01", "2024-12-20"):
        page.get_by_label("Date of the behaviour").fill(made)
        page.get_by_label("Date the complaint was made").fill(made)
        page.get_by_label("Made to").fill("Police")
        page.get_by_role("button", name="Add the complaint").click()
        page.get_by_text("Saved.").wait_for()
    assert (
        "Threshold met: 3 qualifying complaint(s) of 3" in page.locator("#threshold").inner_text()
    )
    page.get_by_label("Threshold met: hold a case review").check()
    page.get_by_label("Date of the decision").fill("2025-01-15")
    page.get_by_role("button", name="Record the decision").click()
    assert "Threshold met" in page.locator("#decision").inner_text()
    page.get_by_label("Body", exact=True).select_option(label="ASB case review panel")
    page.get_by_label("Date", exact=True).fill("2025-02-05")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Arrange the review meeting").click()
    page.get_by_text("Saved.").wait_for()
    assert "Due by" in page.locator("#review-deadline").inner_text()
    meeting_url = page.locator("#review-meeting a").first.get_attribute("href")
    assert page.get_by_label("Date of the review meeting").input_value() == "2025-02-05"
    page.get_by_label("Agencies at the review").fill("Police, council, housing")
    page.get_by_role("button", name="Record the review").click()
    page.get_by_label("Recommendation").fill("Fit a door camera for the applicant")
    page.get_by_label("Owner's role").fill("ASB Team Manager")
    page.get_by_label("Due date").fill("2025-03-31")
    page.get_by_role("button", name="Add the recommendation as an action").click()
    assert "ASB Team Manager" in page.locator("#recommendations").inner_text()
    case_url = page.url
    action = Action.objects.filter(title__contains="recommendation 1").latest("pk")
    assert "Applicant J" not in action.title
    assert action.meeting.body.name == "ASB case review panel"
    page.get_by_label("Date the outcome letter was sent").fill("2025-02-07")
    page.get_by_role("button", name="Record the outcome letter").click()
    assert "7 February 2025" in page.locator("#informed").inner_text()

    page.goto(f"{base}/figures/")
    page.get_by_label("Financial year").fill("2024/25")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("The year's figures are published.").wait_for()

    # The public: the figures, suppressed, no personal details.
    page.context.clear_cookies()
    page.goto(f"{base}/figures/")
    table = page.locator("#figures").inner_text()
    assert "2024/25" in table and "*" in table and "exactly" not in table
    assert "Applicant" not in page.content()

    # A scrutiny member is refused the case.
    sign_in(page, live_server, "rotherham-scrutiny", PASSWORD)
    response = page.goto(case_url)
    assert response.status == 403
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    sign_in(axe_page, live_server, "rotherham-admin", PASSWORD)
    for url in (
        f"{base}/",
        case_url,
        f"{base}/{world['application']}/",
        f"{base}/settings/",
        f"{base}/figures/",
        f"{base}/calls/",
        f"{base}/calls/{world['call']}/",
        f"{live_server.url}{meeting_url}",
        f"{base}/map/",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    assert gov["scrutiny"]
