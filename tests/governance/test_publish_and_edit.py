"""Publishing a public body's agenda before the meeting (clear working days' notice), and
changing and removing seats, resolutions, actions and work programme topics, with the
refusals that keep the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from saferstat.core.models import AuditEvent
from saferstat.governance import clock, selectors, services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import (
    Action,
    Attendance,
    Body,
    Meeting,
    Resolution,
    Seat,
    WorkProgrammeItem,
)
from tests.governance.world import PDF, build

pytestmark = pytest.mark.django_db
D = dt.date


# ------------------------------------------------------------------ the notice rule


@pytest.mark.parametrize(
    ("meeting", "days", "publish_by"),
    [
        (D(2025, 7, 14), 5, D(2025, 7, 4)),  # Monday meeting: the Friday of the week before
        (D(2025, 7, 17), 5, D(2025, 7, 9)),  # Thursday meeting: Wednesday of the week before
        (D(2025, 5, 6), 5, D(2025, 4, 25)),  # the early May bank holiday does not count
        (D(2024, 12, 30), 5, D(2024, 12, 18)),  # Christmas Day and Boxing Day do not count
        (D(2025, 4, 22), 5, D(2025, 4, 10)),  # Easter: Good Friday and Easter Monday
        (D(2025, 7, 14), 0, D(2025, 7, 11)),  # no notice: the working day before
    ],
)
def test_agenda_publish_by_counts_clear_working_days(meeting, days, publish_by):
    assert clock.agenda_publish_by(meeting, days) == publish_by


def test_agenda_publish_by_takes_the_holidays_it_is_given():
    monday = D(2025, 7, 14)
    assert clock.agenda_publish_by(monday, 5, holidays=[D(2025, 7, 10)]) == D(2025, 7, 3)
    with pytest.raises(ValueError):
        clock.agenda_publish_by(monday, -1)


# ------------------------------------------------------------------ publishing


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], owner=members["board"])


def _coming_hearing(world, admin, *, days_ahead=20):
    """A planned meeting of the committee (meets in public) with an open item with a paper,
    and a confidential item with a paper."""
    committee = Body.objects.get(pk=world["scrutiny"])
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    meeting = services.meeting_create(
        body=committee, by=admin, starts_at=dt.datetime.combine(day, dt.time(10), LONDON)
    )
    open_item = services.agenda_item_add(meeting=meeting, by=admin, title="Knife crime update")
    secret = services.agenda_item_add(
        meeting=meeting, by=admin, title="Exempt: named offender", confidential=True
    )
    open_paper = services.paper_add(
        item=open_item,
        by=admin,
        upload=SimpleUploadedFile("knife.pdf", PDF, content_type="application/pdf"),
        title="Knife crime report",
    )
    secret_paper = services.paper_add(
        item=secret,
        by=admin,
        upload=SimpleUploadedFile("exempt.pdf", PDF, content_type="application/pdf"),
        title="Exempt offender paper",
    )
    return meeting, open_paper, secret_paper


def test_the_public_sees_a_published_agenda_and_its_open_papers_never_the_exempt_ones(
    client, members, world
):
    admin = members["admin"]
    meeting, open_paper, secret_paper = _coming_hearing(world, admin)
    base = "/p/rotherham/governance"
    meeting_url = f"{base}/meetings/{meeting.pk}/"

    # Before publishing: the date is public, the agenda is not.
    public = client.get(f"{base}/public/").content.decode()
    assert "Not yet published" in public and meeting_url not in public
    assert client.get(meeting_url).status_code == 302  # to sign in
    assert client.get(f"{base}/papers/{open_paper.pk}/").status_code == 302

    client.force_login(members["analyst"])
    response = client.post(meeting_url, {"form": "publish"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is not None
    event = AuditEvent.objects.filter(verb="meeting.publish_agenda").get()
    assert event.after["on_time"] is True and event.after["clear_days"] == 5
    client.logout()

    public = client.get(f"{base}/public/").content.decode()
    assert meeting_url in public and "Agenda and papers" in public
    html = client.get(meeting_url).content.decode()
    assert "Knife crime update" in html and "Knife crime report" in html
    assert "Exempt" not in html and "named offender" not in html
    assert "minutes, attendance and resolutions follow" in html
    assert client.get(f"{base}/papers/{open_paper.pk}/").status_code == 200
    assert client.get(f"{base}/papers/{secret_paper.pk}/").status_code == 302

    # The public feed now lists the agenda, never the exempt item.
    feed = Calendar.from_ical(client.get(f"{base}/meetings.ics").content)
    [event] = [e for e in feed.walk("VEVENT") if str(e["uid"]).startswith(f"meeting-{meeting.pk}@")]
    assert "Knife crime update" in str(event["description"])
    assert "named offender" not in str(event["description"])


def test_draft_minutes_of_a_published_meeting_stay_private_until_approved(client, members, world):
    admin = members["admin"]
    committee = Body.objects.get(pk=world["scrutiny"])
    seat = services.seat_add(body=committee, by=admin, label="Chair", is_chair=True)
    meeting = services.meeting_create(
        body=committee, by=admin, starts_at=dt.datetime(2025, 3, 5, 10, 0, tzinfo=LONDON)
    )
    item = services.agenda_item_add(meeting=meeting, by=admin, title="Hate crime")
    services.meeting_publish_agenda(meeting=meeting, by=admin)
    services.meeting_set_status(meeting=meeting, by=admin, status="held")
    services.agenda_item_notes(item=item, by=admin, notes="<p>Draft discussion notes</p>")
    services.attendance_record(meeting=meeting, by=admin, records={seat.pk: ("A", "")})
    services.resolution_add(meeting=meeting, by=admin, kind="noted", text="Draft resolution")
    url = f"/p/rotherham/governance/meetings/{meeting.pk}/"

    html = client.get(url).content.decode()
    assert "Hate crime" in html
    assert "Draft discussion notes" not in html and "Draft resolution" not in html
    assert 'id="attendance"' not in html

    services.meeting_set_status(meeting=meeting, by=admin, status="approved")
    html = client.get(url).content.decode()
    assert "Draft discussion notes" in html and "Draft resolution" in html
    assert 'id="attendance"' in html


def test_publishing_is_refused_with_a_reason(members, world):
    admin = members["admin"]
    board_meeting = Meeting.objects.get(pk=world["meeting"])
    with pytest.raises(ValidationError, match="does not meet in public"):
        services.meeting_publish_agenda(meeting=board_meeting, by=admin)
    committee = Body.objects.get(pk=world["scrutiny"])
    empty = services.meeting_create(
        body=committee, by=admin, starts_at=dt.datetime(2030, 1, 7, 10, 0, tzinfo=LONDON)
    )
    services.agenda_item_add(meeting=empty, by=admin, title="Exempt only", confidential=True)
    with pytest.raises(ValidationError, match="Add the agenda's items"):
        services.meeting_publish_agenda(meeting=empty, by=admin)
    services.agenda_item_add(meeting=empty, by=admin, title="Open item")
    services.meeting_publish_agenda(meeting=empty, by=admin)
    with pytest.raises(ValidationError, match="already published"):
        services.meeting_publish_agenda(meeting=empty, by=admin)
    approved = Meeting.objects.get(pk=world["hearing"])
    with pytest.raises(ValidationError, match="approved"):
        services.meeting_publish_agenda(meeting=approved, by=admin)


def test_a_late_agenda_is_published_but_flagged(client, members, world):
    admin = members["admin"]
    meeting, _, _ = _coming_hearing(world, admin, days_ahead=2)
    client.force_login(members["analyst"])
    url = f"/p/rotherham/governance/meetings/{meeting.pk}/"
    assert "Late" in client.get(url).content.decode()
    services.meeting_publish_agenda(meeting=meeting, by=admin)
    event = AuditEvent.objects.filter(verb="meeting.publish_agenda").get()
    assert event.after["on_time"] is False
    assert "Later than 5 clear working days" in client.get(url).content.decode()


def test_only_officers_publish_and_the_notice_is_a_setting(client, members, world):
    meeting, _, _ = _coming_hearing(world, members["admin"])
    client.force_login(members["board"])
    url = f"/p/rotherham/governance/meetings/{meeting.pk}/"
    assert client.post(url, {"form": "publish"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is None

    client.force_login(members["admin"])
    response = client.post(
        "/p/rotherham/governance/settings/",
        {"response_days": 28, "response_basis": "Local protocol", "agenda_notice_days": 3},
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "(3 clear working days)" in html


# ------------------------------------------------------------------ seats


def test_a_seat_is_renamed_and_made_chair_and_one_with_attendance_is_kept(client, members, world):
    admin = members["admin"]
    council = Seat.objects.get(pk=world["seat"])
    chair = council.body.seats.get(is_chair=True)
    services.seat_update(seat=council, by=admin, label="Borough Council", is_chair=True)
    chair.refresh_from_db()
    council.refresh_from_db()
    assert council.label == "Borough Council" and council.is_chair and not chair.is_chair
    assert AuditEvent.objects.filter(verb="seat.update", object_id=str(council.pk)).exists()

    client.force_login(members["analyst"])
    url = f"/p/rotherham/governance/seats/{council.pk}/remove/"
    page = client.get(url).content.decode()
    assert "cannot be removed" in page and "attendance recorded at 1 meeting" in page
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 400 and Seat.objects.filter(pk=council.pk).exists()

    # Marked as no longer at the table: out of the attendance form, still in the table.
    services.seat_update(seat=council, by=admin, label="Borough Council", active=False)
    meeting = Meeting.objects.get(pk=world["meeting"])
    assert council not in [seat for seat, _ in selectors.attendance_for(meeting)]
    assert Attendance.objects.filter(seat=council).exists()

    spare = services.seat_add(body=council.body, by=admin, label="Spare seat")
    assert client.post(f"/p/rotherham/governance/seats/{spare.pk}/remove/", {}).status_code == 400
    response = client.post(f"/p/rotherham/governance/seats/{spare.pk}/remove/", {"confirm": "yes"})
    assert response.status_code == 302 and not Seat.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.filter(verb="seat.remove").count() == 1


def test_the_chairs_seat_cannot_leave_the_table(members, world):
    chair = Seat.objects.get(body_id=world["board"], is_chair=True)
    with pytest.raises(ValidationError, match="untick Chair"):
        services.seat_update(
            seat=chair, by=members["admin"], label=chair.label, is_chair=True, active=False
        )


# ------------------------------------------------------------------ resolutions


def test_a_resolution_is_corrected_until_the_minutes_are_approved(client, members, world):
    admin = members["admin"]
    resolution = Resolution.objects.get(pk=world["resolution"])
    meeting = resolution.meeting
    client.force_login(members["analyst"])
    url = f"/p/rotherham/governance/resolutions/{resolution.pk}/"
    response = client.post(url, {"kind": "noted", "text": "Corrected wording"})
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.text == "Corrected wording" and resolution.number == 1
    event = AuditEvent.objects.get(verb="resolution.update")
    assert event.before["kind"] == "agreed" and event.after["kind"] == "noted"

    services.meeting_set_status(meeting=meeting, by=admin, status="approved")
    response = client.post(url, {"kind": "agreed", "text": "Changed after approval"})
    assert response.status_code == 400
    assert "minutes of this meeting are approved" in response.content.decode()
    resolution.refresh_from_db()
    assert resolution.text == "Corrected wording"
    assert "cannot change" in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="approved"):
        services.resolution_remove(resolution=resolution, by=admin)


def test_a_resolution_with_actions_is_kept_and_others_keep_their_numbers(client, members, world):
    admin = members["admin"]
    first = Resolution.objects.get(pk=world["resolution"])  # an action comes from it
    meeting = first.meeting
    second = services.resolution_add(meeting=meeting, by=admin, kind="noted", text="Second")
    third = services.resolution_add(meeting=meeting, by=admin, kind="noted", text="Third")
    with pytest.raises(ValidationError, match="1 action"):
        services.resolution_remove(resolution=first, by=admin)
    client.force_login(members["analyst"])
    response = client.post(
        f"/p/rotherham/governance/resolutions/{second.pk}/remove/", {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert list(meeting.resolutions.values_list("number", flat=True)) == [1, 3]
    assert services.resolution_add(meeting=meeting, by=admin, kind="noted", text="4").number == 4
    assert Resolution.objects.filter(pk=third.pk).exists()


# ------------------------------------------------------------------ actions


def test_an_officer_changes_an_action_the_owner_may_not(client, members, world):
    action = Action.objects.get(pk=world["action"])
    url = f"/p/rotherham/governance/actions/{action.pk}/edit/"
    client.force_login(members["board"])  # the owner updates it, but does not re-plan it
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x", "due_date": "2030-01-01"}).status_code == 403

    client.force_login(members["analyst"])
    response = client.post(
        url,
        {
            "title": "Provide the briefing",
            "owner": members["board"].pk,
            "due_date": "2024-09-30",
            "priority": "Violence",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_date == D(2024, 9, 30) and action.title == "Provide the briefing"
    event = AuditEvent.objects.get(verb="action.edit")
    assert event.before["due_date"] == "2024-07-31" and event.after["due_date"] == "2024-09-30"

    response = client.post(url, {"title": "No owner", "due_date": "2024-09-30"})
    assert response.status_code == 400 and "Say who owns the action" in response.content.decode()


def test_an_action_with_updates_is_kept_one_entered_in_error_goes(client, members, world):
    admin = members["admin"]
    action = Action.objects.get(pk=world["action"])
    services.action_update(action=action, by=admin, text="Started")
    client.force_login(members["analyst"])
    url = f"/p/rotherham/governance/actions/{action.pk}/remove/"
    assert "1 progress update" in client.get(url).content.decode()
    assert client.post(url, {"confirm": "yes"}).status_code == 400
    assert Action.objects.filter(pk=action.pk).exists()

    typo = services.action_create(
        partnership=action.partnership,
        by=admin,
        title="Entered twice",
        due_date=D(2025, 1, 1),
        owner_role="Officer",
    )
    response = client.post(f"/p/rotherham/governance/actions/{typo.pk}/remove/", {"confirm": "yes"})
    assert response.status_code == 302 and not Action.objects.filter(pk=typo.pk).exists()
    assert AuditEvent.objects.get(verb="action.remove").before["title"] == "Entered twice"


def test_records_of_other_apps_keep_their_action_and_topic(members, rotherham, world):
    """A case review recommendation's action and a call for action's committee topic stay:
    they are part of those records (found through the relations, not by importing them)."""
    from saferstat.casereviews import services as cases
    from saferstat.casereviews.models import CallForAction, CaseRecommendation
    from tests.casereviews.world import build as build_cases

    admin = members["admin"]
    build_cases(rotherham, admin)
    action = CaseRecommendation.objects.get().action
    with pytest.raises(ValidationError, match="It delivers 1 case"):
        services.action_remove(action=action, by=admin)
    assert Action.objects.filter(pk=action.pk).exists()

    call = CallForAction.objects.get()
    committee = Body.objects.get(pk=world["scrutiny"])
    topic = cases.call_refer(call=call, by=admin, committee=committee).committee_item
    with pytest.raises(ValidationError, match="1 call"):
        services.work_programme_remove(item=topic, by=admin)
    assert WorkProgrammeItem.objects.filter(pk=topic.pk).exists()


# ------------------------------------------------------------------ work programme


def test_a_topic_is_planned_considered_and_then_kept(client, members, world):
    admin = members["admin"]
    topic = WorkProgrammeItem.objects.get(pk=world["wp"])
    hearing = Meeting.objects.get(pk=world["hearing"])
    client.force_login(members["analyst"])
    url = f"/p/rotherham/governance/programme/{topic.pk}/"
    response = client.post(
        url, {"topic": "Domestic abuse", "source": "Res. 3", "meeting": hearing.pk, "done": "on"}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.done and topic.meeting == hearing
    board_meeting = Meeting.objects.get(pk=world["meeting"])
    response = client.post(url, {"topic": "Domestic abuse", "meeting": board_meeting.pk})
    assert response.status_code == 400  # not a meeting of the committee
    remove = f"/p/rotherham/governance/programme/{topic.pk}/remove/"
    assert "was considered" in client.get(remove).content.decode()
    assert client.post(remove, {"confirm": "yes"}).status_code == 400

    dropped = services.work_programme_add(body=topic.body, by=admin, topic="Dropped topic")
    response = client.post(
        f"/p/rotherham/governance/programme/{dropped.pk}/remove/", {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert not WorkProgrammeItem.objects.filter(pk=dropped.pk).exists()
    assert AuditEvent.objects.filter(verb="work_programme.remove").count() == 1
