"""/health/: database, warehouse and task worker, for the proxy and monitoring.

The worker is run for real (``db_worker --batch`` on the database queue): its heartbeat is
what the endpoint sees; then the worker is "stopped" (its last claim moved into the past).
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from saferstat.core.health import HEARTBEAT_TASK, worker_heartbeat_ensure

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queue(settings, tmp_path):
    settings.TASKS = DB_QUEUE
    settings.SAFERSTAT_WAREHOUSE = tmp_path / "warehouse"
    settings.SAFERSTAT_WAREHOUSE.mkdir()
    settings.SAFERSTAT_WORKER_SILENT_SECONDS = 300  # django-tasks resets its backends itself


def get_health(client):
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db(transaction=True)
def test_worker_seen_then_stopped(client, queue):
    out = StringIO()
    call_command("worker_heartbeat", stdout=out)
    assert "Queued the worker's heartbeat." in out.getvalue()
    assert worker_heartbeat_ensure() is False  # one waiting heartbeat is enough
    status, body = get_health(client)
    assert status == 503
    assert body == {
        "status": "unavailable",
        "checks": {"database": "ok", "warehouse": "ok", "worker": "worker never seen"},
    }

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    status, body = get_health(client)
    assert (status, body["status"], body["checks"]["worker"]) == (200, "ok", "ok")
    ran = DBTaskResult.objects.get(task_path=HEARTBEAT_TASK, status=TaskResultStatus.SUCCESSFUL)
    # The heartbeat queued the next one, a minute on.
    following = DBTaskResult.objects.get(task_path=HEARTBEAT_TASK, status=TaskResultStatus.READY)
    assert following.run_after > ran.finished_at + timedelta(seconds=50)

    # The worker stops: nothing claims a task for ten minutes.
    last = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.update(started_at=last)
    status, body = get_health(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    expected = last.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["checks"]["worker"] == f"worker not seen since {expected}"


@pytest.mark.django_db(transaction=True)
def test_old_heartbeats_are_pruned(queue):
    from saferstat.core.health import worker_heartbeat_next

    old = timezone.now() - timedelta(hours=2)
    for _ in range(3):
        DBTaskResult.objects.create(
            task_path=HEARTBEAT_TASK,
            args_kwargs={"args": [], "kwargs": {}},
            status=TaskResultStatus.SUCCESSFUL,
            backend_name="default",
            queue_name="default",
            run_after=old,
            started_at=old,
            finished_at=old,
        )
    worker_heartbeat_next()
    left = DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK)
    assert [r.status for r in left] == [TaskResultStatus.READY]


@pytest.mark.django_db
def test_missing_warehouse_is_unavailable_and_says_nothing_private(client, settings, tmp_path):
    settings.SAFERSTAT_WAREHOUSE = tmp_path / "secret-folder-name"
    status, body = get_health(client)
    assert status == 503
    assert body["checks"] == {
        "database": "ok",
        "warehouse": "warehouse not readable",
        "worker": "not used",  # the test suite runs tasks at once: no worker
    }
    assert "secret-folder-name" not in json.dumps(body)


@pytest.mark.django_db
def test_healthy_without_a_worker_queue(client, settings, tmp_path):
    settings.SAFERSTAT_WAREHOUSE = tmp_path
    status, body = get_health(client)
    assert (status, body["status"]) == (200, "ok")


@pytest.mark.django_db
def test_health_is_not_redirected_to_https(client, settings, tmp_path):
    """Monitoring asks over plain HTTP on the loopback address, even with the redirect on."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SAFERSTAT_WAREHOUSE = tmp_path
    assert client.get("/health/").status_code == 200
    assert client.get("/glossary/").status_code == 301
