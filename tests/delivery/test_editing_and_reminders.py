"""Projects serving several priorities (and the migration that kept each project's
priority), the awards by priority, editing a stream, withdrawing an award, and monitoring
return reminders through the shared return reminders (run by the governance reminder job)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saferstat.core.models import AuditEvent
from saferstat.delivery import money, selectors, services
from saferstat.delivery.models import FundingStream, Grant, MonitoringEvent, Project
from saferstat.delivery.reminders import MONITORING_REMINDERS
from saferstat.governance import reminders as governance_reminders
from saferstat.governance.models import JobRun
from saferstat.performance import reminders as shared
from saferstat.performance.services import INDICATOR_REMINDERS
from saferstat.plan.models import Objective, Priority

pytestmark = pytest.mark.django_db


def _second_priority(world) -> Priority:
    first = world["priority"]
    return Priority.objects.filter(theme__plan=first.theme.plan).exclude(pk=first.pk).first()


@pytest.mark.parametrize(
    ("pence", "parts", "shares"),
    [(10001, 3, [3334, 3334, 3333]), (10000, 2, [5000, 5000]), (1, 3, [1, 0, 0]), (7, 1, [7])],
)
def test_split_pence_adds_up_to_the_whole(pence, parts, shares):
    assert money.split_pence(pence, parts) == shares
    assert sum(money.split_pence(pence, parts)) == pence


@pytest.mark.parametrize("bad", [1.5, True, "100"])
def test_split_pence_refuses_anything_but_whole_pence(bad):
    with pytest.raises(ValueError):
        money.split_pence(bad, 2)


def test_a_project_serving_two_priorities_has_its_award_split(client, members, world):
    second = _second_priority(world)
    project = world["project"]
    services.project_upsert(
        partnership=project.partnership,
        by=members["analyst"],
        name=project.name,
        organisation=project.organisation,
        priorities=[world["priority"], second],
        start_date=project.start_date,
        end_date=project.end_date,
        lead=project.lead,
    )
    services.grant_set(
        project=project, stream=world["stream"], by=members["analyst"], amount_pence=2_000_001
    )
    rows = {n: (t, c) for n, t, c in selectors.funding_by(partnership=project.partnership,
                                                           by="priority")}  # fmt: skip
    names = sorted([world["priority"].name, second.name])
    assert rows == {names[0]: (1_000_001, 1), names[1]: (1_000_000, 1)}
    awarded = sum(g.amount_pence for g in Grant.objects.filter(stream=world["stream"]))
    assert sum(t for t, _ in rows.values()) == awarded  # the column adds up
    client.force_login(members["scrutiny"])
    html = client.get("/p/rotherham/delivery/").content.decode()
    assert "split equally between them, in whole pence" in html
    assert project.name in html.split('id="split-rule"')[1].split("</p>")[0]
    html = client.get(f"/p/rotherham/delivery/projects/{project.pk}/").content.decode()
    assert second.name in html and "split equally between these 2 priorities" in html


def test_priorities_and_objectives_are_chosen_on_the_project_page(client, members, world):
    second = _second_priority(world)
    objective = Objective.objects.create(priority=second, text="Fewer repeat victims")
    foreign = Objective.objects.create(priority=world["priority"], text="Other")
    project = world["project"]
    client.force_login(members["analyst"])
    url = f"/p/rotherham/delivery/projects/{project.pk}/"
    response = client.post(url, {"form": "priorities", "priorities": [second.pk],
                                 "objectives": [objective.pk]})  # fmt: skip
    assert response.status_code == 302
    assert list(project.priorities.all()) == [second]
    assert list(project.objectives.all()) == [objective]
    event = AuditEvent.objects.filter(verb="project.update").latest("pk")
    assert event.before["priorities"] == [world["priority"].pk]
    assert event.after["priorities"] == [second.pk]
    # An objective of a priority the project does not serve, or no priority: refused.
    response = client.post(url, {"form": "priorities", "priorities": [second.pk],
                                 "objectives": [foreign.pk]})  # fmt: skip
    assert response.status_code == 400 and "Choose objectives of the priorities" in (
        response.content.decode()
    )
    response = client.post(url, {"form": "priorities"})
    assert response.status_code == 400 and "at least one priority" in response.content.decode()
    assert list(project.priorities.all()) == [second]


def test_a_project_needs_a_priority_of_its_own_partnership(members, world, sheffield):
    with pytest.raises(ValidationError) as caught:
        services.project_upsert(
            partnership=world["project"].partnership,
            by=members["analyst"],
            name="No priority",
            organisation=world["organisation"],
            priorities=[],
            start_date=dt.date(2024, 4, 1),
            end_date=dt.date(2024, 5, 1),
        )
    assert "priorities" in caught.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_projects_priority(rotherham, members):
    """Back to one priority per project, record a project, forward again: it serves that
    priority (and going back keeps the first of several)."""
    from tests.performance.factories import plan_world

    plan_world(rotherham, admin=members["admin"], analyst=members["analyst"],
               lead=members["lead"], other_lead=None)  # fmt: skip
    priority = Priority.objects.filter(theme__plan__partnership=rotherham).first()
    executor = MigrationExecutor(connection)
    executor.migrate([("delivery", "0001_initial")])
    old = executor.loader.project_state([("delivery", "0001_initial")]).apps
    OldProject = old.get_model("delivery", "Project")
    org = old.get_model("core", "Organisation").objects.create(
        partnership_id=rotherham.pk, name="Charity", kind="voluntary"
    )
    old_project = OldProject.objects.create(
        partnership_id=rotherham.pk,
        name="Old project",
        organisation_id=org.pk,
        priority_id=priority.pk,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2025, 3, 31),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    project = Project.objects.get(pk=old_project.pk)
    assert list(project.priorities.all()) == [priority]


def test_editing_a_stream(client, members, world):
    stream = world["stream"]
    client.force_login(members["analyst"])
    url = f"/p/rotherham/delivery/streams/{stream.pk}/edit/"
    assert "Columns of the funder return" in client.get(url).content.decode()
    response = client.post(url, {"name": "Community safety fund", "funder": "PCC",
                                 "financial_year": "2024/25", "amount": "120,000.50",
                                 "conditions": "New conditions", "reporting_schedule": "Monthly",
                                 "export_columns": ["project", "award_gbp"]})  # fmt: skip
    assert response.status_code == 302
    stream.refresh_from_db()
    assert stream.amount_pence == 12_000_050 and isinstance(stream.amount_pence, int)
    assert stream.columns == ["project", "award_gbp"] and stream.funder == "PCC"
    event = AuditEvent.objects.filter(verb="funding_stream.update").latest("pk")
    assert event.before["amount_pence"] == 11_800_000
    assert event.after["amount_pence"] == 12_000_050
    export = client.get(f"/p/rotherham/delivery/streams/{stream.pk}/?format=csv")
    assert export.content.decode().lstrip("\ufeff").splitlines()[0] == "Project,Award (£)"
    # Never below what is already awarded (£20,000).
    response = client.post(url, {"name": "Community safety fund", "funder": "PCC",
                                 "financial_year": "2024/25", "amount": "19,999.99"})  # fmt: skip
    assert response.status_code == 400 and "already awarded" in response.content.decode()
    stream.refresh_from_db()
    assert stream.amount_pence == 12_000_050
    client.force_login(members["lead"])
    assert client.get(url).status_code == 403


def test_an_award_over_what_is_left_shows_a_warning_and_needs_a_reason(client, members, world):
    stream, project = world["stream"], world["project"]
    client.force_login(members["analyst"])
    html = client.get(f"/p/rotherham/delivery/streams/{stream.pk}/").content.decode()
    assert "£98,000 of £118,000 is left" in html
    url = f"/p/rotherham/delivery/streams/{stream.pk}/"
    response = client.post(url, {"project": project.pk, "amount": "118,000.01"})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    response = client.post(url, {"project": project.pk, "amount": "118,000.01",
                                 "reason": "The PCC agreed a top-up"})  # fmt: skip
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "already over-allocated by £0.01" in html and "Over-allocated by £0.01" in html


def test_withdrawing_an_award_asks_for_confirmation(client, members, world):
    grant = world["grant"]
    client.force_login(members["analyst"])
    url = f"/p/rotherham/delivery/grants/{grant.pk}/remove/"
    assert "Withdraw the award of £20,000" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 400
    assert Grant.objects.filter(pk=grant.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert Project.objects.filter(pk=world["project"].pk).exists()
    assert AuditEvent.objects.filter(verb="grant.remove", object_id=str(grant.pk)).exists()
    assert selectors.stream_rows(partnership=grant.stream.partnership)[0].awarded == 0
    assert FundingStream.objects.get(pk=grant.stream_id).amount_pence == 11_800_000


def test_monitoring_and_indicator_returns_share_one_reminder_machinery():
    assert MONITORING_REMINDERS.__class__ is INDICATOR_REMINDERS.__class__
    assert MONITORING_REMINDERS.__class__ is shared.ReturnReminders


def test_monitoring_returns_are_chased_by_the_reminder_job(client, rotherham, members, world):
    lead = members["lead"]
    lead.email = "lead@example.org"
    lead.save()
    owed = world["owed"]  # Q3, due 2025-01-22
    deadline = owed.period.deadline
    mail.outbox.clear()
    run = governance_reminders.reminders_run(partnership=rotherham, today=deadline)
    sent = [m for m in mail.outbox if "monitoring return" in m.subject]
    assert [m.to for m in sent] == [["lead@example.org"]] * len(sent)
    assert any(f"/p/rotherham/delivery/returns/{owed.pk}/" in m.body for m in sent)
    assert "monitoring return reminder(s)" in run.detail and run.ok
    chased = {e.ret_id for e in MonitoringEvent.objects.filter(kind="remind")}
    assert owed.pk in chased and world["approved"].pk not in chased
    assert world["submitted"].pk not in chased  # submitted: nothing owed
    assert AuditEvent.objects.filter(verb="monitoring_return.remind").count() == len(chased)
    # The same day again: nothing twice; a week after the deadline: the late one again.
    mail.outbox.clear()
    governance_reminders.reminders_run(partnership=rotherham, today=deadline)
    assert not [m for m in mail.outbox if "monitoring return" in m.subject]
    governance_reminders.reminders_run(partnership=rotherham, today=deadline + dt.timedelta(days=7))
    late = [m for m in mail.outbox if f"for {owed.period.label}" in m.subject]
    assert late and "late" in late[0].body
    # The runs are on the scheduled jobs page.
    client.force_login(members["analyst"])
    html = client.get("/p/rotherham/governance/jobs/").content.decode()
    assert "monitoring return reminder(s)" in html
    assert JobRun.objects.filter(partnership=rotherham).count() == 3
