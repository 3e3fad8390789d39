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


@pytest.mark.django_db(transaction=True)
def test_two_scorers_score_independently_and_one_overrides_a_proposal(
    page, axe_page, live_server, overview_warehouse, rotherham, make_member
):
    """Over HTTP with sign-in: the analyst tags a free-text answer, adds an issue with its
    evidence and crime types, has scores proposed from the data (public concern from the
    tag), and scores; the Board member scores without seeing the analyst's sheet, overrides
    the proposed trend (refused until they say why), then sees the spread. axe on every page
    visited; the print stylesheet hides the navigation."""
    from saferstat.assessment.models import Evidence, ScoreProposal, ScoreSheet

    analyst = make_member(rotherham, "analyst", username="ana")
    admin = make_member(rotherham, "admin", username="adm")
    board = make_member(rotherham, "board", username="board")
    ids = build(rotherham, admin, analyst)
    site = live_server.url
    base = f"{site}/p/rotherham/assessment/{ids['assessment']}"
    consultation = f"{site}/p/rotherham/assessment/consultations/{ids['consultation']}/"
    visited = {"ana": [], "board": []}

    def go(who, url):
        page.goto(url)
        visited[who].append(page.url.split("#")[0])

    # The analyst adds a theme and tags the free-text answer with it.
    sign_in(page, live_server, "ana", PASSWORD)
    go("ana", consultation)
    page.get_by_role("link", name="Read and tag the free-text answers").click()
    visited["ana"].append(page.url)
    assert "Bikes on the park at night" in page.content()
    page.locator("summary", has_text="The themes to tag with").click()
    page.get_by_label("Themes, one a line").fill("Knife crime\nSpeeding\nBurglary")
    page.get_by_role("button", name="Save the themes").click()
    page.get_by_text("The consultation's themes are saved.").wait_for()
    page.get_by_label("Burglary").check()
    page.get_by_role("button", name=f"Save the tags of response {ids['response']}").click()
    page.get_by_text(f"Response {ids['response']} is tagged.").wait_for()

    # ... adds burglary as a candidate issue, with a document and its crime type ...
    go("ana", f"{base}/")
    page.get_by_label("Issue", exact=True).fill("Burglary")
    page.get_by_role("button", name="Add the issue").click()
    page.get_by_text("The issue is a candidate").wait_for()
    page.get_by_role("link", name="Burglary", exact=True).click()
    issue_url = page.url
    visited["ana"].append(issue_url)
    page.get_by_label("Kind").select_option("document")
    page.get_by_label("Document address").fill("https://example.org/burglary-profile")
    page.get_by_label("Title (a view's or dataset's own title if blank)").fill("Burglary profile")
    page.get_by_role("button", name="Link the evidence").click()
    page.get_by_text("The evidence is linked to the issue.").wait_for()
    document = Evidence.objects.get(title="Burglary profile").pk
    page.locator("summary", has_text="Police.uk crime types the issue covers").click()
    page.locator("#crime_types").get_by_label("Burglary", exact=True).check()
    page.get_by_role("button", name="Save the crime types").click()
    page.get_by_text("crime types are saved").wait_for()
    page.get_by_role("button", name="Propose scores from the data").click()
    page.get_by_text("4 score(s) proposed from the data").wait_for()
    proposals = {
        p.dimension: p.points for p in ScoreProposal.objects.filter(issue__name="Burglary")
    }
    assert proposals["public_concern"] == 5  # 1 of 3 respondents, the issue raised most
    assert "1 of 3 consultation respondents" in page.locator("#proposals").inner_text()

    # ... and scores: the proposals are preselected; the rest need a reason.
    for key in KEYS:
        if key not in proposals:
            page.locator(f"#score-{key}").select_option("3")
            page.locator(f"#reason-{key}").fill("From the burglary profile")
        page.locator(f"#evidence-{key}-{document}").check()
    page.get_by_role("button", name="Submit my scores").click()
    page.get_by_text("Your scores are saved.").wait_for()
    sheet = ScoreSheet.objects.get(issue__name="Burglary", scorer=analyst)
    assert sheet.overrides == {} and sheet.values["trend"] == proposals["trend"]

    # The Board member cannot see the analyst's scores before submitting their own.
    sign_in(page, live_server, "board", PASSWORD)
    go("board", issue_url)
    assert "once you have submitted your own" in page.content()
    assert page.locator("#spread").count() == 0
    assert "From the burglary profile" not in page.content()
    other = proposals["trend"] % 5 + 1
    for key in KEYS:
        if key == "trend":
            page.locator("#score-trend").select_option(str(other))
        elif key not in proposals:
            page.locator(f"#score-{key}").select_option("4")
        page.locator(f"#reason-{key}").fill("Board view")
        page.locator(f"#evidence-{key}-{document}").check()
    page.get_by_role("button", name="Submit my scores").click()
    error = page.locator("#override-trend-error")
    error.wait_for()
    assert f"the data propose {proposals['trend']}; say why you score {other}" in (
        error.inner_text()
    )
    assert not ScoreSheet.objects.filter(scorer=board).exclude(issue__name="Knife crime").exists()
    page.locator("#override-trend").fill("Residents report a run of break-ins the data lag")
    page.get_by_role("button", name="Submit my scores").click()
    page.get_by_text("Your scores are saved.").wait_for()
    spread = page.locator("#spread").inner_text()
    assert "Trend" in spread and "Harm to individuals" in spread
    assert "Overrides the proposed" in page.content()
    override = ScoreSheet.objects.get(issue__name="Burglary", scorer=board).overrides["trend"]
    assert override["proposed"] == proposals["trend"] and override["value"] == other
    visited["board"].append(page.url)

    # The analyst now sees both sheets, the override and its reason.
    sign_in(page, live_server, "ana", PASSWORD)
    go("ana", issue_url)
    assert "Residents report a run of break-ins the data lag" in page.content()
    assert page.locator("#spread").count() == 1

    # Printed, the page is its content: the navigation is hidden.
    page.emulate_media(media="print")
    assert not page.locator(".govuk-header").is_visible()
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert page.locator("#evidence").is_visible()
    page.emulate_media(media="screen")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    for who, urls in visited.items():
        sign_in(axe_page, live_server, who, PASSWORD)
        for url in dict.fromkeys(urls):
            axe_page.goto(url)
            assert axe_violations(axe_page) == [], (who, url)
