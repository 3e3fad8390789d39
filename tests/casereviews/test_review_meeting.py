"""The review meeting held through the governance meetings: a confidential agenda item of a
governance meeting, scheduled from the case page through governance's services, shown
against the timeline's deadline; recommendations on that meeting's action log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.analytics.casereview import add_working_days, working_days_between
from saferstat.casereviews import services
from saferstat.casereviews.models import Application
from saferstat.core.models import AuditEvent
from saferstat.governance import services as governance
from saferstat.governance.clock import LONDON
from saferstat.governance.models import AgendaItem, Meeting, MeetingStatus

D = dt.date
pytestmark = pytest.mark.django_db


def _met_case(partnership, admin, mark="VICTIMMARK "):
    """An application decided (threshold met) on Thursday 12 September 2024: its review
    meeting is due 20 working days later, Thursday 10 October 2024."""
    a = services.application_create(
        partnership=partnership,
        by=admin,
        received_on=D(2024, 9, 2),
        applicant_type="victim",
        applicant_name=f"{mark}Applicant R",
        location=f"{mark}Invented Close",
    )
    for made in (D(2024, 4, 1), D(2024, 6, 3), D(2024, 8, 20)):
        services.complaint_add(
            application=a, by=admin, made_on=made, behaviour_on=made, body="Police"
        )
    services.threshold_decide(application=a, by=admin, decided_on=D(2024, 9, 12), met=True)
    return a


def _panel(partnership, admin):
    return governance.body_create(
        partnership=partnership, by=admin, name="ASB case review panel", kind="priority_group"
    )


def test_working_days_between_counts_as_add_working_days_does():
    # Hand-counted: 12 Sep 2024 + 20 working days = 10 Oct; 15 Oct is 3 working days later.
    assert add_working_days(D(2024, 9, 12), 20) == D(2024, 10, 10)
    assert working_days_between(D(2024, 10, 10), D(2024, 10, 15)) == 3
    # Across Christmas: 23, 24, 27, 30 December are the working days (25, 26 bank holidays).
    assert working_days_between(D(2024, 12, 20), D(2024, 12, 30)) == 4
    assert working_days_between(D(2024, 12, 30), D(2024, 12, 20)) == -4
    assert working_days_between(D(2024, 12, 25), D(2024, 12, 25)) == 0


def test_scheduling_creates_a_governance_meeting_with_a_confidential_item(
    client, rotherham, members
):
    admin = members["admin"]
    a = _met_case(rotherham, admin)
    panel = _panel(rotherham, admin)
    services.settings_update(partnership=rotherham, by=admin, review_body=panel)
    client.force_login(admin)
    url = f"/p/rotherham/case-reviews/{a.pk}/"
    response = client.post(
        url,
        {
            "form": "meeting",
            "meeting-body": str(panel.pk),
            "meeting-date": "2024-10-15",
            "meeting-time": "10:00",
            "meeting-location": "Town Hall",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    a = Application.objects.get(pk=a.pk)
    meeting = a.review_meeting
    assert meeting.body == panel and meeting.status == MeetingStatus.PLANNED
    assert meeting.starts_at == dt.datetime(2024, 10, 15, 10, 0, tzinfo=LONDON)
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.confidential and item.link == url
    assert a.reference in item.title and "VICTIMMARK" not in item.title
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"meeting.create", "agenda_item.add", "application.review_meeting"} <= verbs
    html = client.get(url).content.decode()
    assert f"/p/rotherham/governance/meetings/{meeting.pk}/" in html
    assert "Due by 10 October 2024" in html
    assert "3 working days after the deadline" in html


def test_the_case_item_is_hidden_from_the_public_and_scrutiny(client, rotherham, members):
    admin = members["admin"]
    a = _met_case(rotherham, admin)
    panel = governance.body_create(
        partnership=rotherham,
        by=admin,
        name="ASB case review panel",
        kind="priority_group",
        meets_in_public=True,
    )
    meeting = services.review_meeting_schedule(
        application=a, by=admin, body=panel, starts_at=dt.datetime(2024, 10, 8, 10, 0)
    )
    url = f"/p/rotherham/governance/meetings/{meeting.pk}/"
    client.force_login(admin)
    assert a.reference in client.get(url).content.decode()
    assert "On time" in client.get(f"/p/rotherham/case-reviews/{a.pk}/").content.decode()
    client.force_login(members["scrutiny"])
    html = client.get(url).content.decode()
    assert a.reference not in html and "VICTIMMARK" not in html
    # Even once held and approved at a body that meets in public, the item stays exempt.
    services.review_record(application=a, by=admin, review_on=D(2024, 10, 8), agencies="Police")
    governance.meeting_set_status(
        meeting=Meeting.objects.get(pk=meeting.pk), by=admin, status="approved"
    )
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert a.reference not in response.content.decode()
    # Members who see confidential items but have no casework access see the reference
    # only: the case page itself refuses them.
    client.force_login(members["lead"])
    html = client.get(url).content.decode()
    assert "VICTIMMARK" not in html
    assert client.get(f"/p/rotherham/case-reviews/{a.pk}/").status_code == 403


def test_the_review_is_recorded_on_the_meetings_date_and_marks_it_held(rotherham, members):
    admin = members["admin"]
    a = _met_case(rotherham, admin)
    meeting = services.review_meeting_schedule(
        application=a,
        by=admin,
        body=_panel(rotherham, admin),
        starts_at=dt.datetime(2024, 10, 8, 10),
    )
    with pytest.raises(ValidationError, match="8 October 2024"):
        services.review_record(application=a, by=admin, review_on=D(2024, 10, 9), agencies="Police")
    services.review_record(
        application=a,
        by=admin,
        review_on=D(2024, 10, 8),
        agencies="Police",
        outcome="VICTIMMARK plan",
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert "VICTIMMARK" not in "".join(meeting.items.values_list("notes", flat=True))


def test_recommendations_are_actions_of_the_review_meeting(client, rotherham, members):
    admin = members["admin"]
    a = _met_case(rotherham, admin)
    panel = _panel(rotherham, admin)
    meeting = services.review_meeting_schedule(
        application=a, by=admin, body=panel, starts_at=dt.datetime(2024, 10, 8, 10)
    )
    services.review_record(application=a, by=admin, review_on=D(2024, 10, 8), agencies="Police")
    rec = services.recommendation_add(
        application=a,
        by=admin,
        text="VICTIMMARK lighting at the rear",
        due_date=D(2024, 12, 1),
        owner_role="ASB Team Manager",
    )
    assert rec.action.meeting_id == meeting.pk
    client.force_login(members["board"])
    html = client.get(f"/p/rotherham/governance/meetings/{meeting.pk}/").content.decode()
    assert f"ASB case review {a.reference}: recommendation 1" in html
    assert "VICTIMMARK" not in html
    log = client.get(f"/p/rotherham/governance/actions/?body={panel.pk}").content.decode()
    assert f"ASB case review {a.reference}: recommendation 1" in log


def test_joining_a_planned_meeting(rotherham, members):
    admin = members["admin"]
    panel = _panel(rotherham, admin)
    planned = governance.meeting_create(
        body=panel, by=admin, starts_at=dt.datetime(2024, 10, 1, 14, 0, tzinfo=LONDON)
    )
    first = _met_case(rotherham, admin)
    second = _met_case(rotherham, admin, mark="OTHER ")
    for a in (first, second):
        assert services.review_meeting_schedule(application=a, by=admin, meeting=planned) == planned
    assert list(planned.items.values_list("number", flat=True)) == [1, 2]
    assert Meeting.objects.filter(body=panel).count() == 1
    with pytest.raises(ValidationError, match="already arranged"):
        services.review_meeting_schedule(application=first, by=admin, meeting=planned)


def test_scheduling_is_refused_when_it_should_be(rotherham, sheffield, members, make_member):
    from tests.governance.world import build as build_governance

    admin = members["admin"]
    gov = build_governance(rotherham, admin)
    a = _met_case(rotherham, admin)
    when = dt.datetime(2024, 10, 8, 10)
    from saferstat.governance.models import Body

    scrutiny = Body.objects.get(pk=gov["scrutiny"])
    with pytest.raises(ValidationError, match="scrutiny committee"):
        services.review_meeting_schedule(application=a, by=admin, body=scrutiny, starts_at=when)
    elsewhere = make_member(sheffield, "admin", username="sheffield-admin")
    their_panel = _panel(sheffield, elsewhere)
    with pytest.raises(ValidationError):
        services.review_meeting_schedule(application=a, by=admin, body=their_panel, starts_at=when)
    with pytest.raises(ValidationError, match="Choose the body"):
        services.review_meeting_schedule(application=a, by=admin, starts_at=when)
    panel = _panel(rotherham, admin)
    with pytest.raises(ValidationError, match="after the threshold decision"):
        services.review_meeting_schedule(
            application=a, by=admin, body=panel, starts_at=dt.datetime(2024, 9, 1, 10)
        )
    for role in ("analyst", "lead", "board", "scrutiny"):
        with pytest.raises(PermissionDenied):
            services.review_meeting_schedule(
                application=a, by=members[role], body=panel, starts_at=when
            )
    with pytest.raises(PermissionDenied):
        services.review_meeting_schedule(application=a, by=elsewhere, body=panel, starts_at=when)
    not_met = services.application_create(
        partnership=rotherham,
        by=admin,
        received_on=D(2024, 9, 2),
        applicant_type="victim",
        applicant_name="Applicant N",
    )
    services.threshold_decide(
        application=not_met, by=admin, decided_on=D(2024, 9, 5), met=False, reason="No complaints"
    )
    with pytest.raises(ValidationError, match="threshold is met"):
        services.review_meeting_schedule(application=not_met, by=admin, body=panel, starts_at=when)
    assert not Meeting.objects.filter(body=panel).exists()
