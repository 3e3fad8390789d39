"""Members' data requests: raise, answer with evidence, history, lists per member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import DataRequest, RequestStatus
from saferstat.intelligence.requests.services import (
    data_request_answer,
    data_request_raise,
    explorer_query_from_url,
)

FUTURE = dt.date.today() + dt.timedelta(days=30)


@pytest.mark.django_db
def test_member_raises_analyst_answers_with_a_saved_view(client, rotherham, members):
    client.force_login(members["scrutiny"])
    response = client.post(
        "/p/rotherham/requests/new/",
        {
            "question": "Is knife crime going up, and how do we compare with Barnsley?",
            "due_date": FUTURE.isoformat(),
        },
    )
    req = DataRequest.objects.get()
    assert response["Location"] == f"/p/rotherham/requests/{req.pk}/"
    client.force_login(members["analyst"])
    url = f"/p/rotherham/requests/{req.pk}/"
    client.post(
        url,
        {
            "action": "attach",
            "url": "http://x/p/rotherham/explore/?view=compare&period=2024%2F25",
            "title": "Rates",
        },
    )
    client.post(
        url, {"action": "answer", "answer": "Not significantly; Rotherham is below the group rate."}
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.ANSWERED and req.answered_by == members["analyst"]
    assert [e.kind for e in req.events.all()] == ["raised", "view_attached", "answered"]
    page = client.get(url).content.decode()
    assert 'href="/p/rotherham/explore/?view=compare&amp;period=2024%2F25"' in page
    mine = client.get("/p/rotherham/requests/?who=mine")
    assert b"Is knife crime" not in mine.content  # the analyst did not raise it
    client.force_login(members["scrutiny"])
    assert b"Is knife crime" in client.get("/p/rotherham/requests/?who=mine").content
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"data_request.raise", "saved_view.create", "data_request.answer"} <= verbs


@pytest.mark.django_db
def test_only_analysts_answer(client, rotherham, members):
    req = data_request_raise(
        partnership=rotherham, by=members["board"], question="Q?", due_date=FUTURE
    )
    with pytest.raises(PermissionDenied):
        data_request_answer(request=req, by=members["board"], answer="A")
    client.force_login(members["lead"])
    assert (
        client.post(
            f"/p/rotherham/requests/{req.pk}/", {"action": "answer", "answer": "x"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_validation(client, rotherham, members):
    with pytest.raises(ValidationError):
        data_request_raise(
            partnership=rotherham, by=members["board"], question="  ", due_date=FUTURE
        )
    with pytest.raises(ValidationError):
        data_request_raise(
            partnership=rotherham,
            by=members["board"],
            question="Q",
            due_date=dt.date.today() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        explorer_query_from_url(
            partnership=rotherham, url="https://evil.example/p/sheffield/explore/?view=trend"
        )
    client.force_login(members["scrutiny"])
    response = client.post("/p/rotherham/requests/new/", {"question": "", "due_date": "tomorrow"})
    assert response.status_code == 400 and b'href="#due_date"' in response.content


@pytest.mark.django_db
def test_question_text_is_stored_as_plain_text(rotherham, members):
    req = data_request_raise(
        partnership=rotherham,
        by=members["board"],
        question="<script>alert(1)</script>Hate crime?",
        due_date=FUTURE,
    )
    assert "<script>" not in req.question and "Hate crime?" in req.question


@pytest.mark.django_db
def test_requests_of_another_partnership_are_not_found(
    client, rotherham, sheffield, members, make_member
):
    other = make_member(sheffield, "scrutiny", username="sh-scrutiny")
    req = data_request_raise(partnership=sheffield, by=other, question="Q?", due_date=FUTURE)
    client.force_login(members["analyst"])
    assert client.get(f"/p/rotherham/requests/{req.pk}/").status_code == 404
    assert b"Q?" not in client.get("/p/rotherham/requests/").content
