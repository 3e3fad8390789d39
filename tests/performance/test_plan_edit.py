"""Changing the plan's themes and priorities in the browser: validated, audited, for
analysts and admins only."""

from __future__ import annotations

import pytest

from saferstat.core.models import AuditEvent
from saferstat.plan.models import Priority, Theme

pytestmark = pytest.mark.django_db
URL = "/p/rotherham/plan/edit/"


def test_an_analyst_adds_a_theme_and_a_priority_with_its_lead(client, world, members):
    client.force_login(members["analyst"])
    response = client.post(
        URL, {"form": "theme", "theme-key": "cohesion", "theme-name": "Cohesive communities"}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(plan=world["plan"], key="cohesion")
    response = client.post(
        URL,
        {
            "form": "priority",
            "priority-theme": theme.pk,
            "priority-key": "hate",
            "priority-name": "Tackling hate crime",
            "priority-lead": members["lead"].pk,
            "priority-lead_role": "Community cohesion manager",
            "priority-objectives": "Raise reporting\n\nSupport victims",
        },
    )
    assert response.status_code == 302
    priority = Priority.objects.get(theme=theme, key="hate")
    assert priority.lead == members["lead"]
    assert [o.text for o in priority.objectives.all()] == ["Raise reporting", "Support victims"]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"plan.theme_set", "plan.priority_set"} <= verbs
    page = client.get(f"{URL}?priority={priority.pk}").content.decode()
    assert 'value="Tackling hate crime"' in page


def test_a_lead_who_is_not_a_priority_lead_is_refused(client, world, members):
    client.force_login(members["analyst"])
    audits = AuditEvent.objects.count()
    response = client.post(
        URL,
        {
            "form": "priority",
            "priority-theme": world["first"].theme.pk,
            "priority-key": "new-one",
            "priority-name": "New",
            "priority-lead": members["board"].pk,  # not a lead: not even offered
        },
    )
    assert response.status_code == 400
    assert not Priority.objects.filter(key="new-one").exists()
    assert AuditEvent.objects.count() == audits
    assert client.post(URL, {}).status_code == 400  # neither form


@pytest.mark.parametrize("role", ["lead", "board", "scrutiny"])
def test_only_analysts_and_admins_change_the_plan(client, world, members, role):
    client.force_login(members[role])
    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, {"form": "theme", "theme-key": "x", "theme-name": "x"}).status_code == 403
    )
