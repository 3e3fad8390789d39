"""One run of a scheduled job, kept for the jobs page (/p/<slug>/governance/jobs/) and
audited: the one machinery every app's daily job uses (reminders, retention, report
rebuilds)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from saferstat.core import audit
from saferstat.core.models import Partnership

from .models import JobRun


@contextmanager
def scheduled_run(
    *, partnership: Partnership, job: str, verb: str, actor_label: str = "scheduled job"
) -> Iterator[JobRun]:
    """Keep one run of ``job`` for ``partnership``.

    The body does the work and sets ``run.detail`` (what it did, in words). A run that
    finishes is kept as done; one that raises is kept as failed (the error's type only: no
    personal data reaches the page) and the error is raised again for the worker's log.
    Either way the run is saved with its finishing time and an audit event ``verb``.
    """
    run = JobRun.objects.create(partnership=partnership, job=job, started_at=timezone.now())
    try:
        yield run
        run.ok = True
    except Exception as exc:
        run.ok = False
        run.detail = f"Failed: {type(exc).__name__}"
        raise
    finally:
        run.detail = (run.detail or "")[:500]
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor=None,
            actor_label=actor_label,
            verb=verb,
            obj=run,
            partnership=partnership,
            after=audit.snapshot(run, ["job", "ok", "detail"]),
        )
