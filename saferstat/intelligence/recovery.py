"""Recovering the background loads that a stopped task worker left behind.

A police.uk import (:class:`ImportRun`) or a partner upload (:class:`PartnerUpload`) is loaded
by the task worker. If the worker dies while it loads (a deploy, the out-of-memory killer, a
power cut), the row stays "queued" or "running" and its task stays RUNNING in the queue: no
worker will ever pick it up again, and the import page waits forever. The warehouse itself is
safe, because a killed load leaves the previous state (``docs/warehouse.md``); only the
bookkeeping is stuck.

:func:`stuck_jobs_recover` finds those rows and queues them again (loading is idempotent: a
month or period loaded again replaces itself), or, once a file has been started
``MAX_ATTEMPTS`` times, marks it failed with a message the analyst can act on. Each decision
is audited, with no actor ("system"). ``manage.py recover_stuck_jobs`` runs it, and
``make serve`` runs that before it starts the worker.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from saferstat.core import audit

from . import jobs
from .jobs import ImportStatus, LoadJob
from .models import ImportRun, PartnerUpload

#: A file whose load was started this many times without finishing is given up on.
MAX_ATTEMPTS = 3
#: A task claimed longer ago than this is presumed dead when the command runs on a schedule.
#: Loads take seconds: a file is at most SAFERSTAT_MAX_UPLOAD_BYTES and unpacks to at most
#: SAFERSTAT_MAX_UNPACKED_BYTES (a national month, 150 MB, loads in well under a minute), so
#: a worker that has held a task for 10 minutes has gone. Queueing a load again while it
#: still runs is harmless (loading is idempotent); it only costs an attempt.
DEFAULT_OLDER_THAN = timedelta(minutes=10)

ERR_GAVE_UP = (
    "The background worker stopped {attempts} times while loading this file (it was "
    "restarted, killed or ran out of memory), so SaferStat stopped trying. Nothing from this "
    "file was stored. Upload it again; if the same happens, ask your administrator to check "
    "the task worker."
)
WHY_WORKER_STOPPED = "its worker stopped while loading it"
WHY_TASK_ENDED = "its task ended ({status}) without recording a result"
WHY_TASK_GONE = "its task is no longer in the queue"
#: Recorded on the orphaned task row, so the queue no longer shows it as running.
WORKER_LOST = "saferstat.intelligence.recovery.WorkerLost"


#: Every kind of load job (:class:`saferstat.intelligence.jobs.LoadJob`) that a stopped
#: worker may leave behind.
KINDS: tuple[type[LoadJob], ...] = (ImportRun, PartnerUpload)


@dataclass(frozen=True)
class Recovered:
    """What was done with one stuck load: ``requeued`` or ``failed``, and why."""

    label: str
    pk: int
    partnership_slug: str
    original_name: str
    action: str
    reason: str
    attempts: int

    def __str__(self) -> str:
        what = (
            f"queued again (attempt {self.attempts + 1} of {MAX_ATTEMPTS})"
            if self.action == "requeued"
            else f"marked failed after {self.attempts} attempts"
        )
        return (
            f"{self.label} {self.pk} ({self.partnership_slug}, {self.original_name}): "
            f"{self.reason}; {what}"
        )


def _task_uuid(task_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(task_id)
    except (TypeError, ValueError):
        return None


def stuck_reason(run, task: DBTaskResult | None, *, cutoff: datetime) -> str | None:
    """Why a queued or running load is stuck, or None if it is waiting or working.

    Args:
        run: an unfinished :class:`ImportRun` or :class:`PartnerUpload`.
        task: its row in the task queue, or None if there is none.
        cutoff: a task claimed (or a task-less run started or created) before this moment is
            presumed abandoned.
    """
    if task is not None:
        if task.status == TaskResultStatus.READY:
            return None  # waiting for a worker; one will pick it up
        if task.status == TaskResultStatus.RUNNING:
            started = task.started_at or run.started_at
            if started is not None and started > cutoff:
                return None  # a worker may still be on it
            return WHY_WORKER_STOPPED
        return WHY_TASK_ENDED.format(status=task.status.lower())
    # No task: it was pruned, or the process died between saving the row and queueing it.
    # A run created a moment ago may simply not be queued yet, hence the age test.
    since = run.started_at if run.status == ImportStatus.RUNNING else run.created_at
    if since is not None and since > cutoff:
        return None
    return WHY_TASK_GONE


def stuck_jobs_recover(
    *, older_than: timedelta = DEFAULT_OLDER_THAN, now: datetime | None = None
) -> list[Recovered]:
    """Queue again, or mark failed, every import and partner upload a stopped worker left.

    A load is stuck when its task is gone, ended without the load recording a result, or was
    claimed by a worker more than ``older_than`` ago. A stuck load that was started fewer than
    :data:`MAX_ATTEMPTS` times is queued again; the rest are marked failed with
    :data:`ERR_GAVE_UP`. The orphaned task is marked failed in the queue. Each decision is
    audited (``import.requeue``, ``import.abandon``, ``dataset.requeue``,
    ``dataset.abandon``).

    Args:
        older_than: how long a worker may hold a task before it is presumed dead. At start-up,
            before any worker runs, every claimed task is orphaned: pass ``timedelta(0)``.
        now: the current time (for tests).

    Returns:
        One entry per load recovered.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    done: list[Recovered] = []
    for kind in KINDS:
        unfinished = kind.objects.filter(status__in=jobs.UNFINISHED).order_by("pk")
        for run in unfinished:
            task_uuid = _task_uuid(run.task_id)
            task = DBTaskResult.objects.filter(pk=task_uuid).first() if task_uuid else None
            reason = stuck_reason(run, task, cutoff=cutoff)
            if reason is not None:
                recovered = _recover(kind, run, task_uuid, reason, now)
                if recovered is not None:
                    done.append(recovered)
    return done


def _recover(kind: type[LoadJob], seen, task_uuid, reason: str, now: datetime) -> Recovered | None:
    with transaction.atomic():
        run = (
            kind.objects.select_for_update(of=("self",))
            .select_related("partnership")
            .get(pk=seen.pk)
        )
        if run.is_finished or run.task_id != seen.task_id:
            return None  # it moved on since we looked
        before = audit.snapshot(run, ["status", "attempts", "task_id"])
        if task_uuid is not None:
            DBTaskResult.objects.filter(pk=task_uuid, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"Recovered by manage.py recover_stuck_jobs: {reason}.",
            )
        if run.attempts >= MAX_ATTEMPTS:
            action, verb = "failed", f"{kind.audit_prefix}.abandon"
            fields = run.refusal_fields(
                [f"{run.original_name}: {ERR_GAVE_UP.format(attempts=run.attempts)}"]
            ) | {"finished_at": now}
        else:
            action, verb = "requeued", f"{kind.audit_prefix}.requeue"
            fields = {"status": ImportStatus.QUEUED, "task_id": "", "rows_done": 0}
            jobs.queue(run)
        kind.objects.filter(pk=run.pk).update(**fields)
        run.refresh_from_db()
        audit.record(
            actor=None,
            verb=verb,
            obj=run,
            partnership=run.partnership,
            before=before,
            after={**audit.snapshot(run, ["status", "attempts", "task_id"]), "reason": reason},
        )
    return Recovered(
        label=kind.job_label,
        pk=run.pk,
        partnership_slug=run.partnership.slug if run.partnership else run.force_slug,
        original_name=run.original_name,
        action=action,
        reason=reason,
        attempts=run.attempts,
    )
