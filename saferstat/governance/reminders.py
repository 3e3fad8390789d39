"""Reminder emails: actions due soon or overdue go to their owners; recommendations whose
response is late go to the partnership's officers (admins and analysts). Run for every
partnership by the scheduled task `send_reminders` (`manage.py governance_reminders`, from
cron or a systemd timer), at most one email per action or recommendation per day. Each run
is kept as a `JobRun` per partnership, shown at /p/<slug>/governance/jobs/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saferstat.core.choices import Role
from saferstat.core.models import Partnership, User

from .jobs import scheduled_run
from .models import Action, ActionStatus, JobRun, Recommendation

JOB = "governance.reminders"

#: Other apps' reminders, run inside the same job and transaction for each partnership:
#: a function (partnership, today) -> a short summary for the run's detail (e.g. the
#: case review deadlines, saferstat/casereviews/reminders.py). Added with `register`.
SOURCES: list[Callable[[Partnership, dt.date], str]] = []


def register(source: Callable[[Partnership, dt.date], str]) -> None:
    """Add another app's reminders to the governance reminder job (once)."""
    if source not in SOURCES:
        SOURCES.append(source)


#: Owners are reminded from this many days before an action's due date, and daily after.
DAYS_BEFORE = 3


def _officers(partnership: Partnership) -> list[str]:
    return sorted(
        User.objects.filter(
            memberships__partnership=partnership,
            memberships__role__in=[Role.ADMIN, Role.ANALYST],
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def reminders_run(*, partnership: Partnership, today: dt.date | None = None) -> JobRun:
    """Send today's reminders for one partnership and record the run."""
    today = today or timezone.localdate()
    sent_actions = sent_recs = 0
    with scheduled_run(
        partnership=partnership, job=JOB, verb="reminders.run", actor_label="scheduled reminders"
    ) as run:
        with transaction.atomic():
            actions = (
                Action.objects.filter(
                    partnership=partnership,
                    status=ActionStatus.OPEN,
                    due_date__lte=today + dt.timedelta(days=DAYS_BEFORE),
                    owner__isnull=False,
                    owner__is_active=True,
                )
                .exclude(owner__email="")
                .exclude(last_reminded_on=today)
                .select_related("owner")
            )
            for action in actions:
                late = action.due_date < today
                path = reverse(
                    "governance:action_detail",
                    kwargs={"slug": partnership.slug, "action_id": action.pk},
                )
                send_mail(
                    f"{'Overdue' if late else 'Due soon'}: {action.title[:80]}",
                    f"{partnership.name}\n\nYour action: {action.title}\n"
                    f"Due: {action.due_date:%d %B %Y}{' (overdue)' if late else ''}\n\n"
                    f"Update it at {settings.SAFERSTAT_SITE_URL}{path}\n",
                    None,
                    [action.owner.email],
                )
                action.last_reminded_on = today
                action.save(update_fields=["last_reminded_on"])
                sent_actions += 1
            officers = _officers(partnership)
            recs = Recommendation.objects.filter(
                partnership=partnership, responded_on__isnull=True
            ).exclude(last_reminded_on=today)
            late_recs = [
                r for r in recs.select_related("to_organisation") if r.clock(today).overdue
            ]
            if late_recs and officers:
                lines = [
                    f"- {r.to_organisation}: {r.text[:120]} (due {r.due:%d %B %Y})"
                    for r in late_recs
                ]
                send_mail(
                    f"{len(late_recs)} scrutiny recommendation(s) awaiting a late response",
                    f"{partnership.name}\n\n" + "\n".join(lines) + "\n",
                    None,
                    officers,
                )
                for r in late_recs:
                    r.last_reminded_on = today
                    r.save(update_fields=["last_reminded_on"])
                sent_recs = len(late_recs)
            extra = [source(partnership, today) for source in SOURCES]
            run.detail = "; ".join(
                [f"{sent_actions} action reminder(s)", f"{sent_recs} late recommendation(s)"]
                + [e for e in extra if e]
            )
    return run


def reminders_run_all(today: dt.date | None = None) -> list[JobRun]:
    return [reminders_run(partnership=p, today=today) for p in Partnership.objects.all()]
