"""The demo plan and performance data for Rotherham: the Plan 2022-25 with the four themes
of seed 003, five priorities modelled on seed 004 with role-holder leads (no real people),
eleven indicators, a reporting calendar of two years, and two years of quarterly returns with
one submitted late, one corrected after approval, and the lead's last quarter still a draft.

Entered values are invented (the indicators are marked "demo"; `missing-episodes-monthly` is
reported monthly, a value per month in each quarterly return); `asb-policeuk` (quarterly) and
`burglary-policeuk-monthly` (monthly) are computed from the real police.uk data in the
warehouse, and `knife-crime-partner` from the demo
partner dataset "Knife crime" (invented values) when `demo_partner_data` has loaded it. Everything is written through the services,
so it is audited; only the dates of the demo history are set back afterwards, so that the
returns look entered when each quarter closed (the audit log keeps the real times).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from saferstat.analytics.periods import add_months, parse_month, parse_period
from saferstat.core.choices import Role
from saferstat.core.demo import DEMO_PASSWORD
from saferstat.core.models import Membership, Organisation, Partnership, User
from saferstat.core.services import membership_set
from saferstat.intelligence.datasets.models import PartnerDataset
from saferstat.plan.models import Priority
from saferstat.plan.services import plan_upsert, priority_upsert, theme_upsert

from .models import Return, ReturnEvent, ReturnStatus, Source
from .services import (
    indicator_upsert,
    reporting_period_upsert,
    return_approve,
    return_correct,
    return_submit,
)

PLAN_TITLE = "Safer Rotherham Partnership Plan 2022-25"
THEMES = [
    ("vulnerable-children", "Protecting vulnerable children"),
    ("vulnerable-adults", "Protecting vulnerable adults"),
    ("safer-communities", "Safer and stronger communities"),
    ("violence-organised-crime", "Protecting people from violence and organised crime"),
]
# theme key, priority key, name, lead username, lead role, organisation, objectives
PRIORITIES = [
    (
        "vulnerable-children",
        "child-exploitation",
        "Preventing child exploitation and children going missing",
        "rotherham-lead",
        "Superintendent, partnership lead for children (demo role)",
        "South Yorkshire Police",
        [
            "Reduce the number of children who go missing more than once.",
            "Promote intelligence reporting on child criminal exploitation across partners.",
        ],
    ),
    (
        "vulnerable-adults",
        "vulnerable-adults",
        "Protecting vulnerable adults and repeat victims",
        "rotherham-lead-adults",
        "Head of Adult Safeguarding (demo role)",
        "Rotherham Council",
        [
            "Prevent first-time entrants to the criminal justice system (restorative justice).",
            "Reduce repeat victims of anti-social behaviour.",
        ],
    ),
    (
        "safer-communities",
        "cohesive-communities",
        "Building confident and cohesive communities",
        "rotherham-lead-communities",
        "Head of Community Safety (demo role)",
        "Rotherham Council",
        [
            "Reduce anti-social behaviour and improve how residents perceive it.",
            "Encourage the reporting of hate crime and improve its outcomes.",
        ],
    ),
    (
        "violence-organised-crime",
        "domestic-abuse",
        "Tackling domestic abuse",
        "rotherham-lead-da",
        "Domestic abuse strategic lead (demo role)",
        "Rotherham Council",
        [
            "Reduce repeat victimisation of high-risk domestic abuse victims.",
            "Raise satisfaction with the police response to domestic abuse.",
        ],
    ),
    (
        "violence-organised-crime",
        "organised-crime",
        "Tackling serious and organised crime",
        "rotherham-lead-soc",
        "Detective Chief Inspector, organised crime (demo role)",
        "South Yorkshire Police",
        ["Increase the disruption of organised crime groups."],
    ),
]
# code, priority key, name, definition, unit, polarity, targets, base values (8 quarters)
INDICATORS = [
    (
        "repeat-missing-children",
        "child-exploitation",
        "Repeat missing children",
        "Children reported missing more than once in the quarter.",
        "count",
        "decrease",
        {},
        [58, 61, 55, 57, 52, 50, 47, 44],
    ),
    (
        "first-time-entrants",
        "vulnerable-adults",
        "First-time entrants to the criminal justice system",
        "People receiving their first caution or conviction in the quarter.",
        "count",
        "decrease",
        {},
        [52, 47, 50, 46, 51, 48, 49, 45],
    ),
    (
        "repeat-asb-victims",
        "vulnerable-adults",
        "Repeat victims of anti-social behaviour",
        "People reporting anti-social behaviour three or more times in the quarter.",
        "count",
        "decrease",
        {"2023/24-Q1": 80, "2024/25-Q1": 50},
        [71, 66, 64, 60, 49, 46, 44, 41],
    ),
    (
        "hate-crimes-reported",
        "cohesive-communities",
        "Hate crimes and incidents reported",
        "Hate crimes and hate incidents reported to the police and partners in the quarter; "
        "more reporting is the aim, as hate crime is under-reported.",
        "count",
        "increase",
        {},
        [88, 92, 95, 90, 101, 99, 104, 108],
    ),
    (
        "hate-crime-outcome-rate",
        "cohesive-communities",
        "Hate crime outcome rate",
        "Hate crimes with a positive outcome (charge, caution, community resolution) as a "
        "percentage of hate crimes recorded in the quarter.",
        "percentage",
        "increase",
        {"2023/24-Q1": 15},
        [12.5, 13.1, 12.8, 13.6, 14.0, 13.4, 14.8, 15.2],
    ),
    (
        "da-high-risk-repeat",
        "domestic-abuse",
        "High-risk domestic abuse victims who are repeat victims",
        "Victims discussed at the MARAC in the quarter who had been discussed in the previous "
        "12 months, as a percentage of all victims discussed.",
        "percentage",
        "decrease",
        {"2023/24-Q1": 28},
        [35, 33, 31, 30, 27, 26, 25, 25],
    ),
    (
        "da-satisfaction",
        "domestic-abuse",
        "Satisfaction with the police response to domestic abuse",
        "Victims surveyed who were satisfied with the police response, as a percentage of "
        "victims surveyed in the quarter.",
        "percentage",
        "increase",
        {"2023/24-Q1": 85},
        [86, 88, 87, 90, 91, 92, 94, 93],
    ),
    (
        "ocg-disruptions",
        "organised-crime",
        "Organised crime disruptions",
        "Disruption tactics used against organised crime groups in the quarter.",
        "count",
        "increase",
        {},
        [4, 12, 21, 27, 33, 38, 41, 45],
    ),
]
ASB_CODE = "asb-policeuk"
#: A computed monthly indicator: a point per month of the calendar's quarters (real data).
BURGLARY_CODE = "burglary-policeuk-monthly"
#: An entered monthly indicator: the lead gives a value per month in each quarterly return
#: (code, priority key, name, definition, unit, polarity, targets, 24 monthly values from
#: April 2023; invented).
MONTHLY_INDICATOR = (
    "missing-episodes-monthly",
    "child-exploitation",
    "Missing episodes of children, per month",
    "Episodes of children reported missing to the police in the month.",
    "count",
    "decrease",
    {"2024/25-Q1": 30},
    [38, 41, 36, 39, 44, 37, 35, 40, 33, 36, 34, 31,
     32, 29, 33, 30, 27, 31, 28, 26, 30, 27, 25, 24],
)  # fmt: skip
#: The indicator computed from a demo partner dataset (all its offences, quarterly).
KNIFE_CODE = "knife-crime-partner"
KNIFE_DATASET = "knife-crime"
QUARTERS = [f"2023/24-Q{q}" for q in range(1, 5)] + [f"2024/25-Q{q}" for q in range(1, 5)]
#: Demo story: one return submitted after its deadline, one corrected after approval, and
#: the first lead's last quarter still a draft (late: the reminders chase it).
LATE = ("cohesive-communities", "2024/25-Q2")
CORRECTED = ("domestic-abuse", "2024/25-Q1", "da-satisfaction", 95.0)
DRAFT = ("child-exploitation", "2024/25-Q4")


def calendar_dates(label: str) -> tuple[dt.date, dt.date]:
    """A quarter's return opens the day after it ends and is due three weeks later."""
    end = parse_period(label).end
    year, month = parse_month(add_months(end, 1))
    opens = dt.date(year, month, 1)
    return opens, opens + dt.timedelta(days=21)


