"""Is this install working? The answers behind ``/health/``, for the proxy and monitoring.

Three checks, each answered "ok" or a short reason that names nothing private (no paths,
host names, versions or exception text):

- **database**: a ``SELECT 1`` on the default connection;
- **warehouse**: the warehouse folder exists and can be listed;
- **worker**: the task worker claimed a task recently. A worker that has nothing to do is
  still seen: it runs :func:`saferstat.core.tasks.worker_heartbeat` every
  ``HEARTBEAT_EVERY`` (the heartbeat queues the next one itself, and ``manage.py worker_heartbeat``,
  run before the worker starts and on the maintenance timer, queues one if the chain broke). A
  worker not seen for ``SAFERSTAT_WORKER_SILENT_SECONDS`` (default 300) is reported as
  "worker not seen since <time>". With a task backend other than the database queue (the
  test suite runs tasks at once) there is no worker to see and the check says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

DB_BACKEND = "django_tasks_db.DatabaseBackend"
HEARTBEAT_TASK = "saferstat.core.tasks.worker_heartbeat"
#: How often an idle worker runs its heartbeat.
HEARTBEAT_EVERY = timedelta(seconds=60)
#: Finished heartbeats older than this are deleted by the next one.
HEARTBEAT_KEEP = timedelta(hours=1)
OK = "ok"


@dataclass
class Health:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(value in (OK, "not used") for value in self.checks.values())

    def as_json(self) -> dict:
        return {"status": "ok" if self.healthy else "unavailable", "checks": self.checks}


def uses_database_queue() -> bool:
    return settings.TASKS["default"]["BACKEND"] == DB_BACKEND


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "database not reachable"
    return OK


def _warehouse() -> str:
    root = settings.SAFERSTAT_WAREHOUSE
    try:
        if not os.path.isdir(root):
            return "warehouse not readable"
        os.listdir(root)
    except OSError:
        return "warehouse not readable"
    return OK


def worker_last_seen():
    """When a task worker last claimed a task (None: never), from the database queue."""
    from django.db.models import Max
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.aggregate(seen=Max("started_at"))["seen"]


def _worker(database_ok: bool) -> str:
    if not uses_database_queue():
        return "not used"
    if not database_ok:
        return "worker unknown: no database"
    try:
        seen = worker_last_seen()
    except DatabaseError:
        return "worker unknown: no database"
    if seen is None:
        return "worker never seen"
    silent = timedelta(seconds=settings.SAFERSTAT_WORKER_SILENT_SECONDS)
    if timezone.now() - seen > silent:
        return "worker not seen since " + seen.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return OK


def health_check() -> Health:
    """Run the three checks (reads only)."""
    database = _database()
    return Health(
        {"database": database, "warehouse": _warehouse(), "worker": _worker(database == OK)}
    )


def worker_heartbeat_ensure() -> bool:
    """Queue a heartbeat now if none is waiting (the database queue only). True if queued.

    Run by ``manage.py worker_heartbeat`` (before the worker starts, and on the maintenance
    timer), so a broken chain of heartbeats is mended within one timer period."""
    if not uses_database_queue():
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .tasks import worker_heartbeat

    waiting = DBTaskResult.objects.filter(
        task_path=HEARTBEAT_TASK, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    worker_heartbeat.enqueue()
    return True


def worker_heartbeat_next() -> None:
    """Inside the heartbeat task: prune old heartbeats and queue the next one."""
    if not uses_database_queue():
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .tasks import worker_heartbeat

    now = timezone.now()
    DBTaskResult.objects.filter(
        task_path=HEARTBEAT_TASK,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - HEARTBEAT_KEEP,
    ).delete()
    if not DBTaskResult.objects.filter(
        task_path=HEARTBEAT_TASK, status=TaskResultStatus.READY
    ).exists():
        worker_heartbeat.using(run_after=now + HEARTBEAT_EVERY).enqueue()
