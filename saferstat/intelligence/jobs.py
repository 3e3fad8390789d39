"""One life cycle for every background load: police.uk imports and partner uploads.

A load job is one uploaded file that the task worker reads, checks and stores. Every kind
(:class:`~saferstat.intelligence.imports.models.ImportRun`,
:class:`~saferstat.intelligence.datasets.models.PartnerUpload`) subclasses :class:`LoadJob`
and goes through the same steps, written once here:

1. **keep** the file and its row together (:func:`saferstat.intelligence.files.upload_kept`);
2. **queue** it once its row is committed (:func:`queue`, :func:`enqueue`);
3. **execute** it in the worker (:func:`execute`): mark it running (one more attempt), run the
   kind's own work, and **record** the outcome (:func:`record`): status, rows, errors,
   finish time, an audit event, and the file deleted once finished unless uploads are kept
   (:func:`saferstat.intelligence.files.upload_done`);
4. **recover** it if a worker died on it (:mod:`saferstat.intelligence.recovery`).

A new kind of load (an assessment's survey file, a delivery return) subclasses
:class:`LoadJob`, names its task and audit prefix, and writes only its own work function.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from django.db import models, transaction
from django.utils import timezone

from saferstat.core import audit

logger = logging.getLogger(__name__)

ERR_MEMORY = (
    "{name}: the file needs more memory than the task worker has, so it was not loaded and "
    "nothing from it was stored. Split it into smaller files (for example one per month), or "
    "ask your administrator."
)
PROGRESS_EVERY_ROWS = 5000


class ImportStatus(models.TextChoices):
    """Where a load job is in its life cycle (shared by every kind)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    SUCCEEDED = "succeeded", "Loaded"
    FAILED = "failed", "Refused"
    REJECTED = "rejected", "Rejected"


JobStatus = ImportStatus
FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.REJECTED})
UNFINISHED = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class LoadJob(models.Model):
    """The fields and states every background load shares (an abstract model: each kind
    keeps its own table). Subclasses set the class attributes below."""

    #: The task in :mod:`saferstat.intelligence.tasks` that executes this kind.
    task_name: ClassVar[str] = ""
    #: Audit verb prefix: ``<prefix>.requeue``, ``<prefix>.abandon``, ...
    audit_prefix: ClassVar[str] = ""
    #: How the recovery command names this kind.
    job_label: ClassVar[str] = ""

    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_done = models.BigIntegerField(default=0)
    rows_loaded = models.BigIntegerField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_waiting(self) -> bool:
        """Checked and waiting for a person (a force administrator): nothing to poll for."""
        return self.status == ImportStatus.AWAITING_APPROVAL

    @property
    def is_polling(self) -> bool:
        """Its progress page refreshes itself: queued or running."""
        return not self.is_finished and not self.is_waiting

    def refusal_fields(self, errors: list[str], total: int | None = None) -> dict[str, Any]:
        """The fields that record a refusal (subclasses add their own, e.g. a count)."""
        return {"status": ImportStatus.FAILED, "errors": errors}


# --- queueing -------------------------------------------------------------------------------


def enqueue(job_class: type[LoadJob], pk: int) -> None:
    """Put the job on the task queue and remember the task's id (for recovery)."""
    from . import tasks

    result = getattr(tasks, job_class.task_name).enqueue(pk)
    job_class.objects.filter(pk=pk, task_id="").update(task_id=str(result.id))


def queue(job: LoadJob) -> None:
    """Queue the job once the current transaction commits (so the worker sees its row and
    its file). Call inside or outside a transaction."""
    transaction.on_commit(partial(enqueue, type(job), job.pk))


# --- executing ------------------------------------------------------------------------------


class Progress:
    """Writes ``rows_done`` every :data:`PROGRESS_EVERY_ROWS` rows (the page polls it)."""

    def __init__(self, job: LoadJob):
        self._manager = type(job).objects
        self._pk = job.pk
        self._last = 0

    def __call__(self, rows: int) -> None:
        if rows - self._last >= PROGRESS_EVERY_ROWS:
            self._last = rows
            self._manager.filter(pk=self._pk).update(rows_done=rows)

    def set(self, rows: int) -> None:
        self._last = rows
        self._manager.filter(pk=self._pk).update(rows_done=rows)


@dataclass
class Outcome:
    """What a job's work ended with, for :func:`record`."""

    status: str
    verb: str  # the audit verb, e.g. "dataset.load"
    actor: Any = None  # the user the audit event names (None: "system")
    fields: dict[str, Any] = field(default_factory=dict)
    audit_fields: list[str] = field(default_factory=lambda: ["status"])


#: A kind's work: given the job (marked running), its audit snapshot from before, and a
#: progress callback, do the work and return its outcome, or None if it recorded it itself.
Work = Callable[[LoadJob, dict, Progress], "Outcome | None"]


def execute(
    job_class: type[LoadJob],
    pk: int,
    work: Work,
    *,
    refused: Callable[[LoadJob, list[str]], Outcome],
    select_related: Iterable[str] = (),
) -> LoadJob:
    """Run one job in the worker: the one runner every kind uses.

    Safe to run again: a finished job, or one waiting for a person, is left as it is.
    Marks the job running (one more attempt, no rows yet), calls ``work``, and records what it
    returned. Running out of memory is recorded as a refusal (``refused``) with
    :data:`ERR_MEMORY`, never left "running" for recovery to retry in vain.
    """
    job = job_class.objects.select_related(*select_related).get(pk=pk)
    if job.is_finished or job.is_waiting:
        return job
    before = audit.snapshot(job, ["status"])
    job_class.objects.filter(pk=pk).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=job.attempts + 1,
        rows_done=0,
    )
    out_of_memory = False
    try:
        outcome = work(job, before, Progress(job))
    except MemoryError:
        # Python survives a failed allocation. Record it outside this block, once the
        # work's frame (and what it held) is released.
        out_of_memory = True
    if out_of_memory:
        logger.warning("%s %s: out of memory on %s", job_class.__name__, pk, job.original_name)
        outcome = refused(job, [ERR_MEMORY.format(name=job.original_name)])
    if outcome is not None:
        record(job, before=before, outcome=outcome)
    job.refresh_from_db()
    return job


def record(
    job: LoadJob,
    *,
    before: dict | None,
    outcome: Outcome,
    partnerships: Iterable[Any] | None = None,
    actor_label: str = "",
    extra: dict[str, Any] | None = None,
    per_partnership: Callable[[Any], dict[str, Any]] | None = None,
) -> LoadJob:
    """Record a job's outcome in one transaction: its fields, an audit event (in each of
    ``partnerships``, default the job's own), and, once finished, its file handed to
    :func:`~saferstat.intelligence.files.upload_done` after the commit."""
    from .files import upload_done

    fields = {"status": outcome.status, **outcome.fields}
    finished = outcome.status in FINISHED
    if finished:
        fields.setdefault("finished_at", timezone.now())
    with transaction.atomic():
        type(job).objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
        after = audit.snapshot(job, outcome.audit_fields) | (extra or {})
        where = list(partnerships) if partnerships is not None else [job.partnership]
        for partnership in where or [None]:
            audit.record(
                actor=outcome.actor,
                actor_label=actor_label,
                verb=outcome.verb,
                obj=job,
                partnership=partnership,
                before=before,
                after=after | (per_partnership(partnership) if per_partnership else {}),
            )
        if finished:
            transaction.on_commit(partial(upload_done, job.stored_path))
    return job
