"""A partnership's delivery records, built through the services (for the delivery tests, the
access matrix, the isolation test and the two-factor test). ``mark`` goes into every piece
of text; names are roles and invented text."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.services import organisation_upsert
from saferstat.delivery import services
from saferstat.delivery.models import MonitoringReturn
from saferstat.performance.models import Indicator
from saferstat.plan.models import Priority
from tests.performance.factories import plan_world


def delivery_world(
    partnership, *, admin, analyst, lead, mark: str = "", value: int = 40, amount: int = 11_800_000
) -> dict:
    """A £118,000 stream (``amount`` pence), one project led by ``lead`` with an award of
    £20,000, an output (planned 80) and an outcome linked to an indicator, and its 2024/25
    monitoring returns: Q1 approved (``value`` referrals, £5,000 spent), Q2 submitted, Q3
    and Q4 owed; a bulletin (with its PDF, under MEDIA_ROOT) and a training session. Builds the plan first when there is
    none (`tests.performance.factories.plan_world`)."""
    priority = Priority.objects.filter(theme__plan__partnership=partnership).first()
    if priority is None:
        plan_world(partnership, admin=admin, analyst=analyst, lead=lead, other_lead=None, mark=mark)
        priority = Priority.objects.filter(theme__plan__partnership=partnership).first()
    indicator = Indicator.objects.filter(partnership=partnership, source="entered").first()
    org = organisation_upsert(
        partnership=partnership,
        name=f"{mark}Family Support Charity",
        kind="voluntary",
        is_responsible_authority=False,
    )
    stream = services.stream_upsert(
        partnership=partnership,
        by=admin,
        name=f"{mark}Community safety fund",
        funder=f"{mark}Police and Crime Commissioner",
        financial_year="2024/25",
        amount_pence=amount,
        conditions=f"{mark}Quarterly monitoring returns",
    )
    project = services.project_upsert(
        partnership=partnership,
        by=analyst,
        name=f"{mark}Perpetrator programme",
        organisation=org,
        priority=priority,
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2025, 3, 31),
        lead=lead,
        lead_role=f"{mark}Service manager",
    )
    grant = services.grant_set(project=project, stream=stream, by=analyst, amount_pence=2_000_000)
    output = services.measure_upsert(
        project=project,
        by=analyst,
        kind="output",
        name=f"{mark}Perpetrators referred",
        unit="perpetrators",
        planned=80,
    )
    outcome = services.measure_upsert(
        project=project,
        by=analyst,
        kind="outcome",
        name=f"{mark}Positive completions",
        unit="completions",
        planned=10,
        indicator=indicator,
    )
    returns = {
        r.period.label: r
        for r in MonitoringReturn.objects.filter(project=project).select_related("period")
    }
    q1, q2 = returns["2024/25-Q1"], returns["2024/25-Q2"]
    services.monitoring_submit(
        ret=q1,
        by=lead,
        values={output.pk: value, outcome.pk: 3},
        evidence={outcome.pk: f"{mark}Three completed the course"},
        spend_pence=500_000,
        narrative=f"{mark}Referrals from the police and children's services",
    )
    services.monitoring_approve(ret=q1, by=analyst)
    services.monitoring_submit(
        ret=q2, by=lead, values={output.pk: 20, outcome.pk: 1}, spend_pence=450_000
    )
    bulletin = services.communication_add(
        partnership=partnership,
        by=analyst,
        date=dt.date(2024, 9, 1),
        title=f"{mark}New campaign tackles hate",
        audience=f"{mark}Residents and practitioners",
        reach=value,
        priority=priority,
        upload=SimpleUploadedFile(
            f"{mark}bulletin.pdf", b"%PDF-1.4\n% " + mark.encode() + b"bulletin\n%%EOF\n"
        ),
    )
    training = services.activity_add(
        partnership=partnership,
        by=analyst,
        kind="training",
        date=dt.date(2024, 10, 1),
        title=f"{mark}Co-abuse training for practitioners",
        provider=f"{mark}Domestic abuse service",
        people=25,
        sessions=2,
    )
    return {
        "stream": stream,
        "project": project,
        "grant": grant,
        "output": output,
        "outcome": outcome,
        "approved": q1,
        "submitted": q2,
        "owed": returns["2024/25-Q3"],
        "bulletin": bulletin,
        "training": training,
        "organisation": org,
        "priority": priority,
    }
