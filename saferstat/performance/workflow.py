"""The return life cycle, shared by every kind of quarterly return: a priority lead's
indicator return (`performance.Return`) and a project's monitoring return
(`delivery.MonitoringReturn`). One machinery, not a copy:

```
not started / draft / returned --save--> draft
not started / draft / returned --submit--> submitted
submitted --approve--> approved                 (analyst)
not started --import--> approved                (analyst, values from a spreadsheet)
submitted --return (comment required)--> returned
approved / corrected --correct (reason required)--> corrected
```

A return model inherits `ReturnLifecycle` (status, who submitted and decided, when, the
analyst's comment) and has a `period` (a `ReportingPeriod` of the shared calendar). The
services of each app check their own permission and write their own lines, then call these
steps, which change the status and stamp who and when, and `record_step`, which keeps the step
in the return's history and the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from saferstat.core import audit
from saferstat.core.sanitise import clean_plain

from .models import SIGNED_OFF, ReturnStatus

ERR_STATUS = "This return is {status}: it cannot be {action} now."
ERR_COMMENT = "Say what needs changing, so the lead can put it right."
ERR_REASON = "Give the reason for the correction."

#: Statuses in which the lead may still enter the return (it is owed).
EDITABLE = (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT, ReturnStatus.RETURNED)


def check_status(ret, allowed, action: str) -> None:
    """Refuse the step unless the return's status is one of ``allowed``."""
    if ret.status not in allowed:
        raise ValidationError(
            ERR_STATUS.format(status=ReturnStatus(ret.status).label.lower(), action=action)
        )


def mark_draft(ret) -> None:
    check_status(ret, EDITABLE, "changed")
    ret.status = ReturnStatus.DRAFT


def mark_submitted(ret, by) -> None:
    check_status(ret, EDITABLE, "submitted")
    ret.status = ReturnStatus.SUBMITTED
    ret.submitted_at, ret.submitted_by = timezone.now(), by


def _decide(ret, by, status: str, comment: str) -> str:
    """Record the analyst's decision on the return, now; returns the comment."""
    ret.status = status
    ret.decided_at, ret.decided_by = timezone.now(), by
    ret.decision_comment = comment
    return comment


def mark_approved(ret, by, comment: str = "") -> str:
    """Sign the submitted return off; returns the cleaned comment."""
    check_status(ret, (ReturnStatus.SUBMITTED,), "approved")
    return _decide(ret, by, ReturnStatus.APPROVED, clean_plain(comment))


def mark_imported(ret, by, comment: str) -> str:
    """Sign off a return that was never started with values imported from the partnership's
    own spreadsheet by an analyst (nothing was submitted, so nothing was late)."""
    check_status(ret, (ReturnStatus.NOT_STARTED,), "imported")
    return _decide(ret, by, ReturnStatus.APPROVED, clean_plain(comment))


def mark_returned(ret, by, comment: str) -> str:
    """Send the submitted return back to the lead; a comment is required."""
    check_status(ret, (ReturnStatus.SUBMITTED,), "returned")
    comment = clean_plain(comment)
    if not comment:
        raise ValidationError({"comment": ERR_COMMENT})
    return _decide(ret, by, ReturnStatus.RETURNED, comment)


def mark_corrected(ret, reason: str) -> str:
    """Correct a signed-off return; a reason is required. Returns the cleaned reason."""
    check_status(ret, SIGNED_OFF, "corrected")
    reason = clean_plain(reason)
    if not reason:
        raise ValidationError({"reason": ERR_REASON})
    ret.status = ReturnStatus.CORRECTED
    return reason


def record_step(
    ret, *, events, audit_prefix: str, by, verb: str, before: dict, after: dict, comment: str = ""
):
    """Keep one step in the return's own history (`events`, its event model) and in the
    audit log (as ``<audit_prefix>.<verb>``, the comment added to the after state)."""
    events.objects.create(ret=ret, actor=by, kind=verb, comment=comment, before=before, after=after)
    audit.record(
        actor=by,
        verb=f"{audit_prefix}.{verb}",
        obj=ret,
        partnership=ret.partnership,
        before=before,
        after={**after, "comment": comment} if comment else after,
    )
    return ret


def is_late(ret, today: dt.date | None = None) -> bool:
    """Still owed after the period's deadline."""
    today = today or timezone.localdate()
    return ret.status in EDITABLE and ret.period.deadline < today


def late_filter(today: dt.date | None = None) -> dict:
    """Query arguments for the returns still owed after their deadline."""
    today = today or timezone.localdate()
    return {"status__in": EDITABLE, "period__deadline__lt": today}
