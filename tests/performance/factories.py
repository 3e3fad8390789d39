"""A small plan with its indicators, calendar and returns, for the performance tests, the
access matrix and the isolation test (``mark`` puts a marker into every piece of text)."""

from __future__ import annotations

import datetime as dt

from saferstat.core.services import membership_set
from saferstat.performance.models import Return
from saferstat.performance.services import (
    indicator_upsert,
    reporting_period_upsert,
    return_approve,
    return_submit,
)
from saferstat.plan.services import plan_refresh, plan_upsert, priority_upsert, theme_upsert

QUARTERS = ["2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4"]


def quarter_dates(label: str) -> tuple[dt.date, dt.date]:
    month = {"Q1": 7, "Q2": 10, "Q3": 1, "Q4": 4}[label[-2:]]
    year = 2024 if label[-2:] in ("Q1", "Q2") else 2025
    opens = dt.date(year, month, 1)
    return opens, opens + dt.timedelta(days=21)


def plan_world(
    partnership, *, admin, analyst, lead, other_lead, mark: str = "", value: int = 40
) -> dict:
    """Plan (version 2, version 1 kept), one theme, two priorities (``lead`` leads the
    first, ``other_lead`` the second), three indicators (entered count with a target,
    entered percentage, computed police.uk ASB), four quarters of 2024/25, and returns:
    the first priority's Q1 approved with ``value``, the second's Q1 submitted."""
    if (
        other_lead is not None
        and not other_lead.memberships.filter(partnership=partnership).exists()
    ):
        membership_set(user=other_lead, partnership=partnership, role="lead")
    prefix = mark.strip().lower().replace(" ", "-")
    plan = plan_upsert(
        partnership=partnership,
        by=admin,
        title=f"{mark}Plan 2022-25",
        start_date=dt.date(2022, 4, 1),
        end_date=dt.date(2025, 3, 31),
    )
    theme = theme_upsert(plan=plan, by=admin, key="children", name=f"{mark}Vulnerable children")
    first = priority_upsert(
        theme=theme,
        by=admin,
        key="missing",
        name=f"{mark}Missing children",
        lead=lead,
        lead_role=f"{mark}Superintendent",
        objectives=[f"{mark}Reduce repeat missing episodes"],
    )
    second = priority_upsert(
        theme=theme,
        by=admin,
        key="asb",
        name=f"{mark}Anti-social behaviour",
        lead=other_lead,
        lead_role=f"{mark}Head of Community Safety",
    )
    plan_refresh(plan=plan, by=admin, label=f"{mark}2024 refresh")
    first = priority_upsert(
        theme=theme,
        by=admin,
        key="missing",
        name=f"{mark}Missing and exploited children",
        lead=lead,
        lead_role=f"{mark}Superintendent",
        objectives=[f"{mark}Reduce repeat missing episodes", f"{mark}Map exploitation"],
    )
    missing = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=first,
        code=f"{prefix}-missing-repeat" if prefix else "missing-repeat",
        name=f"{mark}Repeat missing children",
        definition=f"{mark}Children missing more than once",
        unit="count",
        polarity="decrease",
        targets={"2024/25-Q1": 50},
    )
    share = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=first,
        code=f"{prefix}-found-share" if prefix else "found-share",
        name=f"{mark}Found within a day",
        definition=f"{mark}Share found within 24 hours",
        unit="percentage",
        polarity="increase",
        order=1,
    )
    asb = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=second,
        code="asb-policeuk",
        name="Anti-social behaviour incidents recorded by the police",
        definition="police.uk ASB records in the area",
        unit="count",
        polarity="decrease",
        source="policeuk",
        crime_types=["Anti-social behaviour"],
    )
    periods = {}
    for label in QUARTERS:
        opens, deadline = quarter_dates(label)
        periods[label] = reporting_period_upsert(
            partnership=partnership, by=analyst, label=label, opens_on=opens, deadline=deadline
        )
    q1_first = Return.objects.get(priority=first, period=periods["2024/25-Q1"])
    return_submit(
        ret=q1_first,
        by=lead,
        values={missing.code: value, share.code: 80},
        commentary=f"<p>{mark}Commentary</p>",
    )
    return_approve(ret=q1_first, by=analyst)
    q1_second = Return.objects.get(priority=second, period=periods["2024/25-Q1"])
    if other_lead is not None:
        return_submit(ret=q1_second, by=other_lead, values={}, commentary=f"{mark}ASB note")
    return {
        "plan": plan,
        "first": first,
        "second": second,
        "missing": missing,
        "share": share,
        "asb": asb,
        "periods": periods,
        "approved": q1_first,
        "submitted": q1_second,
        "owed": Return.objects.get(priority=first, period=periods["2024/25-Q2"]),
    }
