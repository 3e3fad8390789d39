"""Journey 2 (DESIGN.md section 6): a councillor asks "is knife crime going up, and how do we
compare with Barnsley?"; the analyst answers with a chart, an SPC verdict and a rate
comparison saved to the member's request; the explorer passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in


@pytest.mark.django_db(transaction=True)
def test_councillor_question_answered_from_the_explorer(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    make_member(rotherham, "scrutiny", username="cllr")
    make_member(rotherham, "analyst", username="ana")

    # The councillor raises the question.
    sign_in(page, live_server, "cllr", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/requests/")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Your question").fill(
        "Is knife crime going up, and how do we compare with Barnsley?"
    )
    page.get_by_label("When do you need the answer?").fill(
        (dt.date.today() + dt.timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name="Send the question").click()
    page.get_by_text("Your data request was sent").wait_for()
    request_url = page.url

    # The analyst answers: trend with SPC, then the comparison, saved to the request.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/explore/")
    page.get_by_label("Possession of weapons").check()
    page.get_by_label("First month").fill("2024-04")
    page.get_by_label("Last month").fill("2025-03")
    page.get_by_role("button", name="Show").click()
    assert "SPC verdict" in page.locator(".saferstat-verdict").first.inner_text()
    assert page.locator("#result-table tbody tr").count() == 12
    page.get_by_label("Comparison with other areas").check()
    page.get_by_label("Period (other views)").fill("2024/25")
    page.get_by_label("Compare with (local authority codes)").fill("E08000038")
    page.get_by_role("button", name="Show").click()
    assert "group rate" in page.locator(".saferstat-verdict").inner_text()
    assert "Barnsley" in page.locator("#result-table").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of this table").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_label("Title").fill("Weapons possession: Rotherham against Barnsley, 2024/25")
    page.get_by_role("button", name="Save to request").click()
    page.get_by_text("The view was saved to the request.").wait_for()
    page.get_by_label("Written answer").fill(
        "Weapons possession in Rotherham shows common-cause variation; the rate is below the group rate."
    )
    page.get_by_role("button", name="Save answer").click()
    assert "Answered" in page.locator("#request-status").inner_text()

    # The councillor sees the answer and opens the evidence.
    sign_in(page, live_server, "cllr", PASSWORD)
    page.goto(request_url)
    assert "common-cause variation" in page.locator("#answer").inner_text()
    page.get_by_role("link", name="Weapons possession: Rotherham against Barnsley, 2024/25").click()
    assert "Barnsley" in page.locator("#result-table").inner_text()
    assert not [e for e in page.console_errors if "Content Security Policy" in e], "\n".join(
        page.console_errors
    )

    sign_in(axe_page, live_server, "ana", PASSWORD)
    axe_page.goto(
        f"{live_server.url}/p/rotherham/explore/?view=compare&period=2024%2F25&crime_type=Possession+of+weapons"
    )
    assert axe_violations(axe_page) == []
    axe_page.goto(request_url)
    assert axe_violations(axe_page) == []
