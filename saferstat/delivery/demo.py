"""The demo delivery data for Rotherham: the Police and Crime Commissioner's community safety
fund (£118,000) paying for eight invented projects modelled on seed 000 (eight projects for
the partnership's priorities) and seed 004's Project Highlights ("77 perpetrators referred",
"120 young people engaged"), a year of monitoring returns, a communications log and a
training and engagement log. Every name and figure is invented and labelled "demo".

The fund is for 2024/25, the year of the demo plan and reporting calendar (the monitoring
returns share that calendar): a 2020/21 fund would need a 2020/21 calendar, which would open
indicator returns for every priority too. Everything is written through the services, so it
is audited. Safe to run again.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from saferstat.core.models import Organisation, Partnership, User
from saferstat.core.services import organisation_upsert
from saferstat.performance.models import Indicator, ReturnStatus
from saferstat.plan.models import Priority

from . import services
from .models import Activity, Communication, MonitoringReturn

FUND = "Community safety fund (demo)"
FUNDER = "Office of the Police and Crime Commissioner (demo)"
YEAR = "2024/25"
QUARTERS = [f"{YEAR}-Q{q}" for q in range(1, 5)]

# name, organisation, priority key (or keys: Encompass serves two priorities), lead username, award (pence), summary,
# outputs [(name, unit, planned, [q1..q4])], outcomes [(name, unit, planned, [q1..q4],
# indicator code or "", evidence)]
PROJECTS = [
    (
        "Perpetrator programme (demo)",
        "Domestic abuse service (demo)",
        "domestic-abuse",
        "rotherham-lead-da",
        2_400_000,
        "A behaviour change programme for people who harm their partners.",
        [("Perpetrators referred to the programme", "perpetrators", 80, [18, 21, 17, 21])],
        [
            (
                "Positive completions",
                "people",
                12,
                [1, 1, 2, 3],
                "da-high-risk-repeat",
                "Completion reports from the programme's facilitators",
            )
        ],
    ),
    (
        "Kicks: sport for young people (demo)",
        "Community football trust (demo)",
        "child-exploitation",
        "rotherham-lead",
        1_800_000,
        "Free evening sport and educational workshops in areas with high youth ASB.",
        [
            ("Young people engaged", "young people", 100, [34, 29, 31, 26]),
            ("Educational workshops", "workshops", 12, [3, 3, 3, 3]),
        ],
        [
            (
                "Young people referred on to educational programmes",
                "young people",
                20,
                [5, 6, 4, 5],
                "",
                "Referral records kept by the youth workers",
            )
        ],
    ),
    (
        "Hate crime reporting centres (demo)",
        "Voluntary action network (demo)",
        "cohesive-communities",
        "rotherham-lead-communities",
        1_600_000,
        "Third-party reporting centres, drop-in sessions and awareness raising.",
        [
            ("Drop-in sessions", "sessions", 120, [30, 28, 32, 30]),
            ("Awareness raising sessions", "sessions", 40, [12, 10, 11, 12]),
        ],
        [
            (
                "Crimes and incidents reported through the centres",
                "reports",
                90,
                [24, 27, 22, 28],
                "hate-crimes-reported",
                "Monthly reporting centre logs",
            )
        ],
    ),
    (
        "Domestic abuse car (demo)",
        "Domestic abuse service (demo)",
        "domestic-abuse",
        "rotherham-lead-da",
        1_200_000,
        "An advocate in a police car at peak times, over Christmas and major events.",
        [("Victims engaged by the car", "victims", 40, [8, 9, 14, 7])],
        [
            (
                "Victims accepting ongoing support",
                "victims",
                25,
                [5, 6, 9, 4],
                "",
                "Case management records",
            )
        ],
    ),
    (
        "Encompass alerts to schools (demo)",
        "Borough Council (demo)",
        ("child-exploitation", "domestic-abuse"),
        "rotherham-lead",
        1_100_000,
        "Schools told before the next school day when a pupil was at a domestic abuse "
        "incident; training for safeguarding leads.",
        [
            ("Alerts sent to schools", "alerts", 600, [140, 160, 150, 170]),
            ("Safeguarding leads trained", "people", 120, [60, 40, 20, 10]),
        ],
        [],  # no outcome declared: shown as a gap
    ),
    (
        "Community MARAC coordinator (demo)",
        "Borough Council (demo)",
        "vulnerable-adults",
        "rotherham-lead-adults",
        1_500_000,
        "A coordinator for the community multi-agency risk assessment conference.",
        [("Cases heard", "cases", 60, [14, 16, 15, 17])],
        [
            (
                "Repeat victims of ASB",
                "people",
                None,
                [3, 4, 2, 5],
                "repeat-asb-victims",
                "",
            )
        ],
    ),
    (
        "Extremism awareness for families (demo)",
        "Prevent partnership (demo)",
        "cohesive-communities",
        "rotherham-lead-communities",
        900_000,
        "Leaflets and sessions for parents on protecting children from extremism.",
        [
            ("Families receiving a leaflet", "families", 1200, [400, 300, 300, 224]),
            ("Engagement sessions", "sessions", 100, [25, 27, 26, 24]),
        ],
        [
            (
                "Parents saying they know where to get help",
                "parents",
                300,
                [70, 80, 65, 90],
                "",
                "Feedback forms after sessions",
            )
        ],
    ),
    (
        "Organised crime sessions in schools (demo)",
        "South Yorkshire Police (demo)",
        "organised-crime",
        "rotherham-lead-soc",
        1_300_000,
        "Sessions on county lines and exploitation in secondary schools.",
        [("Sessions delivered", "sessions", 40, [10, 10, 12, 8])],
        [
            (
                "Intelligence reports from schools",
                "reports",
                30,
                [6, 9, 7, 10],
                "ocg-disruptions",
                "Intelligence logs (counts only)",
            )
        ],
    ),
]

# Demo history of the returns (project name prefix, quarter): one submitted late, one awaiting
# approval, one returned with a comment, one still owed (late).
LATE = ("Kicks", "2024/25-Q2")
AWAITING = ("Domestic abuse car", "2024/25-Q4")
RETURNED = ("Hate crime", "2024/25-Q4")
OWED = ("Community MARAC", "2024/25-Q4")

BULLETINS = [
    (
        dt.date(2024, 5, 14),
        "Monitoring community tension",
        "Partners and community groups",
        "cohesive-communities",
        1450,
    ),
    (
        dt.date(2024, 7, 2),
        "New campaign tackles hate",
        "Residents and partners",
        "cohesive-communities",
        2300,
    ),
    (
        dt.date(2024, 9, 18),
        "Sexual abuse: talking about consent",
        "Practitioners working with young people",
        "domestic-abuse",
        980,
    ),
    (
        dt.date(2024, 11, 26),
        "Preventing children being used by drug dealers",
        "Parents, guardians and carers",
        "organised-crime",
        3100,
    ),
]
TRAINING = [
    (
        dt.date(2024, 6, 12),
        "Hate crime and extremism awareness",
        "Charity partner (demo)",
        "Frontline staff",
        4,
        85,
        "Council, police, housing",
    ),
    (
        dt.date(2024, 8, 20),
        "Co-abuse training for domestic abuse practitioners",
        "Domestic abuse service (demo)",
        "Practitioners",
        2,
        34,
        "Council, health, voluntary",
    ),
    (
        dt.date(2024, 10, 8),
        "Organised crime sessions for school staff",
        "South Yorkshire Police (demo)",
        "School staff",
        6,
        140,
        "Schools",
    ),
    (
        dt.date(2025, 1, 22),
        "Licensing Act training for responsible authorities",
        "Council licensing team (demo)",
        "Responsible authorities",
        1,
        18,
        "Council, police, fire",
    ),
    (
        dt.date(2025, 2, 11),
        "Extreme right-wing ideology",
        "Prevent partnership (demo)",
        "Safeguarding leads",
        2,
        46,
        "Schools, colleges",
    ),
]
ENGAGEMENT = [
    (
        dt.date(2024, 9, 30),
        "Leaflet on protecting children from extremism",
        "Families",
        None,
        1224,
        "Schools",
    ),
    (dt.date(2024, 11, 15), "Lifestyle survey", "Young people", None, 3499, "Schools"),
    (
        dt.date(2025, 1, 9),
        "Consultation event on priorities",
        "Young people",
        1,
        7,
        "Youth council",
    ),
    (
        dt.date(2024, 12, 24),
        "Domestic abuse car over the Christmas period",
        "Victims",
        None,
        7,
        "Police, domestic abuse service",
    ),
]


def _org(partnership: Partnership, name: str) -> Organisation:
    found = Organisation.objects.filter(partnership=partnership, name=name).first()
    kind = "police" if "Police" in name else "council" if "Council" in name else "voluntary"
    return found or organisation_upsert(
        partnership=partnership, name=name, kind=kind, is_responsible_authority=False
    )


def _backdate(ret: MonitoringReturn, *, late: bool) -> None:
    """Date the demo history as if it happened when the quarter closed (demo only; the audit
    log keeps the real times)."""
    deadline = ret.period.deadline
    submitted = dt.datetime.combine(
        deadline + dt.timedelta(days=6 if late else -2), dt.time(10, 0), dt.UTC
    )
    MonitoringReturn.objects.filter(pk=ret.pk).update(
        submitted_at=submitted,
        decided_at=submitted + dt.timedelta(days=3) if ret.decided_at else None,
    )


@transaction.atomic
def demo_delivery_install(slug: str = "rotherham") -> list[str]:
    """Create or update the demo fund, projects, returns and logs. Needs the demo plan
    (`manage.py demo_plan_performance`) first. Safe to run again."""
    partnership = Partnership.objects.get(slug=slug)
    admin = User.objects.get(username=f"{slug}-admin")
    analyst = User.objects.get(username=f"{slug}-analyst")
    priorities = {p.key: p for p in Priority.objects.filter(theme__plan__partnership=partnership)}
    if not priorities:
        raise RuntimeError("No plan: run `manage.py demo_plan_performance` first.")
    indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
    stream = services.stream_upsert(
        partnership=partnership,
        by=admin,
        name=FUND,
        funder=FUNDER,
        financial_year=YEAR,
        amount_pence=11_800_000,
        conditions="Spent on the partnership's priorities within the year; quarterly "
        "monitoring returns; unspent money returned (demo conditions).",
        reporting_schedule="Quarterly monitoring returns; year-end outcome report",
        is_demo=True,
    )
    entered = 0
    for name, org, pkey, username, award, summary, outputs, outcomes in PROJECTS:
        lead = User.objects.filter(username=username).first()
        project = services.project_upsert(
            partnership=partnership,
            by=analyst,
            name=name,
            organisation=_org(partnership, org),
            priorities=[priorities[k] for k in ((pkey,) if isinstance(pkey, str) else pkey)],
            start_date=dt.date(2024, 4, 1),
            end_date=dt.date(2025, 3, 31),
            lead=lead,
            lead_role="Project lead (demo role)",
            summary=summary + " Demo: an invented project.",
            is_demo=True,
        )
        services.grant_set(project=project, stream=stream, by=analyst, amount_pence=award)
        plan = []
        for order, (mname, unit, planned, values) in enumerate(outputs):
            m = services.measure_upsert(
                project=project, by=analyst, kind="output", name=mname, unit=unit,
                planned=planned, order=order,
            )  # fmt: skip
            plan.append((m, values, ""))
        for order, (mname, unit, planned, values, code, evidence) in enumerate(outcomes):
            m = services.measure_upsert(
                project=project, by=analyst, kind="outcome", name=mname, unit=unit,
                planned=planned, indicator=indicators.get(code), order=order,
            )  # fmt: skip
            plan.append((m, values, evidence))
        for qi, label in enumerate(QUARTERS):
            ret = MonitoringReturn.objects.get(project=project, period__label=label)
            if ret.status != ReturnStatus.NOT_STARTED:
                continue  # entered on an earlier run (or by someone since)
            match = next(
                (k for k in (LATE, AWAITING, RETURNED, OWED) if name.startswith(k[0])
                 and k[1] == label), None,
            )  # fmt: skip
            if match == OWED or lead is None:
                continue
            values = {m.pk: v[qi] for m, v, _ in plan if v[qi] is not None}
            evidence = {m.pk: e for m, v, e in plan if e and v[qi] is not None}
            if len(values) < len(plan):  # a figure not known yet: a draft, still owed
                services.monitoring_save(ret=ret, by=lead, values=values, evidence=evidence)
                continue
            services.monitoring_submit(
                ret=ret,
                by=lead,
                values=values,
                evidence=evidence,
                spend_pence=award // 4 - (qi * 7_500),
                narrative=f"Demo narrative for {label}: what was delivered and for whom "
                "(invented for the demo).",
            )
            if match == AWAITING:
                continue
            if match == RETURNED:
                services.monitoring_send_back(
                    ret=ret, by=analyst,
                    comment="Please add the evidence for the reports figure (demo).",
                )  # fmt: skip
                continue
            services.monitoring_approve(ret=ret, by=analyst, comment="Checked (demo).")
            ret.refresh_from_db()
            _backdate(ret, late=match == LATE)
            entered += 1
    for date, title, audience, pkey, reach in BULLETINS:
        if not Communication.objects.filter(partnership=partnership, title=title).exists():
            services.communication_add(
                partnership=partnership, by=analyst, date=date, title=title, audience=audience,
                priority=priorities.get(pkey), reach=reach, is_demo=True,
            )  # fmt: skip
    for kind, rows in (("training", TRAINING), ("engagement", ENGAGEMENT)):
        for row in rows:
            if kind == "training":
                date, title, provider, audience, sessions, people, orgs = row
            else:
                date, title, audience, sessions, people, orgs = row
                provider = ""
            if Activity.objects.filter(partnership=partnership, title=title).exists():
                continue
            services.activity_add(
                partnership=partnership, by=analyst, kind=kind, date=date, title=title,
                provider=provider, audience=audience, sessions=sessions, people=people,
                organisations=orgs, is_demo=True,
            )  # fmt: skip
    return [
        f"{stream}: £118,000 for {len(PROJECTS)} projects (demo: invented names and figures)",
        f"{entered} monitoring returns approved on this run; one awaiting approval, one "
        "returned, one still owed (late), one submitted late",
        f"{len(BULLETINS)} e-bulletins, {len(TRAINING)} training and {len(ENGAGEMENT)} "
        "engagement records",
    ]