def _lead_users(partnership: Partnership) -> dict[str, User]:
    users = {}
    orgs = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
    for *_, username, role, org, _objectives in PRIORITIES:
        user, created = User.objects.get_or_create(username=username)
        if created or username != "rotherham-lead":  # demo_setup names rotherham-lead
            user.display_name = f"Rotherham {role}"
        user.set_password(DEMO_PASSWORD)
        user.email = user.email or f"{username}@example.org"
        user.save()
        if not Membership.objects.filter(user=user, partnership=partnership).exists():
            membership_set(
                user=user, partnership=partnership, role=Role.LEAD, organisation=orgs.get(org)
            )
        users[username] = user
    return users


@transaction.atomic
def demo_plan_install(slug: str = "rotherham") -> list[str]:
    """Create or update the demo plan, indicators, calendar and returns. Safe to run again."""
    partnership = Partnership.objects.get(slug=slug)
    admin = User.objects.get(username=f"{slug}-admin")
    analyst = User.objects.get(username=f"{slug}-analyst")
    leads = _lead_users(partnership)
    orgs = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
    plan = plan_upsert(
        partnership=partnership,
        by=admin,
        title=PLAN_TITLE,
        start_date=dt.date(2022, 4, 1),
        end_date=dt.date(2025, 3, 31),
        summary="Priorities and commitments for 1 April 2022 to 31 March 2025, refreshed "
        "each year (demo: modelled on the published plan, with roles instead of names).",
    )
    themes = {
        key: theme_upsert(plan=plan, by=admin, key=key, name=name, order=i)
        for i, (key, name) in enumerate(THEMES)
    }
    priorities: dict[str, Priority] = {}
    for i, (theme_key, key, name, username, role, org, objectives) in enumerate(PRIORITIES):
        priorities[key] = priority_upsert(
            theme=themes[theme_key],
            by=admin,
            key=key,
            name=name,
            order=i,
            lead=leads[username],
            lead_role=role,
            lead_organisation=orgs.get(org),
            objectives=objectives,
        )
    indicators = {}
    for order, (code, pkey, name, definition, unit, polarity, targets, _values) in enumerate(
        INDICATORS
    ):
        indicators[code] = indicator_upsert(
            partnership=partnership,
            by=analyst,
            priority=priorities[pkey],
            code=code,
            name=name,
            definition=definition + " Demo data: invented values.",
            unit=unit,
            polarity=polarity,
            is_demo=True,
            order=order,
            targets=targets,
        )
    indicators[ASB_CODE] = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=priorities["cohesive-communities"],
        code=ASB_CODE,
        name="Anti-social behaviour incidents recorded by the police",
        definition="Anti-social behaviour records published by police.uk for the "
        "partnership's area in the quarter (real data, counted as `saferstat counts` does).",
        unit="count",
        polarity="decrease",
        source=Source.POLICEUK,
        crime_types=["Anti-social behaviour"],
        order=len(INDICATORS),
        targets={},
    )
    indicators[BURGLARY_CODE] = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=priorities["cohesive-communities"],
        code=BURGLARY_CODE,
        name="Residential burglaries recorded by the police, per month",
        definition="Burglary records published by police.uk for the partnership's area in the "
        "month (real data, counted as `saferstat counts --period 2024-05` does). Reported "
        "monthly: a point for each month of the calendar's quarters.",
        unit="count",
        polarity="decrease",
        frequency="monthly",
        source=Source.POLICEUK,
        crime_types=["Burglary"],
        order=len(INDICATORS) + 2,
        targets={},
    )
    m_code, m_key, m_name, m_definition, m_unit, m_polarity, m_targets, m_values = MONTHLY_INDICATOR
    indicators[m_code] = indicator_upsert(
        partnership=partnership,
        by=analyst,
        priority=priorities[m_key],
        code=m_code,
        name=m_name,
        definition=m_definition + " Reported monthly in each quarterly return. Demo data: "
        "invented values.",
        unit=m_unit,
        polarity=m_polarity,
        frequency="monthly",
        is_demo=True,
        order=len(INDICATORS) + 3,
        targets=m_targets,
    )
    knife = PartnerDataset.objects.filter(partnership=partnership, slug=KNIFE_DATASET).first()
    if knife is not None:  # loaded by `manage.py demo_partner_data` (run it first)
        indicators[KNIFE_CODE] = indicator_upsert(
            partnership=partnership,
            by=analyst,
            priority=priorities["organised-crime"],
            code=KNIFE_CODE,
            name="Knife crime offences (partner data)",
            definition="Offences involving a knife or sharp instrument in the partnership's area "
            "in the quarter, counted from the police's knife crime partner dataset (demo: "
            "invented values).",
            unit="count",
            polarity="decrease",
            source=Source.PARTNER,
            dataset=knife,
            is_demo=True,
            order=len(INDICATORS) + 1,
            targets={},
        )
    periods = {}
    for label in QUARTERS:
        opens, deadline = calendar_dates(label)
        periods[label] = reporting_period_upsert(
            partnership=partnership, by=analyst, label=label, opens_on=opens, deadline=deadline
        )
    rng = random.Random(2022)
    submitted = 0
    for qi, label in enumerate(QUARTERS):
        for key, priority in priorities.items():
            ret = Return.objects.get(priority=priority, period=periods[label])
            if ret.status != ReturnStatus.NOT_STARTED:
                continue  # already entered on an earlier run (or by someone since)
            values: dict[str, object] = {
                code: values_[qi] for code, pkey, *_rest, values_ in INDICATORS if pkey == key
            }
            if key == m_key:  # the monthly indicator: a value for each month of the quarter
                values[m_code] = {
                    month: m_values[3 * qi + i]
                    for i, month in enumerate(parse_period(label).months)
                }
            lead = priority.lead
            commentary = (
                f"<p>Demo commentary for {label}: partners continued the actions in the "
                f"plan; figures are invented for the demo ({rng.choice(['steady', 'busy', 'quieter'])} "
                "quarter).</p>"
            )
            if (key, label) == DRAFT:
                from .services import return_save

                return_save(ret=ret, by=lead, values=values, commentary=commentary)
                continue
            return_submit(ret=ret, by=lead, values=values, commentary=commentary)
            return_approve(ret=ret, by=analyst, comment="Checked against the source data.")
            if (key, label) == CORRECTED[:2]:
                return_correct(
                    ret=ret,
                    by=lead,
                    values={CORRECTED[2]: CORRECTED[3]},
                    reason="Late survey responses were added after approval (demo).",
                )
            _backdate(ret, late=(key, label) == LATE)
            submitted += 1
    return [
        f"{plan.title}: {len(themes)} themes, {len(priorities)} priorities, "
        f"{len(indicators)} indicators, {len(periods)} quarters in the calendar",
        f"{submitted} returns entered on this run (the demo has one submitted late, one "
        f"corrected, and {DRAFT[0]} {DRAFT[1]} still a draft: sign in as rotherham-lead)",
    ]


def _backdate(ret: Return, *, late: bool) -> None:
    """Date the demo history as if it happened when the quarter closed (demo only)."""
    deadline = ret.period.deadline
    days = 5 if late else -3
    submitted = dt.datetime.combine(deadline + dt.timedelta(days=days), dt.time(10, 0), dt.UTC)
    decided = submitted + dt.timedelta(days=4)
    Return.objects.filter(pk=ret.pk).update(submitted_at=submitted, decided_at=decided)
    for event in ReturnEvent.objects.filter(ret=ret):
        at = {"submit": submitted, "approve": decided}.get(
            event.kind, decided + dt.timedelta(days=30)
        )
        ReturnEvent.objects.filter(pk=event.pk).update(at=at)
