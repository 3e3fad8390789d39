"""Strategic assessment journey: a second scorer scores a candidate issue without seeing the
first's scores, then sees where they disagree; the analyst chooses it as a priority and
proposes the plan refresh; an admin reviews and applies it. axe-core on every new page."""

from __future__ import annotations

import datetime as dt

import pytest

from saferstat.plan.services import plan_upsert
from tests.assessment.world import build
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in

KEYS = ("harm_individual", "harm_community", "volume", "trend", "public_concern", "capacity_gap")


@pytest.mark.django_db(transaction=True)
def test_scoring_an_issue_with_two_scorers_and_refreshing_the_plan(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    analyst = make_member(rotherham, "analyst", username="ana")
    admin = make_member(rotherham, "admin", username="adm")
    make_member(rotherham, "board", username="board")
    make_member(rotherham, "scrutiny", username="cllr")
    plan_upsert(
        partnership=rotherham,
        by=analyst,
        title="Partnership Plan 2025-28",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    ids = build(rotherham, admin, analyst)  # the analyst has scored knife crime
    base = f"{live_server.url}/p/rotherham/assessment/{ids['assessment']}"

    # The Board member scores without seeing the analyst's sheet.
    sign_in(page, live_server, "board", PASSWORD)
    page.goto(f"{live_server.url}/p/rotherham/assessment/")
    page.get_by_role("link", name="Strategic assessment 2025/26").click()
    page.get_by_role("link", name="Knife crime").click()
    assert "once you have submitted your own" in page.content()
    assert page.locator("#spread").count() == 0
    for key in KEYS:
        page.locator(f"#score-{key}").select_option("2" if key == "harm_individual" else "4")
        page.locator(f"#reason-{key}").fill("From the needs assessment")
        page.locator(f"#evidence-{key}-{ids['evidence']}").check()
    page.get_by_role("button", name="Submit my scores").click()
    page.get_by_text("Your scores are saved.").wait_for()
    spread = page.locator("#spread").inner_text()
    assert "Harm to individuals" in spread and "Scorers disagree" in spread  # 5 against 2

    # The analyst chooses it and proposes the refresh.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(f"{base}/")
    assert "1 to discuss" in page.locator("#ranking").inner_text()
    page.get_by_label("Choose Knife crime").check()
    page.get_by_role("button", name="Save the chosen priorities").click()
    page.get_by_text("The chosen priorities are saved.").wait_for()
    page.get_by_role("link", name="Refresh the plan from the chosen priorities").click()
    page.get_by_label("Name the new version").fill("2025 refresh")
    page.get_by_role("button", name="Propose the refresh").click()
    page.get_by_text("an admin reviews it next").wait_for()
    assert "Knife crime" in page.locator("#changes").inner_text()

    # The admin applies it: the plan has a new version with the priority.
    sign_in(page, live_server, "adm", PASSWORD)
    page.goto(f"{base}/refresh/")
    page.get_by_label("Apply: make it the plan's new version").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The plan has a new version from the assessment.").wait_for()
    page.goto(f"{live_server.url}/p/rotherham/plan/")
    assert "Knife crime" in page.content() and "2025 refresh" in page.content()
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    sign_in(axe_page, live_server, "ana", PASSWORD)
    for url in [
        f"{live_server.url}/p/rotherham/assessment/",
        f"{base}/",
        f"{base}/issues/{ids['issue']}/",
        f"{base}/refresh/",
        f"{live_server.url}/p/rotherham/assessment/consultations/{ids['consultation']}/",
        f"{live_server.url}/p/rotherham/assessment/tension/",
        f"{live_server.url}/p/rotherham/assessment/tension/{ids['tension']}/",
    ]:
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    sign_in(axe_page, live_server, "cllr", PASSWORD)
    axe_page.goto(f"{live_server.url}/p/rotherham/assessment/tension/")
    assert axe_violations(axe_page) == []
