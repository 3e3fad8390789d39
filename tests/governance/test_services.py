"""Governance writes: every transition, who may make it, and that each is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from saferstat.core.models import AuditEvent, Organisation
from saferstat.governance import services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import Action, Attendance, Meeting, Resolution
from saferstat.intelligence.requests.services import data_request_raise
from tests.governance.world import build

pytestmark = pytest.mark.django_db
ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], owner=members["board"])


def audited(verb: str, obj) -> bool:
    return AuditEvent.objects.filter(
        verb=verb, object_type=obj._meta.label, object_id=str(obj.pk)
    ).exists()


def test_only_admins_and_analysts_set_up_bodies_and_meetings(rotherham, members):
    for role in ROLES:
        if role in ("admin", "analyst"):
            body = services.body_create(
                partnership=rotherham, by=members[role], name=f"Board {role}", kind="board"
            )
            assert audited("body.create", body)
        else:
            with pytest.raises(PermissionDenied):
                services.body_create(
                    partnership=rotherham, by=members[role], name="x", kind="board"
                )


def test_another_partnerships_admin_is_refused_everywhere(world, sheffield, make_member):
    outsider = make_member(sheffield, "admin", username="outsider")
    meeting = Meeting.objects.get(pk=world["meeting"])
    action = Action.objects.get(pk=world["action"])
    with pytest.raises(PermissionDenied):
        services.resolution_add(meeting=meeting, by=outsider, kind="noted", text="x")
    with pytest.raises(PermissionDenied):
        services.action_update(action=action, by=outsider, text="x", status="done")
    with pytest.raises(PermissionDenied):
        services.settings_update(partnership=meeting.partnership, by=outsider, response_days=5)
    assert not Resolution.objects.filter(text="x").exists()


def test_meeting_goes_planned_held_approved_in_order(rotherham, members):
    admin = members["admin"]
    body = services.body_create(partnership=rotherham, by=admin, name="Board", kind="board")
    future = services.meeting_create(
        body=body, by=admin, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    with pytest.raises(ValidationError, match="once it has started"):
        services.meeting_set_status(meeting=future, by=admin, status="held")
    past = services.meeting_create(
        body=body, by=admin, starts_at=dt.datetime(2024, 4, 8, 10, tzinfo=LONDON)
    )
    with pytest.raises(ValidationError):
        services.meeting_set_status(meeting=past, by=admin, status="approved")
    services.meeting_set_status(meeting=past, by=admin, status="held")
    services.meeting_set_status(meeting=past, by=admin, status="approved")
    with pytest.raises(ValidationError):
        services.meeting_set_status(meeting=past, by=admin, status="held")
    assert AuditEvent.objects.filter(verb="meeting.status", object_id=str(past.pk)).count() == 2


def test_naive_meeting_times_are_london_times(rotherham, members):
    admin = members["admin"]
    body = services.body_create(partnership=rotherham, by=admin, name="Board", kind="board")
    meeting = services.meeting_create(body=body, by=admin, starts_at=dt.datetime(2025, 7, 1, 0, 30))
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert meeting.date == dt.date(2025, 7, 1)


def test_attendance_needs_a_started_meeting_a_named_substitute_and_its_own_seats(
    rotherham, members, world
):
    admin = members["admin"]
    meeting = Meeting.objects.get(pk=world["meeting"])
    council, chair = list(meeting.body.seats.all())
    with pytest.raises(ValidationError, match="Name the substitute"):
        services.attendance_record(meeting=meeting, by=admin, records={chair.pk: ("S", " ")})
    services.attendance_record(
        meeting=meeting, by=admin, records={chair.pk: ("S", "Deputy chair"), council.pk: ("A", "")}
    )
    assert Attendance.objects.get(meeting=meeting, seat=chair).substitute == "Deputy chair"
    assert Attendance.objects.get(meeting=meeting, seat=council).status == "A"
    other_body = services.body_create(partnership=rotherham, by=admin, name="PG", kind="board")
    stranger = services.seat_add(body=other_body, by=admin, label="Fire")
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=meeting, by=admin, records={stranger.pk: ("Y", "")})
    future = services.meeting_create(
        body=meeting.body, by=admin, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=future, by=admin, records={chair.pk: ("Y", "")})
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            meeting=meeting, by=members["board"], records={chair.pk: ("Y", "")}
        )


def test_resolutions_are_numbered_per_meeting(members, world):
    meeting = Meeting.objects.get(pk=world["meeting"])
    second = services.resolution_add(
        meeting=meeting, by=members["analyst"], kind="noted", text="The report was noted."
    )
    assert second.number == 2 and audited("resolution.add", second)
    with pytest.raises(ValidationError):
        services.resolution_add(meeting=meeting, by=members["analyst"], kind="bogus", text="x")


def test_board_member_updates_only_their_own_actions(rotherham, members, world):
    mine = Action.objects.get(pk=world["action"])  # owned by the Board member
    theirs = services.action_create(
        partnership=rotherham,
        by=members["admin"],
        title="Someone else's action",
        due_date=dt.date(2030, 1, 1),
        owner=members["lead"],
    )
    services.action_update(action=mine, by=members["board"], text="Briefing drafted")
    services.action_update(action=mine, by=members["board"], status="done")
    mine.refresh_from_db()
    assert mine.status == "done" and mine.done_on == timezone.localdate()
    assert [u.text for u in mine.updates.all()] == ["Briefing drafted"]
    assert AuditEvent.objects.filter(verb="action.update", object_id=str(mine.pk)).count() == 2
    for role in ("board", "scrutiny"):
        with pytest.raises(PermissionDenied):
            services.action_update(action=theirs, by=members[role], text="x")
    services.action_update(action=theirs, by=members["lead"], text="On track")
    services.action_update(action=theirs, by=members["analyst"], status="done")
    services.action_update(action=theirs, by=members["analyst"], status="open")
    theirs.refresh_from_db()
    assert theirs.status == "open" and theirs.done_on is None
    with pytest.raises(ValidationError):
        services.action_update(action=theirs, by=members["lead"], text="  ")


def test_action_needs_an_owner_and_a_member_of_the_partnership(rotherham, members, make_member):
    stranger = make_member(rotherham.__class__.objects.create(name="Elsewhere", slug="x"), "admin")
    with pytest.raises(ValidationError):
        services.action_create(
            partnership=rotherham, by=members["admin"], title="x", due_date=dt.date(2030, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.action_create(
            partnership=rotherham,
            by=members["admin"],
            title="x",
            due_date=dt.date(2030, 1, 1),
            owner=stranger,
        )


def test_recommendation_clock_uses_the_partnerships_setting_at_the_time(rotherham, members, world):
    hearing = Meeting.objects.get(pk=world["hearing"])
    council = Organisation.objects.get(partnership=rotherham, name="Borough Council")
    first = hearing.recommendations.get()
    assert first.response_days == 28 and first.due == dt.date(2024, 12, 4)
    with pytest.raises(PermissionDenied):
        services.settings_update(partnership=rotherham, by=members["analyst"], response_days=14)
    services.settings_update(partnership=rotherham, by=members["admin"], response_days=14)
    second = services.recommendation_create(
        meeting=hearing, by=members["analyst"], text="Second", to_organisation=council
    )
    assert second.response_days == 14 and second.due == dt.date(2024, 11, 20)
    first.refresh_from_db()
    assert first.response_days == 28  # a change applies from then on
    board_meeting = Meeting.objects.get(pk=world["meeting"])
    with pytest.raises(ValidationError, match="scrutiny committee"):
        services.recommendation_create(
            meeting=board_meeting, by=members["analyst"], text="x", to_organisation=council
        )


def test_recommendation_response_needs_reasons_unless_accepted(members, world):
    from saferstat.governance.models import Recommendation

    rec = Recommendation.objects.get(pk=world["rec"])
    with pytest.raises(PermissionDenied):
        services.recommendation_respond(
            recommendation=rec, by=members["scrutiny"], response="accepted", text=""
        )
    with pytest.raises(ValidationError, match="reasons"):
        services.recommendation_respond(
            recommendation=rec, by=members["analyst"], response="not_accepted", text=""
        )
    with pytest.raises(ValidationError):
        services.recommendation_respond(
            recommendation=rec,
            by=members["analyst"],
            response="accepted",
            text="",
            responded_on=dt.date(2024, 1, 1),
        )
    services.recommendation_respond(
        recommendation=rec,
        by=members["analyst"],
        response="partly",
        text="Quarterly is not possible; twice a year.",
        responded_on=dt.date(2024, 12, 10),
    )
    rec.refresh_from_db()
    clock = rec.clock(dt.date(2025, 6, 1))
    assert clock.answered and not clock.overdue and clock.days_left == -6
    assert audited("recommendation.respond", rec)


def test_agenda_item_links_stay_inside_the_partnership(
    rotherham, sheffield, members, world, make_member
):
    meeting = Meeting.objects.get(pk=world["meeting"])
    admin = members["admin"]
    item = services.agenda_item_add(
        meeting=meeting, by=admin, title="Trend", link="/p/rotherham/explore/?view=trend"
    )
    assert item.link == "/p/rotherham/explore/?view=trend" and item.number == 3
    for bad in ["https://evil.example/p/rotherham/", "/p/sheffield/explore/", "/p/rotherham/../x"]:
        with pytest.raises(ValidationError):
            services.agenda_item_add(meeting=meeting, by=admin, title="x", link=bad)
    own = data_request_raise(
        partnership=rotherham,
        by=members["scrutiny"],
        question="Knife crime?",
        due_date=dt.date(2030, 1, 1),
    )
    linked = services.agenda_item_add(meeting=meeting, by=admin, title="Q", data_request=own)
    assert linked.data_request == own
    other_member = make_member(sheffield, "scrutiny")
    foreign = data_request_raise(
        partnership=sheffield, by=other_member, question="?", due_date=dt.date(2030, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=meeting, by=admin, title="Q", data_request=foreign)


def test_notes_are_sanitised(members, world):
    meeting = Meeting.objects.get(pk=world["meeting"])
    item = meeting.items.first()
    services.agenda_item_notes(
        item=item,
        by=members["analyst"],
        notes='<p onclick="x()">Noted<script>alert(1)</script></p>',
    )
    item.refresh_from_db()
    assert item.notes == "<p>Noted</p>"


def test_statutory_calendar_is_created_once_and_updated(rotherham, members, world):
    from saferstat.governance.models import StatutoryDuty

    assert StatutoryDuty.objects.filter(partnership=rotherham).count() == len(services.DUTIES)
    services.duties_ensure(partnership=rotherham, by=members["analyst"])
    assert StatutoryDuty.objects.filter(partnership=rotherham).count() == len(services.DUTIES)
    duty = StatutoryDuty.objects.get(partnership=rotherham, key="strategic-assessment")
    services.duty_update(
        duty=duty, by=members["analyst"], last_met=dt.date(2024, 3, 1), cycle_months=12
    )
    with pytest.raises(ValidationError):
        services.duty_update(
            duty=duty,
            by=members["analyst"],
            last_met=timezone.localdate() + dt.timedelta(days=2),
            cycle_months=12,
        )
    with pytest.raises(ValidationError):
        services.duty_update(
            duty=duty, by=members["analyst"], last_met=None, cycle_months=12, evidence="http://x"
        )
    with pytest.raises(PermissionDenied):
        services.duty_update(duty=duty, by=members["board"], last_met=None, cycle_months=12)
