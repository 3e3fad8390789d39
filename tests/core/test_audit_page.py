"""The audit log page: per object and per person, before/after, only the partnership's own
events, read-only. (The rows themselves refusing change: test_audit.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from saferstat.core import audit
from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import ImportRun
from saferstat.intelligence.requests.services import data_request_answer, data_request_raise

URL = "/p/rotherham/audit/"
DUE = dt.date(2031, 1, 1)


def rows_of(html: str) -> list[str]:
    """The audit table's body rows."""
    body = html.split('<tbody class="govuk-table__body">', 1)
    return re.findall(r'<tr class="govuk-table__row">\s*<td', body[1]) if len(body) > 1 else []


@pytest.fixture
def story(rotherham, members):
    """A request raised by scrutiny and answered by the analyst, and an import run."""
    req = data_request_raise(
        partnership=rotherham,
        by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date=DUE,
    )
    data_request_answer(
        request=req, by=members["analyst"], answer="Yes, by 12% (SPC: special cause)."
    )
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="2024-06-south-yorkshire-street.csv",
        stored_path="/none",
        size_bytes=1,
    )
    audit.record(
        actor=members["analyst"],
        verb="import.upload",
        obj=run,
        partnership=rotherham,
        after=audit.snapshot(run, ["original_name", "status"]),
    )
    return req, run


@pytest.mark.django_db
def test_filter_by_object_shows_only_its_events_with_a_diff(client, members, story):
    req, _ = story
    client.force_login(members["admin"])
    response = client.get(URL, {"object": f"intelligence.DataRequest:{req.pk}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert len(rows_of(html)) == 2
    assert (
        "data_request.answer" in html
        and "data_request.raise" in html
        and "import.upload" not in html
    )
    assert 'id="filter-object"' in html and "Is knife crime going up?" in html
    # The answer's diff: status and answer, before and after.
    assert re.search(
        r'<th scope="row" class="govuk-table__header">status</th><td class="govuk-table__cell">open</td>'
        r'<td class="govuk-table__cell">answered</td>',
        html,
    )
    assert "Yes, by 12% (SPC: special cause)." in html
    # Remove the filter: every event again.
    assert 'href="?"' in html


@pytest.mark.django_db
def test_filter_by_person_and_by_system(client, rotherham, members, story):
    client.force_login(members["admin"])
    html = client.get(URL, {"actor": members["analyst"].pk}).content.decode()
    expected = AuditEvent.objects.filter(partnership=rotherham, actor=members["analyst"]).count()
    assert expected == 2 and len(rows_of(html)) == expected
    assert "data_request.raise" not in html and "import.upload" in html
    assert 'id="filter-actor"' in html and "Test analyst" in html
    html = client.get(URL, {"actor": "system"}).content.decode()
    assert (
        len(rows_of(html))
        == AuditEvent.objects.filter(partnership=rotherham, actor=None).count()
        >= 1
    )
    assert "partnership.create" in html


@pytest.mark.django_db
def test_every_row_links_its_object_and_person_to_their_filtered_view(client, members, story):
    req, run = story
    client.force_login(members["admin"])
    html = client.get(URL).content.decode()
    assert f'href="?object=intelligence.DataRequest:{req.pk}"' in html
    assert f'href="?object=intelligence.ImportRun:{run.pk}"' in html
    assert f'href="?actor={members["scrutiny"].pk}"' in html and 'href="?actor=system"' in html


@pytest.mark.django_db
def test_pagination_keeps_the_filter(client, rotherham, members, story):
    _, run = story
    for i in range(60):
        audit.record(
            actor=members["analyst"],
            verb="import.note",
            obj=run,
            partnership=rotherham,
            after={"i": i},
        )
    client.force_login(members["admin"])
    ref = f"intelligence.ImportRun:{run.pk}"
    html = client.get(URL, {"object": ref}).content.decode()
    assert len(rows_of(html)) == 50 and "Page 1 of 2" in html
    assert f'href="?object=intelligence.ImportRun%3A{run.pk}&amp;page=2"' in html
    page2 = client.get(URL, {"object": ref, "page": 2}).content.decode()
    assert len(rows_of(page2)) == 61 - 50 and 'id="filter-object"' in page2


@pytest.mark.django_db
def test_another_partnerships_events_never_appear(
    client, rotherham, sheffield, members, make_member, story
):
    outsider = make_member(sheffield, "admin", username="sheffield-boss")
    outsider.display_name = "Shona Secretname"
    outsider.save()
    req = data_request_raise(
        partnership=sheffield, by=outsider, question="SECRET-SHEFFIELD question", due_date=DUE
    )
    client.force_login(members["admin"])
    for params in (
        {},
        {"object": f"intelligence.DataRequest:{req.pk}"},
        {"actor": outsider.pk},
        {"object": f"intelligence.DataRequest:{req.pk}", "actor": outsider.pk},
        {"object": f"core.Partnership:{sheffield.pk}"},
    ):
        response = client.get(URL, params)
        html = response.content.decode()
        assert response.status_code == 200, params
        assert (
            "SECRET-SHEFFIELD" not in html
            and "Secretname" not in html
            and "sheffield-boss" not in html
        ), params
        if params:
            assert rows_of(html) == [] and "No changes match." in html, params
    # The filter label never looks the user up: only this partnership's events name people.
    assert f"user {outsider.pk}" in client.get(URL, {"actor": outsider.pk}).content.decode()
    # Sheffield's own admin sees the event in Sheffield's log, and nothing of Rotherham's.
    client.force_login(outsider)
    html = client.get("/p/sheffield/audit/").content.decode()
    assert "SECRET-SHEFFIELD" in html and "Is knife crime going up?" not in html
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"object": "nonsense"}, {"object": "x:1:2"}, {"actor": "abc"}])
def test_a_malformed_filter_is_a_clear_error(client, members, story, params):
    client.force_login(members["admin"])
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Filter by" in html and rows_of(html) == []


