"""Journey 5 (DESIGN.md section 6): the Board meets; attendance, a resolution and an action
with its owner are minuted; the overdue action shows on the next meeting's agenda; the
scrutiny committee's page shows a recommendation's response clock. axe-core on the meeting
page, the action log and the committee's page."""

from __future__ import annotations

import datetime as dt

import pytest

from saferstat.governance import services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import Body
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.governance.world import build


@pytest.mark.django_db(transaction=True)
def test_board_meeting_minuted_and_action_carried_forward(
    page, axe_page, live_server, rotherham, members
):
    world = build(rotherham, members["admin"], owner=members["board"])
    board = Body.objects.get(pk=world["board"])
    meeting = services.meeting_create(
        body=board,
        by=members["admin"],
        starts_at=dt.datetime(2024, 7, 8, 14, 0, tzinfo=LONDON),
    )
    base = f"{live_server.url}/p/rotherham/governance"

    sign_in(page, live_server, "rotherham-analyst", PASSWORD)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Mark as held").click()
    assert page.locator("#meeting-status").inner_text() == "Held"
    page.get_by_label("Attendance: Council").select_option("Y")
    page.get_by_label("Attendance: Chair").select_option("S")
    page.get_by_label("Substitute for Chair").fill("Vice-chair")
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance was recorded.").wait_for()

    page.get_by_text("Record a resolution").click()
    page.get_by_label("Kind of resolution").select_option("agreed")
    page.get_by_label("Resolved").fill("Partners share the repeat-victim data each quarter.")
    page.get_by_role("button", name="Record the resolution").click()
    assert "repeat-victim data" in page.locator("#resolutions").inner_text()

    page.get_by_text("Record an action").click()
    page.get_by_label("Action", exact=True).fill("Agree the data-sharing protocol")
    page.get_by_label("Owner (a member of SaferStat)").select_option(label="Test board")
    page.get_by_label("Due date").fill("2024-08-01")
    page.get_by_role("button", name="Record the action").click()
    assert "Agree the data-sharing protocol" in page.locator("#actions").inner_text()

    # The next meeting: the overdue action is on its agenda.
    page.goto(f"{base}/bodies/{board.pk}/")
    page.get_by_label("Date").fill("2024-09-09")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_role("button", name="Add the meeting").click()
    page.get_by_role("link", name="9 September 2024, 14:00").click()
    carried = page.locator("#carried-forward").inner_text()
    assert "Agree the data-sharing protocol" in carried and "Overdue" in carried

    # The Board member sees it as theirs and updates it.
    sign_in(page, live_server, "rotherham-board", PASSWORD)
    page.goto(f"{base}/actions/?who=mine")
    page.get_by_role("link", name="Agree the data-sharing protocol").click()
    page.get_by_label("Progress update").fill("Protocol signed by all partners.")
    page.get_by_label("The action is done").check()
    page.get_by_role("button", name="Save the update").click()
    assert "Done" in page.locator("#action-status").inner_text()

    # The committee's page shows the recommendation's clock.
    page.goto(f"{base}/bodies/{world['scrutiny']}/")
    assert "Response late" in page.locator("#recommendations").inner_text()
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    sign_in(axe_page, live_server, "rotherham-analyst", PASSWORD)
    for url in (
        f"{base}/meetings/{meeting.pk}/",
        f"{base}/actions/",
        f"{base}/bodies/{world['scrutiny']}/",
        f"{base}/bodies/{board.pk}/attendance/?year=2024-25",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
