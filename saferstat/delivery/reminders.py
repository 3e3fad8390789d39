"""Reminder emails for monitoring returns, through the shared return reminders of
`saferstat.performance.reminders` (the machinery that chases indicator returns: once in the
week before the deadline, once a week after it; each reminder kept in the return's history
and the audit log). They run inside the governance reminder job, once a day per partnership,
so each run is a `governance.JobRun` shown on the scheduled jobs page (`register` in
`apps.py`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from saferstat.core.models import Partnership
from saferstat.performance.reminders import ReturnReminders, chase, owed_filter

from .models import MonitoringEvent, MonitoringReturn

MONITORING_REMINDERS = ReturnReminders(
    events=MonitoringEvent,
    audit_verb="monitoring_return.remind",
    recipient=lambda ret: ret.project.lead.email,
    subject=lambda ret: (
        f"{ret.partnership.name}: {ret.project.name} monitoring return for {ret.period.label}"
    ),
    what=lambda ret: f"The monitoring return for {ret.project.name} ({ret.period.label})",
    path=lambda ret: f"/p/{ret.partnership.slug}/delivery/returns/{ret.pk}/",
)


@transaction.atomic
def monitoring_reminders_send(
    *, partnership: Partnership, today: dt.date | None = None
) -> list[MonitoringReturn]:
    """Chase the leads of the partnership's monitoring returns still owed."""
    today = today or timezone.localdate()
    owed = (
        MonitoringReturn.objects.filter(partnership=partnership, **owed_filter(today))
        .exclude(project__lead__isnull=True)
        .exclude(project__lead__email="")
        .exclude(project__lead__is_active=False)
        .select_related("period", "project", "project__lead", "partnership")
        .order_by("period__start_month", "project__name")
    )
    return chase(owed, MONITORING_REMINDERS, today=today)


def monitoring_reminders(partnership: Partnership, today: dt.date) -> str:
    """The governance reminder job's part for monitoring returns: a summary for its run."""
    chased = monitoring_reminders_send(partnership=partnership, today=today)
    return f"{len(chased)} monitoring return reminder(s)"