@pytest.mark.django_db
def test_the_log_cannot_be_changed_through_the_app(
    client, rotherham, members, story, django_user_model
):
    count = AuditEvent.objects.count()
    event = AuditEvent.objects.filter(partnership=rotherham).latest("id")
    client.force_login(members["admin"])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(URL, {"verb": "tampered"})
        assert response.status_code == 405, method
    assert client.head(URL).status_code == 200
    # Django's admin: read-only even for a superuser.
    root = django_user_model.objects.create_superuser(
        "root", "root@example.org", "a-long-test-password-123"
    )
    client.force_login(root)
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200  # view only
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/change/", {"verb": "tampered"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.post("/admin/core/auditevent/add/", {"verb": "forged"}).status_code == 403
    bulk = client.post(
        "/admin/core/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302, 403}
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).verb == event.verb


@pytest.mark.django_db
def test_history_links_for_those_who_may_read_the_log(client, members, story):
    req, run = story
    pages = {
        f"/p/rotherham/imports/{run.pk}/": f"intelligence.ImportRun%3A{run.pk}",
        f"/p/rotherham/requests/{req.pk}/": f"intelligence.DataRequest%3A{req.pk}",
    }
    for page, ref in pages.items():
        client.force_login(members["admin"])
        html = client.get(page).content.decode()
        link = f'href="/p/rotherham/audit/?object={ref}"'
        assert link in html and 'id="history-link"' in html, page
        history = client.get(f"/p/rotherham/audit/?object={ref}").content.decode()
        assert len(rows_of(history)) >= 1 and 'id="filter-object"' in history
        client.force_login(members["analyst"])  # may see the page, not the audit log
        assert 'id="history-link"' not in client.get(page).content.decode(), page


def test_changes_lists_created_fields_or_only_what_changed():
    assert audit.changes(None, {"a": 1, "b": None}) == [("a", "", "1"), ("b", "", "")]
    assert audit.changes({"a": 1, "b": "x"}, {"a": 2, "b": "x"}) == [("a", "1", "2")]
    assert audit.changes({"a": [1]}, None) == [("a", "[1]", "")]
    assert audit.changes({"s": "open"}, {"s": "queued", "reason": "why"}) == [
        ("s", "open", "queued"),
        ("reason", "", "why"),
    ]
    assert audit.parse_object_ref("intelligence.ImportRun:12") == ("intelligence.ImportRun", "12")
    with pytest.raises(ValueError):
        audit.parse_object_ref("ImportRun 12")
