"""`manage.py demo_plan_performance`: Rotherham's plan, leads and two years of returns, with
one submitted late, one corrected and the first lead's last quarter still owed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from saferstat.core.demo import demo_install
from saferstat.performance.models import Indicator, Return, ReturnStatus
from saferstat.performance.selectors import returns_late, returns_owed, returns_submitted_late
from saferstat.plan.models import Plan


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_plan_and_returns():
    demo_install()
    call_command("demo_plan_performance", stdout=io.StringIO())
    plan = Plan.objects.get(partnership__slug="rotherham")
    assert [t.name for t in plan.themes.all()] == [
        "Protecting vulnerable children",
        "Protecting vulnerable adults",
        "Safer and stronger communities",
        "Protecting people from violence and organised crime",
    ]
    priorities = [p for t in plan.themes.all() for p in t.priorities.all()]
    assert len(priorities) == 5 and all(p.lead_id and p.lead_role for p in priorities)
    assert priorities[0].lead.username == "rotherham-lead"
    indicators = Indicator.objects.filter(partnership=plan.partnership)
    assert indicators.count() == 11
    assert indicators.get(code="asb-policeuk").source == "policeuk"
    burglary = indicators.get(code="burglary-policeuk-monthly")
    assert (burglary.source, burglary.frequency) == ("policeuk", "monthly")
    real = ("asb-policeuk", "burglary-policeuk-monthly")
    assert all(i.is_demo for i in indicators.exclude(code__in=real))
    monthly = indicators.get(code="missing-episodes-monthly")
    assert monthly.frequency == "monthly" and monthly.is_demo
    q1 = monthly.lines.filter(ret__period__label="2024/25-Q1").order_by("month")
    assert [(line.month, line.value) for line in q1] == [
        ("2024-04", 32.0), ("2024-05", 29.0), ("2024-06", 33.0)
    ]  # fmt: skip
    repeat_asb = indicators.get(code="repeat-asb-victims")
    assert {t.from_period: t.value for t in repeat_asb.targets.all()} == {
        "2023/24-Q1": 80,
        "2024/25-Q1": 50,
    }
    returns = Return.objects.filter(partnership=plan.partnership)
    assert returns.count() == 40
    assert returns.filter(status=ReturnStatus.CORRECTED).count() == 1
    assert returns.filter(status=ReturnStatus.APPROVED).count() == 38
    assert len(returns_submitted_late(partnership=plan.partnership)) == 1
    lead = priorities[0].lead
    (owed,) = returns_owed(partnership=plan.partnership, user=lead)
    assert owed.period.label == "2024/25-Q4" and owed.status == ReturnStatus.DRAFT
    assert returns_late(partnership=plan.partnership) == [owed]
    # Safe to run again: nothing is entered twice.
    call_command("demo_plan_performance", stdout=io.StringIO())
    assert Return.objects.filter(partnership=plan.partnership).count() == 40
    assert returns.filter(status=ReturnStatus.CORRECTED).count() == 1
