"""Defining indicators and targets, and the reporting calendar, in the browser: validation,
audit, and confirmation before anything is deleted."""

from __future__ import annotations

import pytest

from saferstat.core.models import AuditEvent
from saferstat.performance.models import Indicator, ReportingPeriod, Return

pytestmark = pytest.mark.django_db

NEW = "/p/rotherham/performance/indicators/new/"


def form(world, **over):
    data = {
        "form": "indicator",
        "code": "asb-repeat",
        "name": "Repeat victims of anti-social behaviour",
        "definition": "Victims reporting ASB three times or more in a quarter",
        "priority": world["second"].pk,
        "unit": "count",
        "polarity": "decrease",
        "frequency": "quarterly",
        "source": "entered",
        "targets": "2023/24-Q1 80\n2024/25-Q1: 50",
        "rebases": "",
        "order": "0",
    }
    return {**data, **over}


def test_an_analyst_defines_an_indicator_with_targets(client, world, members):
    client.force_login(members["analyst"])
    assert "Define the indicator" in client.get(NEW).content.decode()
    response = client.post(NEW, form(world))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="asb-repeat")
    assert {t.from_period: t.value for t in indicator.targets.all()} == {
        "2023/24-Q1": 80,
        "2024/25-Q1": 50,
    }
    assert AuditEvent.objects.filter(verb="indicator.create", object_id=str(indicator.pk)).exists()
    listing = client.get("/p/rotherham/performance/indicators/").content.decode()
    assert "Repeat victims of anti-social behaviour" in listing


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"code": "missing-repeat"}, "exists already"),
        ({"code": "new"}, "reserved word"),
        ({"targets": "2024/25-Q1 lots"}, "is not a number"),
        ({"targets": "Spring 2024 50"}, ""),  # not a quarter
        ({"rebases": "2024/25-Q1"}, "the reason"),
        ({"source": "entered", "frequency": "weekly"}, "valid choice"),
        ({"name": ""}, "Enter a name"),
    ],
)
def test_a_wrong_indicator_is_refused_and_nothing_is_saved(client, world, members, over, message):
    client.force_login(members["analyst"])
    count, audits = Indicator.objects.count(), AuditEvent.objects.count()
    response = client.post(NEW, form(world, **over))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert (Indicator.objects.count(), AuditEvent.objects.count()) == (count, audits)


def test_a_priority_of_another_partnership_cannot_be_chosen(client, world, members, sheffield):
    from saferstat.plan.models import Plan, Priority, Theme

    plan = Plan.objects.create(
        partnership=sheffield, title="Sheffield plan", start_date="2022-04-01",
        end_date="2025-03-31",
    )  # fmt: skip
    theme = Theme.objects.create(plan=plan, key="t", name="Theme")
    foreign = Priority.objects.create(theme=theme, key="p", name="Sheffield priority")
    client.force_login(members["analyst"])
    response = client.post(NEW, form(world, priority=foreign.pk))
    assert response.status_code == 400
    assert not Indicator.objects.filter(code="asb-repeat").exists()


def test_editing_keeps_the_code_and_deleting_needs_confirmation(client, world, members):
    client.force_login(members["analyst"])
    client.post(NEW, form(world))
    url = "/p/rotherham/performance/indicators/asb-repeat/edit/"
    response = client.post(url, form(world, name="Repeat ASB victims", public="on"))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="asb-repeat")
    assert indicator.name == "Repeat ASB victims" and indicator.public
    assert client.post(url, form(world, code="other")).status_code == 400
    # Delete without ticking the box: refused, kept.
    response = client.post(url, {"form": "delete"})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert Indicator.objects.filter(code="asb-repeat").exists()
    response = client.post(url, {"form": "delete", "confirm": "yes"})
    assert response.status_code == 302
    assert not Indicator.objects.filter(code="asb-repeat").exists()
    assert AuditEvent.objects.filter(verb="indicator.delete").count() == 1


