"""Case review deadline reminders, run by the governance reminder job
(`manage.py governance_reminders`; registered in `apps.py`). The admins and named case
reviewers get one email per day listing the applications with a milestone late or due
within two working days. The email names cases by reference only: no personal data."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from saferstat.analytics import casereview as rules
from saferstat.core.models import Partnership

from . import selectors

SOON_WORKING_DAYS = 2


def case_deadline_reminders(partnership: Partnership, today: dt.date) -> str:
    soon = rules.add_working_days(today, SOON_WORKING_DAYS)
    lines, reminded = [], []
    for row in selectors.case_rows(partnership, today):
        application = row.application
        if application.last_reminded_on == today:
            continue
        pending = [m for m in row.milestones if m.done_on is None and m.due <= soon]
        if not pending:
            continue
        path = reverse(
            "casereviews:case_detail",
            kwargs={"slug": partnership.slug, "application_id": application.pk},
        )
        for m in pending:
            word = "LATE" if m.state == rules.LATE else "due"
            lines.append(
                f"- {application.reference}: {m.label}, {word} {m.due:%d %B %Y} "
                f"({settings.SAFERSTAT_SITE_URL}{path})"
            )
        reminded.append(application)
    recipients = selectors.reminder_recipients(partnership)
    if not lines or not recipients:
        return "0 case review deadline(s)"
    send_mail(
        f"{len(reminded)} ASB case review(s) with deadlines due or late",
        f"{partnership.name}\n\n" + "\n".join(lines) + "\n",
        None,
        recipients,
    )
    for application in reminded:
        application.last_reminded_on = today
        application.save(update_fields=["last_reminded_on"])
    return f"{len(reminded)} case review deadline(s)"
