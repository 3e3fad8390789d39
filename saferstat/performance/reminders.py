"""Reminder emails for quarterly returns, shared by every kind of return (the indicator
returns of `performance.Return` and the monitoring returns of `delivery.MonitoringReturn`):
one machinery, not a copy, as the life cycle in `workflow.py` is.

A return still owed is chased once in the week before its period's deadline, and once a
week after it. Each reminder is kept in the return's own history (an event of kind
``remind``, whose ``after`` says which reminder and when) and in the audit log; the rules
read that history, so running the reminders twice on a day sends nothing twice.

Each kind of return describes itself with a :class:`ReturnReminders` (whom to email, what to
say, where to enter it) and calls :func:`chase` with the returns it owes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from saferstat.core import audit

#: A reminder goes this many days before the deadline, and every this many days after it.
REMIND_DAYS = 7


@dataclass(frozen=True)
class ReturnReminders:
    """How one kind of return is chased.

    Attributes:
        events: the return's event model (``ret``, ``actor``, ``kind``, ``comment``, ``after``).
        audit_verb: the audit log's verb for a reminder, e.g. ``return.remind``.
        recipient: the email address of whoever owes the return.
        subject: the email's subject.
        what: what is owed, as the start of a sentence ("The quarterly return for ...").
        path: where to enter it (a path on the site).
    """

    events: type
    audit_verb: str
    recipient: Callable[[object], str]
    subject: Callable[[object], str]
    what: Callable[[object], str]
    path: Callable[[object], str]


def owed_filter(today: dt.date) -> dict:
    """Query arguments for returns still owed whose period has opened."""
    from .workflow import EDITABLE

    return {"status__in": EDITABLE, "period__opens_on__lte": today}


def due_reminder(ret, today: dt.date) -> str | None:
    """``before`` or ``after`` when the return is to be chased today, else None."""
    deadline = ret.period.deadline
    if today < deadline - dt.timedelta(days=REMIND_DAYS):
        return None
    kind = "before" if today <= deadline else "after"
    last = ret.events.filter(kind="remind").order_by("-at", "-pk").first()
    if last is not None:
        last_kind = (last.after or {}).get("reminder")
        last_on = dt.date.fromisoformat((last.after or {}).get("on", "1970-01-01"))
        if kind == "before" and last_kind == "before":
            return None
        if kind == "after" and last_kind == "after" and (today - last_on).days < REMIND_DAYS:
            return None
    return kind


def chase(owed: Iterable, spec: ReturnReminders, *, today: dt.date | None = None) -> list:
    """Email whoever owes each return that is due a reminder today; record each reminder.
    Returns the returns chased."""
    today = today or timezone.localdate()
    chased = []
    for ret in owed:
        kind = due_reminder(ret, today)
        if kind is None:
            continue
        deadline = ret.period.deadline
        days = (deadline - today).days
        when = (
            f"is due on {deadline:%-d %B %Y} ({days} day{'s' if days != 1 else ''} from now)"
            if kind == "before"
            else f"was due on {deadline:%-d %B %Y} and is {-days} day{'s' if days != -1 else ''} late"
        )
        send_mail(
            subject=spec.subject(ret),
            message=f"{spec.what(ret)} {when}.\n\nEnter it at {spec.path(ret)}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[spec.recipient(ret)],
        )
        after = {"reminder": kind, "on": today.isoformat()}
        spec.events.objects.create(
            ret=ret,
            actor=None,
            kind="remind",
            comment=f"Reminder emailed to the lead ({kind} the deadline).",
            after=after,
        )
        audit.record(
            actor=None,
            verb=spec.audit_verb,
            obj=ret,
            partnership=ret.partnership,
            after=after,
            actor_label="scheduled reminders",
        )
        chased.append(ret)
    return chased
