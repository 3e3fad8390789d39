"""Retention: the daily job erases the declared personal fields of records whose period has
ended, keeps the records, and leaves the four statutory case review figures the same."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from saferstat.assessment.models import ConsultationResponse, TensionAction, TensionReport
from saferstat.casereviews import selectors
from saferstat.casereviews.models import Appeal, Application, CallForAction, CaseRecommendation
from saferstat.core.models import AuditEvent
from saferstat.dataprotection import services
from saferstat.dataprotection.models import Erasure
from saferstat.dataprotection.tasks import erase_expired_personal_data
from saferstat.governance.models import JobRun
from tests.assessment.world import build as build_assessment
from tests.dataprotection.world import closed_cases

D = dt.date
pytestmark = pytest.mark.django_db


def _audit_text(label: str, pk: int) -> str:
    events = AuditEvent.objects.filter(object_type=label, object_id=str(pk))
    return json.dumps([[e.before, e.after] for e in events])


def test_retention_erases_closed_cases_and_the_yearly_figures_stay_the_same(rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    figures = selectors.year_figures(rotherham)
    assert [
        (f.year, f.applications, f.threshold_not_met, f.reviews, f.with_recommendations)
        for f in figures
    ] == [("2024/25", 2, 1, 1, 1)]
    # Closed 1 November 2024; six years (72 months) later to the day it expires.
    run = services.retention_run(partnership=rotherham, today=D(2030, 11, 1))
    assert run.ok and run.job == "dataprotection.retention"
    assert "1 asb case review applications" in run.detail
    met = Application.objects.get(pk=world["application"])
    assert met.applicant_name == "[erased]"  # a required field
    assert (met.applicant_contact, met.location, met.behaviour, met.review_outcome) == (
        "",
        "",
        "",
        "",
    )
    # The facts the figures count are kept.
    assert (met.received_on, met.decision, met.review_on) == (
        D(2024, 9, 2),
        "met",
        D(2024, 10, 1),
    )
    assert Appeal.objects.get(application=met).grounds == "[erased]"
    assert CaseRecommendation.objects.get(application=met).text == "[erased]"
    assert met.complaints.count() == 3
    # The open case (never told the outcome) is untouched.
    open_case = Application.objects.get(pk=world["open_application"])
    assert open_case.applicant_name == "Applicant B"
    # The figures, computed from the records, are the same after erasure.
    assert selectors.year_figures(rotherham) == figures
    assert Erasure.objects.filter(object_type="casereviews.Application").count() == 1
    assert AuditEvent.objects.filter(verb="personal_data.erase", actor=None).exists()
    # Running again erases nothing more.
    services.retention_run(partnership=rotherham, today=D(2030, 11, 2))
    assert Erasure.objects.filter(object_type="casereviews.Application").count() == 1


def test_a_day_early_nothing_is_erased(rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    services.retention_run(partnership=rotherham, today=D(2030, 10, 31))
    assert Application.objects.get(pk=world["application"]).applicant_name == "Applicant A"
    # The call closed on 1 August 2024 has expired by then.
    assert CallForAction.objects.get(pk=world["call"]).matter == "[erased]"


def test_retention_periods_are_per_partnership(rotherham, sheffield, members, make_member):
    world = closed_cases(rotherham, members["admin"])
    s_admin = make_member(sheffield, "admin", username="sheffield-admin")
    s_world = closed_cases(sheffield, s_admin, mark="S ")
    with pytest.raises(PermissionDenied):
        services.retention_set(
            partnership=rotherham, by=members["analyst"], record_type="case_review", months=1
        )
    with pytest.raises(ValidationError):
        services.retention_set(
            partnership=rotherham, by=members["admin"], record_type="user_account", months=1
        )
    services.retention_set(
        partnership=rotherham, by=members["admin"], record_type="case_review", months=120
    )
    assert AuditEvent.objects.filter(verb="retention.set", partnership=rotherham).exists()
    services.retention_run_all(today=D(2030, 11, 1))
    # Rotherham keeps cases ten years; Sheffield the default six.
    assert Application.objects.get(pk=world["application"]).applicant_name == "Applicant A"
    assert Application.objects.get(pk=s_world["application"]).applicant_name == "[erased]"


def test_calls_tension_reports_and_consultation_responses_expire(rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    assessment = build_assessment(rotherham, members["admin"], members["analyst"])
    assert "Residents report off-road bikes" in _audit_text(
        "casereviews.CallForAction", world["call"]
    )
    responses = ConsultationResponse.objects.filter(consultation_id=assessment["consultation"])
    count = responses.count()
    themes = sorted(responses.values_list("concern_theme", flat=True))
    services.retention_run(partnership=rotherham, today=D(2040, 1, 1))
    call = CallForAction.objects.get(pk=world["call"])
    # Required fields hold "[erased]", optional ones are blanked.
    assert (call.councillor, call.matter, call.outcome) == ("[erased]", "[erased]", "")
    assert (call.ward, call.topic, call.status) == (
        "Central",
        "Off-road bikes on the park",
        "closed",
    )
    # The audit log's snapshots of the call lose the personal values too.
    text = _audit_text("casereviews.CallForAction", world["call"])
    assert "Residents report" not in text and "Patrols increased" not in text
    report = TensionReport.objects.get(pk=assessment["tension"])
    assert (report.source, report.description) == ("[erased]", "[erased]")
    assert (report.area, report.level) == ("Town centre", "medium")
    assert TensionAction.objects.get(report=report).text == "[erased]"
    # Responses are kept (the count), their equality answers blanked.
    assert responses.count() == count
    assert set(responses.values_list("age", "sex", "ethnic_group")) == {("", "", "")}
    assert sorted(responses.values_list("concern_theme", flat=True)) == themes


def test_the_scheduled_task_and_command_and_the_jobs_page(client, rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    services.retention_set(
        partnership=rotherham, by=members["admin"], record_type="case_review", months=1
    )
    assert erase_expired_personal_data.enqueue().return_value >= 1  # immediate in tests
    assert Application.objects.get(pk=world["application"]).applicant_name == "[erased]"
    call_command("queue_retention", "--now", stdout=open("/dev/null", "w"))
    assert JobRun.objects.filter(partnership=rotherham, job=services.JOB).count() == 2
    client.force_login(members["analyst"])
    html = client.get("/p/rotherham/governance/jobs/").content.decode()
    assert "Personal data retention" in html and "Erased:" in html


def test_the_personal_data_page_shows_the_declaration_and_sets_periods(client, rotherham, members):
    client.force_login(members["admin"])
    html = client.get("/p/rotherham/personal-data/").content.decode()
    assert 'id="retention-case_review"' in html and "72 months after" in html
    assert "applicant_name" in html
    response = client.post(
        "/p/rotherham/personal-data/", {"record_type": "case_review", "months": "84"}
    )
    assert response.status_code == 302
    assert "84 months after" in client.get("/p/rotherham/personal-data/").content.decode()
    assert client.post("/p/rotherham/personal-data/", {"months": "0"}).status_code == 400
