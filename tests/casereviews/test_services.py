"""Case review and call-for-action services: rules, permissions per role, audit, privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.analytics.casereview import YearFigures
from saferstat.casereviews import selectors, services
from saferstat.casereviews.models import Application, CallStatus
from saferstat.core.models import AuditEvent
from saferstat.core.permissions import can_read_cases
from saferstat.governance import services as governance
from saferstat.governance.models import Action, WorkProgrammeItem
from saferstat.governance.reminders import reminders_run
from tests.casereviews.world import build

D = dt.date
pytestmark = pytest.mark.django_db


def _new(partnership, by, **kw):
    values = {
        "received_on": D(2024, 9, 2),
        "applicant_type": "victim",
        "applicant_name": "Applicant Z",
        "applicant_contact": "zz@example.invalid",
    }
    return services.application_create(partnership=partnership, by=by, **{**values, **kw})


def test_who_may_read_cases(rotherham, sheffield, members, make_member):
    assert can_read_cases(members["admin"], rotherham)
    for role in ("analyst", "lead", "board", "scrutiny"):
        assert not can_read_cases(members[role], rotherham), role
    services.reviewer_name(partnership=rotherham, by=members["admin"], user=members["analyst"])
    members["analyst"] = type(members["analyst"]).objects.get(pk=members["analyst"].pk)
    assert can_read_cases(members["analyst"], rotherham)
    outsider = make_member(sheffield, "admin", username="outsider")
    assert not can_read_cases(outsider, rotherham)


@pytest.mark.parametrize("role", ["analyst", "lead", "board", "scrutiny"])
def test_roles_without_the_case_reviewer_right_are_refused(role, rotherham, members):
    application = _new(rotherham, members["admin"])
    user = members[role]
    with pytest.raises(PermissionDenied):
        _new(rotherham, user)
    with pytest.raises(PermissionDenied):
        services.application_read(application=application, by=user)
    with pytest.raises(PermissionDenied):
        services.complaint_add(
            application=application,
            by=user,
            made_on=D(2024, 8, 1),
            behaviour_on=D(2024, 8, 1),
            body="Police",
        )
    with pytest.raises(PermissionDenied):
        services.threshold_decide(
            application=application, by=user, decided_on=D(2024, 9, 5), met=False, reason="x"
        )


def test_another_partnerships_admin_is_refused(rotherham, sheffield, members, make_member):
    application = _new(rotherham, members["admin"])
    outsider = make_member(sheffield, "admin", username="outsider")
    with pytest.raises(PermissionDenied):
        services.application_read(application=application, by=outsider)
    with pytest.raises(PermissionDenied):
        services.complaint_add(
            application=application,
            by=outsider,
            made_on=D(2024, 8, 1),
            behaviour_on=D(2024, 8, 1),
            body="Police",
        )
    with pytest.raises(PermissionDenied):
        _new(rotherham, outsider)
    with pytest.raises(PermissionDenied):
        services.year_publish(partnership=rotherham, by=outsider, year="2024/25")


def test_only_analysts_may_be_named(rotherham, members):
    for role in ("scrutiny", "board"):
        with pytest.raises(ValidationError):
            services.reviewer_name(partnership=rotherham, by=members["admin"], user=members[role])
    with pytest.raises(PermissionDenied):
        services.reviewer_name(
            partnership=rotherham, by=members["analyst"], user=members["analyst"]
        )


def test_a_named_analyst_handles_a_case_end_to_end(rotherham, members):
    services.reviewer_name(partnership=rotherham, by=members["admin"], user=members["analyst"])
    analyst = type(members["analyst"]).objects.get(pk=members["analyst"].pk)
    application = _new(rotherham, analyst)
    for made in (D(2024, 4, 1), D(2024, 6, 1), D(2024, 8, 30)):
        services.complaint_add(
            application=application, by=analyst, made_on=made, behaviour_on=made, body="Police"
        )
    assert services.threshold_result(application).met
    services.threshold_decide(
        application=application, by=analyst, decided_on=D(2024, 9, 10), met=True
    )
    application.refresh_from_db()
    assert application.decision == "met" and application.computed_met is True
    assert application.decision_reason.startswith("Threshold met")
    with pytest.raises(ValidationError):
        services.complaint_add(
            application=application,
            by=analyst,
            made_on=D(2024, 9, 1),
            behaviour_on=D(2024, 9, 1),
            body="x",
        )
    with pytest.raises(ValidationError):  # no review yet
        services.recommendation_add(
            application=application, by=analyst, text="x", due_date=D(2024, 12, 1), owner_role="r"
        )
    services.review_record(
        application=application, by=analyst, review_on=D(2024, 10, 1), agencies="Police, council"
    )
    rec = services.recommendation_add(
        application=application,
        by=analyst,
        text="Applicant Z's door camera",
        due_date=D(2024, 12, 1),
        owner_role="ASB lead",
    )
    action = Action.objects.get(pk=rec.action_id)
    assert action.partnership == rotherham and action.due_date == D(2024, 12, 1)
    assert application.reference in action.title and "Applicant Z" not in action.title
    # The governance action machinery updates it (owner, done).
    governance.action_update(action=action, by=members["admin"], text="Fitted", status="done")
    assert Action.objects.get(pk=action.pk).status == "done"


def test_overriding_the_test_needs_a_reason(rotherham, members):
    admin = members["admin"]
    application = _new(rotherham, admin)
    services.complaint_add(
        application=application,
        by=admin,
        made_on=D(2024, 8, 1),
        behaviour_on=D(2024, 8, 1),
        body="Police",
    )
    assert not services.threshold_result(application).met
    with pytest.raises(ValidationError) as err:
        services.threshold_decide(
            application=application, by=admin, decided_on=D(2024, 9, 5), met=True
        )
    assert "reason" in err.value.message_dict
    services.threshold_decide(
        application=application,
        by=admin,
        decided_on=D(2024, 9, 5),
        met=True,
        reason="Vulnerable victim",
    )
    application.refresh_from_db()
    assert application.overridden and application.decision_reason == "Vulnerable victim"


def test_a_lowered_threshold_from_the_settings(rotherham, members):
    admin = members["admin"]
    application = _new(rotherham, admin)
    services.complaint_add(
        application=application,
        by=admin,
        made_on=D(2024, 8, 1),
        behaviour_on=D(2024, 8, 1),
        body="Police",
    )
    assert not services.threshold_result(application).met
    services.settings_update(partnership=rotherham, by=admin, complaints=1)
    assert services.threshold_result(application).met
    with pytest.raises(ValidationError):
        services.settings_update(partnership=rotherham, by=admin, complaints=4)
    with pytest.raises(PermissionDenied):
        services.settings_update(partnership=rotherham, by=members["analyst"], complaints=2)


def test_personal_details_never_reach_the_audit_log(rotherham, members):
    build(rotherham, members["admin"], mark="PERSONALMARK ")
    events = AuditEvent.objects.filter(partnership=rotherham)
    assert events.filter(verb="application.create").exists()
    for event in events:
        text = f"{event.before} {event.after} {event.object_repr}"
        assert "PERSONALMARK Applicant" not in text
        assert "Invented Street" not in text and "01234" not in text
        assert "Noise and intimidation" not in text


def test_yearly_figures_against_hand_counts(rotherham, members):
    build(rotherham, members["admin"])
    _new(rotherham, members["admin"], received_on=D(2025, 4, 2))  # 2025/26, undecided
    assert selectors.year_figures(rotherham) == [
        YearFigures("2024/25", 2, 1, 1, 1),
        YearFigures("2025/26", 1, 0, 0, 0),
    ]


def test_publishing_a_year(rotherham, members):
    with pytest.raises(ValidationError):
        services.year_publish(
            partnership=rotherham, by=members["admin"], year="2026/27"
        )  # not ended
    with pytest.raises(ValidationError):
        services.year_publish(partnership=rotherham, by=members["admin"], year="2024/26")
    with pytest.raises(PermissionDenied):
        services.year_publish(partnership=rotherham, by=members["analyst"], year="2024/25")
    services.year_publish(partnership=rotherham, by=members["admin"], year="2024/25")
    assert selectors.published_years(rotherham) == {"2024/25"}
    services.year_unpublish(partnership=rotherham, by=members["admin"], year="2024/25")
    assert selectors.published_years(rotherham) == set()


def test_calls_for_action(rotherham, sheffield, members, make_member):
    from tests.governance.world import build as build_governance

    gov = build_governance(rotherham, members["admin"])
    call_id = build(rotherham, members["admin"])["call"]
    call = selectors.call_get(rotherham, call_id)
    for role in ("lead", "board", "scrutiny"):
        with pytest.raises(PermissionDenied):
            services.call_respond(
                call=call, by=members[role], response="x", responded_on=D(2024, 7, 5)
            )
    outsider = make_member(sheffield, "admin", username="outsider")
    with pytest.raises(PermissionDenied):
        services.call_respond(call=call, by=outsider, response="x", responded_on=D(2024, 7, 5))
    services.call_respond(
        call=call, by=members["analyst"], response="Patrols asked for", responded_on=D(2024, 7, 5)
    )
    from saferstat.governance.models import Body, Meeting

    committee = Body.objects.get(pk=gov["scrutiny"])
    hearing = Meeting.objects.get(pk=gov["hearing"])
    services.call_refer(call=call, by=members["analyst"], committee=committee, meeting=hearing)
    call.refresh_from_db()
    assert call.status == CallStatus.REFERRED
    item = WorkProgrammeItem.objects.get(pk=call.committee_item_id)
    assert item.body == committee and item.meeting == hearing and "Off-road bikes" in item.topic
    board = Body.objects.get(pk=gov["board"])
    with pytest.raises(ValidationError):
        services.call_refer(call=call, by=members["analyst"], committee=board)
    services.call_close(
        call=call, by=members["analyst"], outcome="Patrols in place", closed_on=D(2024, 12, 1)
    )
    assert selectors.call_get(rotherham, call_id).status == CallStatus.CLOSED


def test_deadline_reminders_through_the_governance_job(rotherham, members, settings):
    settings.SAFERSTAT_SITE_URL = "https://saferstat.example"
    members["admin"].email = "admin@example.invalid"
    members["admin"].save()
    members["scrutiny"].email = "scrutiny@example.invalid"
    members["scrutiny"].save()
    application = _new(rotherham, members["admin"], received_on=D(2024, 9, 2))
    run = reminders_run(partnership=rotherham, today=D(2024, 9, 20))
    assert run.ok and "1 case review deadline(s)" in run.detail
    sent = [m for m in mail.outbox if "case review" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["admin@example.invalid"]
    body = sent[0].body
    assert application.reference in body and "LATE" in body
    assert "Applicant Z" not in body and "zz@example" not in body
    assert Application.objects.get(pk=application.pk).last_reminded_on == D(2024, 9, 20)
    again = reminders_run(partnership=rotherham, today=D(2024, 9, 20))
    assert "0 case review deadline(s)" in again.detail
