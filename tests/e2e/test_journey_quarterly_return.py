"""Journey 4 (DESIGN.md section 6): a lead submits a quarter, the analyst returns it with a
comment, the lead corrects and resubmits, the analyst approves, the Board dashboard shows the
value with its SPC verdict in words; axe-core on every page of the journey (the lead's page,
the return form, the analyst's late returns and decision form, the dashboard and its one-page
summary)."""

from __future__ import annotations

import pytest

from saferstat.performance.models import ReturnEvent
from saferstat.performance.selectors import indicator_rows
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.performance.factories import plan_world


@pytest.mark.django_db(transaction=True)
def test_a_quarterly_return_from_lead_to_board(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    lead = make_member(rotherham, "lead", username="lead")
    analyst = make_member(rotherham, "analyst", username="ana")
    make_member(rotherham, "board", username="board")
    admin = make_member(rotherham, "admin", username="adm")
    plan = plan_world(rotherham, admin=admin, analyst=analyst, lead=lead, other_lead=None)

    # The lead sees what they owe and submits 2024/25-Q2.
    sign_in(page, live_server, "lead", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/performance/mine/")
    owed = page.locator("#owed")
    assert "Missing and exploited children" in owed.inner_text() and "Late" in owed.inner_text()
    owed.get_by_role("link", name="2024/25-Q2").click()
    page.get_by_label("Repeat missing children", exact=True).fill("12")
    page.get_by_label("Found within a day (%)", exact=True).fill("71")
    page.get_by_label("Commentary for the Board").fill("Fewer repeat episodes this quarter.")
    page.get_by_role("button", name="Submit to the analyst").click()
    page.get_by_text("Return submitted to the analyst.").wait_for()
    return_url = page.url

    # The analyst's pages pass axe-core while the return awaits a decision.
    sign_in(axe_page, live_server, "ana", PASSWORD)
    for url in [f"{live_server.url}/p/rotherham/performance/late/", return_url]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    assert axe_page.get_by_label("Comment to the lead").count() == 1  # the decision form

    # The analyst returns it with a comment.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/performance/late/")
    page.locator("#awaiting").get_by_role("link").first.click()
    page.get_by_label("Comment to the lead").fill("12 looks low: please check the police figure.")
    page.get_by_role("button", name="Return to the lead").click()
    page.get_by_text("Return sent back to the lead").wait_for()

    # The lead corrects and resubmits.
    sign_in(page, live_server, "lead", PASSWORD)
    page.goto(return_url)
    assert "12 looks low" in page.locator("#decision-comment").inner_text()
    page.get_by_label("Repeat missing children", exact=True).fill("42")
    page.get_by_role("button", name="Submit to the analyst").click()
    page.get_by_text("Return submitted to the analyst.").wait_for()

    # The analyst approves.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(return_url)
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Return approved").wait_for()
    assert "Approved" in page.locator("#return-status").inner_text()
    # Every step is in the return's history, the comment with the step that sent it back.
    q2 = ReturnEvent.objects.filter(ret__priority__key="missing", ret__period__label="2024/25-Q2")
    steps = list(q2.values_list("kind", "comment"))
    assert [k for k, _ in steps] == ["submit", "return", "submit", "approve"]
    assert "12 looks low" in steps[1][1]

    # The Board dashboard shows it, with the words and the rule.
    sign_in(page, live_server, "board", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/performance/?period=2024%2F25-Q2")
    card = page.locator("#indicator-missing-repeat")
    assert "42" in card.locator(".saferstat-latest").inner_text()
    assert "Approved" in card.inner_text()
    assert "Fewer repeat episodes" in card.inner_text()
    # The SPC verdict in words, as the verdict service gives it for the approved series
    # (40 in Q1, 42 in Q2, target 50, lower is better), and the RAG from the written rule.
    row = next(
        r
        for r in indicator_rows(partnership=rotherham, period=plan["periods"]["2024/25-Q2"])
        if r.indicator.code == "missing-repeat"
    )
    assert [p.value for p in row.points] == [40, 42]
    text = card.inner_text()
    assert row.verdict.variation_words and row.verdict.variation_words in text
    assert row.verdict.assurance_words and row.verdict.assurance_words in text
    assert row.verdict.rag_reason in text
    assert "Raw percentage changes never set the colour" in page.locator("#rag-rule").inner_text()
    image = card.get_by_role("img")
    image.scroll_into_view_if_needed()  # the charts load lazily, as they come into view
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert not [e for e in page.console_errors if "Content Security Policy" in e], "\n".join(
        page.console_errors
    )

    sign_in(axe_page, live_server, "lead", PASSWORD)
    for url in [
        f"{live_server.url}/p/rotherham/performance/?period=2024%2F25-Q2",
        f"{live_server.url}/p/rotherham/performance/summary/?period=2024%2F25-Q2",
        f"{live_server.url}/p/rotherham/performance/mine/",
        return_url,
    ]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    # The form itself, as the lead sees it (the Q3 return is still to be entered).
    axe_page.goto(f"{live_server.url}/p/rotherham/performance/mine/")
    axe_page.locator("#owed").get_by_role("link", name="2024/25-Q3").click()
    axe_page.get_by_label("Repeat missing children", exact=True).wait_for()
    assert axe_violations(axe_page) == []