def test_an_indicator_with_values_cannot_be_deleted(client, world, members):
    client.force_login(members["analyst"])
    url = f"/p/rotherham/performance/indicators/{world['missing'].code}/edit/"
    response = client.post(url, {"form": "delete", "confirm": "yes"})
    assert response.status_code == 400
    assert "has values in 1 return" in response.content.decode()
    assert Indicator.objects.filter(pk=world["missing"].pk).exists()


@pytest.mark.parametrize("role", ["lead", "board", "scrutiny"])
def test_only_analysts_and_admins_define(client, world, members, role):
    client.force_login(members[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form(world)).status_code == 403
    url = "/p/rotherham/performance/calendar/"
    assert client.get(url).status_code == 200  # members read the calendar
    assert client.post(url, {"form": "period", "label": "2025/26-Q1"}).status_code == 403


def test_the_calendar_adds_moves_and_deletes_quarters(client, world, members):
    url = "/p/rotherham/performance/calendar/"
    client.force_login(members["analyst"])
    new = {"form": "period", "label": "2025/26-Q1", "opens_on": "2025-07-01",
           "deadline": "2025-07-21"}  # fmt: skip
    assert client.post(url, new).status_code == 302
    period = ReportingPeriod.objects.get(label="2025/26-Q1")
    assert Return.objects.filter(period=period).count() == 2  # one per priority
    bad = client.post(url, {**new, "deadline": "2025-06-01"})
    assert bad.status_code == 400 and "on or after the opening date" in bad.content.decode()
    assert client.post(url, {**new, "label": "2025"}).status_code == 400
    response = client.post(url, {"form": "delete", "label": "2025/26-Q1"})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert (
        client.post(url, {"form": "delete", "label": "2025/26-Q1", "confirm": "yes"}).status_code
        == 302
    )
    assert not ReportingPeriod.objects.filter(label="2025/26-Q1").exists()
    assert AuditEvent.objects.filter(verb="reporting_period.delete").count() == 1
    # A quarter with a started return is kept.
    response = client.post(url, {"form": "delete", "label": "2024/25-Q1", "confirm": "yes"})
    assert response.status_code == 400 and "cannot be deleted" in response.content.decode()


# --- the RAG rule ---------------------------------------------------------------------------

RULE = "/p/rotherham/performance/rag-rule/"


def test_every_member_reads_the_rule_and_the_dashboard_links_to_it(client, world, members):
    client.force_login(members["board"])
    page = client.get(RULE).content.decode()
    assert "Red when assurance is consistently failing the target" in page
    assert "This is the default rule." in page
    assert 'name="when"' not in page  # no form for the Board
    dashboard = client.get("/p/rotherham/performance/").content.decode()
    assert RULE in dashboard
    assert client.post(RULE, {"form": "rule", "when": []}).status_code == 403


def test_an_analyst_changes_the_rule_and_the_verdicts_follow_it(client, world, members):
    from saferstat.performance.selectors import indicator_rows, rag_rule_for

    client.force_login(members["analyst"])
    assert 'name="when"' in client.get(RULE).content.decode()
    assert client.post(RULE, {}).status_code == 400  # neither saved nor changed
    assert rag_rule_for(world["plan"].partnership).red_when_failing
    # Only special cause makes a colour: never red for failing the target.
    response = client.post(
        RULE, {"form": "rule", "when": ["red_when_concern", "green_when_improvement"]}
    )
    assert response.status_code == 302
    rule = rag_rule_for(world["plan"].partnership)
    assert (rule.red_when_failing, rule.red_when_concern) == (False, True)
    assert (rule.green_when_passing, rule.green_when_improvement) == (False, True)
    event = AuditEvent.objects.get(verb="performance.rag_rule_set")
    assert event.after["rag_rule"]["red_when_concern"] is True
    page = client.get(RULE).content.decode()
    assert "The partnership changed the default rule" in page
    assert "Red when the latest point is special cause concern; otherwise green when" in page
    rows = indicator_rows(
        partnership=world["plan"].partnership, period=world["periods"]["2024/25-Q1"]
    )
    assert all(r.verdict.rag_rule == rule.describe() for r in rows)
    assert rule.describe() in client.get("/p/rotherham/performance/").content.decode()
