"""The accessibility statement, in the GOV.UK model form (Public Sector Bodies Accessibility
Regulations 2018): every section of the model, the default text until a site administrator
saves one, edits by site administrators only, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.core.models import AccessibilityStatement, AuditEvent, User
from saferstat.core.services import accessibility_statement_save

#: The headings of the GOV.UK sample statement, in its order.
MODEL_HEADINGS = [
    "How accessible this service is",
    "Feedback and contact information, and reporting accessibility problems",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "What we're doing to improve accessibility",
    "Preparation of this accessibility statement",
]

VALUES = {
    "organisation": "Example Borough Council",
    "compliance_status": "partial",
    "non_compliance": "- Maps use colour alone (WCAG 1.4.1). Fixed by March.",
    "disproportionate_burden": "",
    "out_of_scope": "",
    "improvements": "",
    "report_a_problem": "Email access@example.gov.uk",
    "enforcement": "The EHRC enforces the regulations.",
    "testing": "Tested by the council's web team with NVDA.",
    "prepared_on": "2025-07-01",
    "reviewed_on": "2025-09-01",
    "tested_on": "2025-06-20",
}


def headings(html: str) -> list[str]:
    return [h.strip() for h in re.findall(r"<h[2-4][^>]*>([^<]+)</h[2-4]>", html)]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="x-long-password-1")


@pytest.mark.django_db
def test_the_default_statement_has_every_section_of_the_model(client):
    response = client.get("/accessibility/")
    html = response.content.decode()
    found = headings(html)
    assert [h for h in found if h in MODEL_HEADINGS] == MODEL_HEADINGS
    assert "This website is partially compliant with the" in html
    assert "Equality and Human Rights Commission" in html  # the enforcement procedure
    assert "2.2.1" in html  # a known problem found by hand: the session time limit
    assert re.search(r"This statement was prepared on \d+ \w+ 20\d\d\. It was last", html)
    assert "Edit the accessibility statement" not in html


@pytest.mark.django_db
def test_a_site_administrator_edits_it_and_the_change_is_audited(client, root, rotherham, members):
    for user in (members["admin"], None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.post("/accessibility/edit/", VALUES)
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"].startswith("/sign-in/")
    assert not AccessibilityStatement.objects.exists()

    client.force_login(root)
    assert "Edit the accessibility statement" in client.get("/accessibility/").content.decode()
    form = client.get("/accessibility/edit/").content.decode()
    assert "Equality and Human Rights Commission" in form  # starts from the default text
    response = client.post("/accessibility/edit/", VALUES)
    assert response.status_code == 302 and response["Location"] == "/accessibility/"

    client.logout()
    html = client.get("/accessibility/").content.decode()
    assert "run by Example Borough Council" in html
    assert "<li>Maps use colour alone (WCAG 1.4.1). Fixed by March.</li>" in html
    assert "prepared on 1 July 2025. It was last reviewed on 1 September 2025." in html
    assert "last tested on 20 June 2025" in html
    assert 'href="mailto:access@example.gov.uk"' in html
    assert "Equality and Human Rights Commission" not in html  # replaced by the saved text
    event = AuditEvent.objects.get(verb="accessibility_statement.update")
    assert event.actor == root and event.partnership is None and event.before is None
    assert event.after["compliance_status"] == "partial"

    fully = {**VALUES, "compliance_status": "full"}
    client.force_login(root)
    assert client.post("/accessibility/edit/", fully).status_code == 302
    client.logout()
    html = client.get("/accessibility/").content.decode()
    assert "This website is fully compliant with the" in html
    assert "Non-accessible content" not in html
    second = AuditEvent.objects.filter(verb="accessibility_statement.update").latest("id")
    assert (second.before["compliance_status"], second.after["compliance_status"]) == (
        "partial",
        "full",
    )
    assert AccessibilityStatement.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_others_and_a_review_before_preparation(root, members):
    data = {
        **VALUES,
        "prepared_on": dt.date(2025, 7, 1),
        "reviewed_on": dt.date(2025, 9, 1),
        "tested_on": dt.date(2025, 6, 20),
    }
    with pytest.raises(PermissionDenied):
        accessibility_statement_save(by=members["admin"], **data)
    with pytest.raises(ValidationError) as refused:
        accessibility_statement_save(by=root, **{**data, "reviewed_on": dt.date(2025, 1, 1)})
    assert "reviewed_on" in refused.value.message_dict
    assert not AccessibilityStatement.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="accessibility").exists()


@pytest.mark.django_db
def test_the_form_shows_the_review_date_error(client, root):
    client.force_login(root)
    response = client.post("/accessibility/edit/", {**VALUES, "reviewed_on": "2024-01-01"})
    assert response.status_code == 400
    assert "The review date cannot be before the date it was prepared." in response.content.decode()
    assert not AccessibilityStatement.objects.exists()
