"""One person's data: search, subject-access export and erasure on request. Restricted to
the casework roles (admins, named case reviewers), audited, and kept to the partnership."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from saferstat.casereviews import services as casereviews
from saferstat.casereviews.models import Application
from saferstat.core.models import AuditEvent, User
from saferstat.dataprotection import services
from saferstat.dataprotection.models import Erasure, SubjectRequest
from tests.dataprotection.world import closed_cases

pytestmark = pytest.mark.django_db


def _refs(matches, label):
    return [m.ref for m in matches if m.model.label == label]


def test_search_finds_a_person_and_is_audited_without_the_term(rotherham, members):
    closed_cases(rotherham, members["admin"])
    found = services.search(partnership=rotherham, by=members["admin"], term="applicant a")
    assert [m.obj.applicant_name for m in found] == ["Applicant A"]
    assert found[0].matched == ("applicant_name",)
    by_phone = services.search(partnership=rotherham, by=members["admin"], term="01234 000")
    assert by_phone[0].matched == ("applicant_contact",)
    event = AuditEvent.objects.filter(verb="personal_data.search").latest("pk")
    assert "01234" not in json.dumps(event.after) and event.after["matches"]
    with pytest.raises(ValidationError):
        services.search(partnership=rotherham, by=members["admin"], term="ab")


@pytest.mark.parametrize("role", ["analyst", "lead", "board", "scrutiny"])
def test_only_the_casework_roles_handle_requests(role, rotherham, members):
    closed_cases(rotherham, members["admin"])
    with pytest.raises(PermissionDenied):
        services.search(partnership=rotherham, by=members[role], term="Applicant")
    with pytest.raises(PermissionDenied):
        services.subject_export(
            partnership=rotherham, by=members[role], reference="R1", refs=["x.Y:1"]
        )
    with pytest.raises(PermissionDenied):
        services.subject_erase(
            partnership=rotherham, by=members[role], reference="R1", refs=["x.Y:1"], note="n"
        )


def test_a_named_case_reviewer_may_handle_requests(rotherham, members):
    closed_cases(rotherham, members["admin"])
    casereviews.reviewer_name(partnership=rotherham, by=members["admin"], user=members["analyst"])
    analyst = User.objects.get(pk=members["analyst"].pk)
    assert services.search(partnership=rotherham, by=analyst, term="Applicant A")


def test_the_export_holds_everything_about_the_person(rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    found = services.search(partnership=rotherham, by=members["admin"], term="Applicant A")
    request, body = services.subject_export(
        partnership=rotherham, by=members["admin"], reference="SAR-1", refs=[m.ref for m in found]
    )
    data = json.loads(body)
    assert data["request"] == "SAR-1" and len(data["records"]) == 1
    record = data["records"][0]
    assert record["record"] == f"casereviews.Application:{world['application']}"
    assert record["fields"]["applicant_name"] == "Applicant A"
    assert record["fields"]["location"] == "Invented Street"
    assert "72 months after" in record["retention"]
    related = {r["record"].split(":")[0] for r in record["related"]}
    assert related == {
        "casereviews.Complaint",
        "casereviews.Appeal",
        "casereviews.CaseRecommendation",
    }
    assert request.kind == "access" and request.records == [record["record"]]
    event = AuditEvent.objects.get(verb="personal_data.export")
    assert event.actor == members["admin"] and event.after["records"] == request.records


def test_a_user_export_never_holds_the_password(rotherham, members):
    found = services.search(partnership=rotherham, by=members["admin"], term="scrutiny")
    refs = _refs(found, "core.User")
    assert refs
    _, body = services.subject_export(
        partnership=rotherham, by=members["admin"], reference="SAR-2", refs=refs
    )
    assert "password" not in json.loads(body)["records"][0]["fields"]


def test_another_partnerships_record_is_not_found(rotherham, sheffield, members, make_member):
    s_admin = make_member(sheffield, "admin", username="sheffield-admin")
    s_world = closed_cases(sheffield, s_admin, mark="S ")
    ref = f"casereviews.Application:{s_world['application']}"
    assert not services.search(partnership=rotherham, by=members["admin"], term="S Applicant")
    with pytest.raises(Http404):
        services.subject_export(
            partnership=rotherham, by=members["admin"], reference="R", refs=[ref]
        )
    with pytest.raises(Http404):
        services.subject_erase(
            partnership=rotherham, by=members["admin"], reference="R", refs=[ref], note="Asked"
        )
    assert Application.objects.get(pk=s_world["application"]).applicant_name == "S Applicant A"
    # A model that is not declared is refused too.
    with pytest.raises(ValidationError):
        services.subject_export(
            partnership=rotherham, by=members["admin"], reference="R", refs=["core.ApiToken:1"]
        )


def test_erasure_on_request_where_the_law_allows(rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    closed = f"casereviews.Application:{world['application']}"
    still_open = f"casereviews.Application:{world['open_application']}"
    account = f"core.User:{members['scrutiny'].pk}"
    with pytest.raises(ValidationError):  # the officer says why the law allows it
        services.subject_erase(
            partnership=rotherham, by=members["admin"], reference="E1", refs=[closed], note=""
        )
    request = services.subject_erase(
        partnership=rotherham,
        by=members["admin"],
        reference="E1",
        refs=[closed, still_open, account],
        note="Art. 17(1)(a): no longer needed after the case closed",
    )
    assert request.records == [closed]
    reasons = {r["record"]: r["reason"] for r in request.refused}
    assert "17(3)(b)" in reasons[still_open] and "site administrator" in reasons[account]
    assert Application.objects.get(pk=world["application"]).applicant_name == "[erased]"
    assert Application.objects.get(pk=world["open_application"]).applicant_name == "Applicant B"
    assert User.objects.get(pk=members["scrutiny"].pk).username == members["scrutiny"].username
    erasure = Erasure.objects.get()
    assert (erasure.reason, erasure.request) == ("request", request)
    assert AuditEvent.objects.filter(verb="personal_data.erasure_request").count() == 1
    # Erased once: a second request is refused for it.
    again = services.subject_erase(
        partnership=rotherham, by=members["admin"], reference="E2", refs=[closed], note="Again"
    )
    assert again.records == [] and again.refused[0]["reason"] == "Already erased."


def test_the_requests_page(client, rotherham, members):
    world = closed_cases(rotherham, members["admin"])
    client.force_login(members["admin"])
    url = "/p/rotherham/personal-data/requests/"
    html = client.get(url, {"q": "Applicant A"}).content.decode()
    assert 'id="matches"' in html and "Invented Street" in html
    ref = f"casereviews.Application:{world['application']}"
    response = client.post(
        url + "?q=Applicant+A", {"action": "export", "reference": "SAR-9", "records": [ref]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["records"][0]["record"] == ref
    missing = client.post(url + "?q=Applicant+A", {"action": "export", "records": [ref]})
    assert missing.status_code == 400 and "Enter your reference" in missing.content.decode()
    response = client.post(
        url, {"action": "erase", "reference": "E-9", "records": [ref], "note": "Asked"}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "SAR-9" in html and "E-9" in html and SubjectRequest.objects.count() == 2
    client.force_login(members["analyst"])
    assert client.get(url, {"q": "Applicant A"}).status_code == 403
