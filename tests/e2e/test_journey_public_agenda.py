"""The committee's officer publishes a coming meeting's agenda; someone not signed in finds
it on the public meetings page with its open paper, never the exempt item; the officer
corrects a resolution, re-plans an action and is told why a seat with attendance stays.
axe-core on the new pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from saferstat.governance import services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import Body
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.governance.world import PDF, build


@pytest.mark.django_db(transaction=True)
def test_agenda_published_before_the_meeting_and_records_corrected(
    page, axe_page, live_server, rotherham, members
):
    admin = members["admin"]
    world = build(rotherham, admin, owner=members["board"])
    committee = Body.objects.get(pk=world["scrutiny"])
    day = timezone.localdate() + dt.timedelta(days=28)
    meeting = services.meeting_create(
        body=committee, by=admin, starts_at=dt.datetime.combine(day, dt.time(10), LONDON)
    )
    item = services.agenda_item_add(meeting=meeting, by=admin, title="Knife crime update")
    services.agenda_item_add(
        meeting=meeting, by=admin, title="Exempt: named offender", confidential=True
    )
    services.paper_add(
        item=item,
        by=admin,
        upload=SimpleUploadedFile("knife.pdf", PDF, content_type="application/pdf"),
        title="Knife crime report",
    )
    base = f"{live_server.url}/p/rotherham/governance"

    sign_in(page, live_server, "rotherham-analyst", PASSWORD)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert "Not yet published: publish by" in page.locator("#agenda-notice").inner_text()
    page.get_by_role("button", name="Publish the agenda").click()
    page.get_by_text("The agenda was published").wait_for()
    assert "Published" in page.locator("#agenda-notice").inner_text()

    # Correct a resolution of the Board's held meeting (minutes not yet approved).
    page.goto(f"{base}/meetings/{world['meeting']}/")
    page.get_by_role("link", name="Change resolution 1").click()
    page.get_by_label("Resolved").fill("Corrected: the exempt report was agreed.")
    page.get_by_role("button", name="Save the changes").click()
    page.get_by_text("Resolution 1 was changed.").wait_for()

    # Re-plan an action: a new due date.
    page.goto(f"{base}/actions/{world['action']}/")
    page.get_by_role("link", name="Change the action").click()
    page.get_by_label("Due date").fill("2024-10-31")
    page.get_by_role("button", name="Save the changes").click()
    page.get_by_text("The action was changed.").wait_for()

    # A seat with attendance on record cannot be removed; the page says why.
    page.goto(f"{base}/seats/{world['seat']}/")
    page.get_by_role("link", name="Remove it").click()
    assert "attendance recorded at 1 meeting" in page.locator("#consequences").inner_text()
    assert page.get_by_role("button", name="Remove").count() == 0
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    # Signed out: the public list links the agenda; its open paper, not the exempt item.
    page.context.clear_cookies()
    page.goto(f"{base}/public/")
    page.get_by_role("link", name=f"Agenda and papers of {day:%-d %B %Y}").click()
    agenda = page.locator("#agenda").inner_text()
    assert "Knife crime update" in agenda and "Knife crime report" in agenda
    assert "named offender" not in page.content()

    sign_in(axe_page, live_server, "rotherham-admin", PASSWORD)
    for url in (
        f"{base}/meetings/{meeting.pk}/",
        f"{base}/seats/{world['seat']}/",
        f"{base}/seats/{world['seat']}/remove/",
        f"{base}/resolutions/{world['resolution']}/",
        f"{base}/actions/{world['action']}/edit/",
        f"{base}/actions/{world['action']}/remove/",
        f"{base}/programme/{world['wp']}/",
        f"{base}/programme/{world['wp']}/remove/",
        f"{base}/settings/",
    ):
        response = axe_page.goto(url)
        assert response.status == 200, url
        assert axe_violations(axe_page) == [], url
    axe_page.context.clear_cookies()
    for url in (f"{base}/public/", f"{base}/meetings/{meeting.pk}/"):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
