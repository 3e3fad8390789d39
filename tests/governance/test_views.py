"""Governance pages: what each person sees, the attendance table and action log downloads,
reminders, and the partnership home page's duties."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone

from saferstat.governance import reminders, services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import Action, Body, JobRun, Meeting, StatutoryDuty
from tests.governance.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], owner=members["board"])


def page(client, user, url, status=200):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode() if status == 200 else response


def test_scrutiny_members_do_not_see_the_boards_confidential_items(client, members, world):
    url = f"/p/rotherham/governance/meetings/{world['meeting']}/"
    for role in ("admin", "analyst", "lead", "board"):
        html = page(client, members[role], url)
        assert "Exempt: case review" in html and "Exempt resolution" in html, role
    html = page(client, members["scrutiny"], url)
    assert "Performance report" in html
    assert "Exempt: case review" not in html and "Exempt resolution" not in html


def test_the_public_sees_only_approved_minutes_of_bodies_meeting_in_public(
    client, rotherham, members, world, sheffield, make_member
):
    admin = members["admin"]
    hearing = f"/p/rotherham/governance/meetings/{world['hearing']}/"
    html = page(client, None, hearing)
    assert "Annual report" in html
    assert "Report hate crime outcomes" not in html  # recommendations are for members
    assert "Record a resolution" not in html
    outsider = make_member(sheffield, "admin", username="outsider")
    assert "Annual report" in page(client, outsider, hearing)
    # The Board does not meet in public: sign in (anonymous) or 403 (other partnership).
    board = f"/p/rotherham/governance/meetings/{world['meeting']}/"
    assert page(client, None, board, 302)["Location"].startswith("/sign-in/")
    page(client, outsider, board, 403)
    # A committee meeting whose minutes are not approved yet is not public either.
    scrutiny = Body.objects.get(pk=world["scrutiny"])
    held = services.meeting_create(
        body=scrutiny, by=admin, starts_at=dt.datetime(2025, 1, 20, 10, tzinfo=LONDON)
    )
    services.agenda_item_add(meeting=held, by=admin, title="Secret until approved")
    services.meeting_set_status(meeting=held, by=admin, status="held")
    page(client, None, f"/p/rotherham/governance/meetings/{held.pk}/", 302)
    # Confidential items of a public body never show to the public.
    services.agenda_item_add(
        meeting=Meeting.objects.get(pk=world["hearing"]),
        by=admin,
        title="Exempt paragraph 3 item",
        confidential=True,
    )
    assert "Exempt paragraph 3" not in page(client, None, hearing)
    # The public cannot post to it.
    client.logout()
    response = client.post(hearing, {"form": "resolution", "resolution-kind": "noted"})
    assert response.status_code in (302, 403)


def test_attendance_table_page_and_download(client, rotherham, members, world):
    admin = members["admin"]
    board = Body.objects.get(pk=world["board"])
    council, chair = list(board.seats.all())
    second = services.meeting_create(
        body=board, by=admin, starts_at=dt.datetime(2024, 8, 5, 14, tzinfo=LONDON)
    )
    services.meeting_set_status(meeting=second, by=admin, status="held")
    services.attendance_record(
        meeting=second, by=admin, records={council.pk: ("A", ""), chair.pk: ("Y", "")}
    )
    url = f"/p/rotherham/governance/bodies/{board.pk}/attendance/?year=2024-25"
    html = page(client, members["scrutiny"], url)
    assert "10/06/2024" in html and "05/08/2024" in html
    assert "1 of 2" in html and "50%" in html  # council: Y then A
    body = page(client, members["board"], url + "&format=csv", 200)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Date", "Council", "Chair"]
    assert rows[1:] == [
        ["2024-06-10", "Y", ""],
        ["2024-08-05", "A", "Y"],
        ["Attendance rate", "50", "100"],
    ]
    page(client, members["board"], url.replace("2024-25", "2024-26"), 404)
    xlsx = client.get(url + "&format=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_action_log_filters_and_download(client, rotherham, members, world):
    services.action_create(
        partnership=rotherham,
        by=members["analyst"],
        title="=HYPERLINK(1) a future action",
        due_date=timezone.localdate() + dt.timedelta(days=60),
        owner_role="Head of Service",
    )
    html = page(client, members["board"], "/p/rotherham/governance/actions/?state=overdue")
    assert "Provide a briefing" in html and "a future action" not in html
    html = page(client, members["board"], "/p/rotherham/governance/actions/?who=mine")
    assert "Provide a briefing" in html and "a future action" not in html
    body = page(client, members["scrutiny"], "/p/rotherham/governance/actions/?format=csv")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Action", "Owner", "Body"]
    states = {r[0]: r[6] for r in rows[1:]}
    assert states["Provide a briefing on the priority data"] == "overdue"
    assert states["'=HYPERLINK(1) a future action"] == "open"  # formula neutralised


def test_action_page_lets_only_the_owner_or_officers_update(client, members, world):
    url = f"/p/rotherham/governance/actions/{world['action']}/"
    client.force_login(members["lead"])
    assert "Save the update" not in client.get(url).content.decode()
    assert client.post(url, {"text": "not mine"}).status_code == 403
    client.force_login(members["board"])
    response = client.post(url, {"text": "Briefing sent", "done": "on"})
    assert response.status_code == 302
    action = Action.objects.get(pk=world["action"])
    assert action.status == "done" and action.updates.get().text == "Briefing sent"
    assert "Briefing sent" in client.get(url).content.decode()


def test_overdue_actions_are_carried_to_the_next_meeting(client, members, world):
    admin = members["admin"]
    board = Body.objects.get(pk=world["board"])
    later = services.meeting_create(
        body=board, by=admin, starts_at=dt.datetime(2024, 10, 7, 14, tzinfo=LONDON)
    )
    html = page(client, members["board"], f"/p/rotherham/governance/meetings/{later.pk}/")
    section = html.split('id="carried-forward"')[1].split("</table>")[0]
    assert "Provide a briefing" in section and "Overdue" in section
    # Not on the meeting it came from.
    html = page(client, members["board"], f"/p/rotherham/governance/meetings/{world['meeting']}/")
    assert 'id="carried-forward"' not in html


def test_meeting_page_records_attendance_resolution_and_action(client, rotherham, members, world):
    meeting = Meeting.objects.get(pk=world["meeting"])
    council, chair = list(meeting.body.seats.all())
    url = f"/p/rotherham/governance/meetings/{meeting.pk}/"
    client.force_login(members["board"])
    assert client.post(url, {"form": "resolution"}).status_code == 403
    client.force_login(members["analyst"])
    response = client.post(
        url, {"form": "attendance", f"seat-{council.pk}": "N", f"seat-{chair.pk}": "S"}
    )
    assert response.status_code == 400 and "Name the substitute" in response.content.decode()
    response = client.post(
        url,
        {
            "form": "attendance",
            f"seat-{council.pk}": "N",
            f"seat-{chair.pk}": "S",
            f"sub-{chair.pk}": "Vice-chair",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url, {"form": "resolution", "resolution-kind": "agreed", "resolution-text": "Agreed."}
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "form": "action",
            "action-title": "Circulate the data pack",
            "action-owner_role": "Community safety analyst",
            "action-due_date": "2030-01-31",
        },
    )
    assert response.status_code == 302
    response = client.post(url, {"form": "action", "action-title": "No owner or date"})
    assert response.status_code == 400
    html = client.get(url).content.decode()
    assert "Vice-chair" in html and "Agreed." in html and "Circulate the data pack" in html


def test_recommendation_clock_on_the_committee_page(client, members, world):
    html = page(client, members["scrutiny"], f"/p/rotherham/governance/bodies/{world['scrutiny']}/")
    assert "Report hate crime outcomes" in html and "Response late" in html
    html = page(client, members["scrutiny"], "/p/rotherham/governance/recommendations/?state=late")
    assert "Report hate crime outcomes" in html
    url = f"/p/rotherham/governance/recommendations/{world['rec']}/"
    client.force_login(members["scrutiny"])
    assert client.post(url, {"form": "response"}).status_code == 403
    client.force_login(members["analyst"])
    response = client.post(
        url,
        {
            "form": "response",
            "response-response": "accepted",
            "response-responded_on": "2024-11-30",
        },
    )
    assert response.status_code == 302
    html = page(client, members["scrutiny"], url)
    assert "Responded" in html and "Accepted" in html


def test_statutory_calendar_and_home_page_warning(client, rotherham, members, world):
    html = page(client, members["board"], "/p/rotherham/governance/calendar/")
    # Scrutiny was met by the committee meeting of 6 November 2024: next due 6 November 2025.
    assert "6 Nov 2025" in html and "(scrutiny meeting)" in html
    assert "period not confirmed in law" in html
    today = timezone.localdate()
    duty = StatutoryDuty.objects.get(partnership=rotherham, key="strategic-assessment")
    services.duty_update(
        duty=duty, by=members["analyst"], last_met=None, cycle_months=12, first_due=today
    )
    home = page(client, members["board"], "/p/rotherham/")
    assert 'id="duties-attention"' in home and "Strategic assessment" in home
    services.duty_update(
        duty=duty,
        by=members["analyst"],
        last_met=None,
        cycle_months=12,
        first_due=today + dt.timedelta(days=31),
    )
    home = page(client, members["board"], "/p/rotherham/")
    assert "Strategic assessment due" not in home


def test_reminders_email_owners_and_officers_once_a_day(client, rotherham, members, world):
    members["board"].email = "board@example.org"
    members["board"].save()
    members["analyst"].email = "analyst@example.org"
    members["analyst"].save()
    today = dt.date(2025, 1, 10)
    run = reminders.reminders_run(partnership=rotherham, today=today)
    assert run.ok and run.finished_at is not None
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0].startswith("1 scrutiny recommendation") and subjects[1].startswith(
        "Overdue: Provide a briefing"
    )
    by_subject = {m.subject[:7]: m for m in mail.outbox}
    assert by_subject["Overdue"].to == ["board@example.org"]
    assert "/p/rotherham/governance/actions/" in by_subject["Overdue"].body
    assert by_subject["1 scrut"].to == ["analyst@example.org"]
    reminders.reminders_run(partnership=rotherham, today=today)
    assert len(mail.outbox) == 2  # not twice on one day
    reminders.reminders_run(partnership=rotherham, today=today + dt.timedelta(days=1))
    assert len(mail.outbox) == 4
    html = page(client, members["analyst"], "/p/rotherham/governance/jobs/")
    assert "1 action reminder(s); 1 late recommendation(s)" in html
    assert JobRun.objects.filter(partnership=rotherham).count() == 3


def test_due_soon_reminder_and_the_task(rotherham, members, settings):
    from saferstat.governance.tasks import send_reminders

    members["lead"].email = "lead@example.org"
    members["lead"].save()
    services.action_create(
        partnership=rotherham,
        by=members["admin"],
        title="Due in three days",
        due_date=timezone.localdate() + dt.timedelta(days=3),
        owner=members["lead"],
    )
    services.action_create(
        partnership=rotherham,
        by=members["admin"],
        title="Due in four days",
        due_date=timezone.localdate() + dt.timedelta(days=4),
        owner=members["lead"],
    )
    send_reminders.enqueue()  # immediate backend in tests
    assert [m.subject for m in mail.outbox] == ["Due soon: Due in three days"]


def test_jobs_page_shows_only_the_partnerships_own_runs(client, rotherham, sheffield, members):
    reminders.reminders_run(partnership=sheffield)
    html = page(client, members["admin"], "/p/rotherham/governance/jobs/")
    assert "No scheduled job has run yet" in html
