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


# --- deleting themes and priorities ---------------------------------------------------------


def _spare(world, members, key="spare"):
    """A theme with one priority nothing hangs off, and a not-started return for it."""
    from saferstat.performance.models import Return
    from saferstat.plan.services import priority_upsert, theme_upsert

    theme = theme_upsert(plan=world["plan"], by=members["analyst"], key=key, name="Spare theme")
    priority = priority_upsert(
        theme=theme, by=members["analyst"], key=key, name="Spare priority", objectives=["One"]
    )
    Return.objects.create(
        partnership=world["plan"].partnership,
        priority=priority,
        period=world["periods"]["2024/25-Q1"],
    )
    return theme, priority


def test_a_priority_nothing_hangs_off_is_deleted_after_confirmation(client, world, members):
    from saferstat.performance.models import Return

    theme, priority = _spare(world, members)
    client.force_login(members["analyst"])
    page = client.get(URL).content.decode()
    assert "Yes, delete the priority “Spare priority”" in page
    # The indicators' priority offers no deletion, and says why.
    assert f"{world['first'].name}</strong>: cannot be deleted, because 2 indicators" in page
    form = {"form": "delete_priority", "id": priority.pk}
    response = client.post(URL, form)
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert Priority.objects.filter(pk=priority.pk).exists()
    assert client.post(URL, {**form, "confirm": "yes"}).status_code == 302
    assert not Priority.objects.filter(pk=priority.pk).exists()
    assert not Return.objects.filter(priority_id=priority.pk).exists()  # not started: gone too
    event = AuditEvent.objects.get(verb="plan.priority_delete")
    assert event.before["name"] == "Spare priority" and event.before["objectives"] == ["One"]
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_a_priority_in_use_is_refused_with_the_reason(client, world, members):
    from saferstat.core.services import organisation_upsert
    from saferstat.delivery.services import project_upsert
    from saferstat.performance.models import Return

    client.force_login(members["analyst"])
    audits = AuditEvent.objects.count()
    response = client.post(
        URL, {"form": "delete_priority", "id": world["first"].pk, "confirm": "yes"}
    )
    assert response.status_code == 400
    assert "2 indicators belong to it" in response.content.decode()
    assert Priority.objects.filter(pk=world["first"].pk).exists()
    assert AuditEvent.objects.count() == audits
    # A project serving it, or a started return, keeps it too.
    _, spare = _spare(world, members)
    org = organisation_upsert(
        partnership=world["plan"].partnership, name="A charity", kind="voluntary",
        is_responsible_authority=False,
    )  # fmt: skip
    project = project_upsert(
        partnership=world["plan"].partnership, by=members["analyst"], name="A project",
        organisation=org, priority=spare, start_date=world["periods"]["2024/25-Q1"].opens_on,
        end_date=world["periods"]["2024/25-Q1"].opens_on,
    )  # fmt: skip
    audits = AuditEvent.objects.count()
    body = client.post(
        URL, {"form": "delete_priority", "id": spare.pk, "confirm": "yes"}
    ).content.decode()
    assert "1 project serves it" in body
    project.priorities.set([world["first"]])
    Return.objects.filter(priority=spare).update(status="draft")
    body = client.post(
        URL, {"form": "delete_priority", "id": spare.pk, "confirm": "yes"}
    ).content.decode()
    assert "1 quarterly return has been started for it" in body
    assert Priority.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.count() == audits


def test_a_theme_is_deleted_with_its_priorities_only_when_none_is_in_use(client, world, members):
    theme, priority = _spare(world, members)
    client.force_login(members["analyst"])
    in_use = world["first"].theme
    response = client.post(URL, {"form": "delete_theme", "id": in_use.pk, "confirm": "yes"})
    assert response.status_code == 400
    assert "cannot be deleted while its priorities are in use" in response.content.decode()
    assert Theme.objects.filter(pk=in_use.pk).exists()
    response = client.post(URL, {"form": "delete_theme", "id": theme.pk, "confirm": "yes"})
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert not Priority.objects.filter(pk=priority.pk).exists()
    event = AuditEvent.objects.get(verb="plan.theme_delete")
    assert [p["name"] for p in event.before["priorities"]] == ["Spare priority"]
    # Another plan's theme is not found under this one's address.
    assert client.post(URL, {"form": "delete_theme", "id": 999999}).status_code == 404


@pytest.mark.parametrize("role", ["lead", "board"])
def test_only_analysts_and_admins_delete(client, world, members, role):
    theme, _ = _spare(world, members)
    client.force_login(members[role])
    response = client.post(URL, {"form": "delete_theme", "id": theme.pk, "confirm": "yes"})
    assert response.status_code == 403
    assert Theme.objects.filter(pk=theme.pk).exists()
