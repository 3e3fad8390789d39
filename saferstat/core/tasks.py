"""Background tasks of the core: the task worker's heartbeat (``/health/``)."""

from __future__ import annotations

from django_tasks import task


@task()
def worker_heartbeat() -> None:
    """Prove the worker is alive: the worker claiming this task is what ``/health/`` sees.

    Deletes the finished heartbeats older than an hour, then queues the next one."""
    from .health import worker_heartbeat_next

    worker_heartbeat_next()
