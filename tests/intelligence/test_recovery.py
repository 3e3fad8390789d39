"""Recovering loads a stopped worker left 'queued' or 'running' (saferstat/intelligence/recovery.py).

Each rule on the real task queue table (django-tasks-db); the real SIGKILL of a worker is in
test_worker_kill.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferstat.core.models import AuditEvent
from saferstat.intelligence import recovery
from saferstat.intelligence.models import ImportRun, ImportStatus, PartnerDataset, PartnerUpload
from saferstat.intelligence.recovery import MAX_ATTEMPTS, stuck_jobs_recover
from saferstat.intelligence.tasks import load_partner_upload, load_policeuk_upload

NOW = timezone.now()
HOUR_AGO = NOW - timedelta(hours=1)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def make_run(
    partnership, user, *, status=ImportStatus.RUNNING, attempts=1, task=None, started=HOUR_AGO
):
    """An import run and (unless task is None) its task row in the given task status."""
    run = ImportRun.objects.create(
        partnership=partnership,
        uploaded_by=user,
        original_name="2024-06-south-yorkshire-street.csv",
        stored_path="/nowhere",
        size_bytes=1,
        status=status,
        attempts=attempts,
        started_at=started if status == ImportStatus.RUNNING else None,
    )
    ImportRun.objects.filter(pk=run.pk).update(created_at=HOUR_AGO)
    if task is not None:
        result = load_policeuk_upload.enqueue(run.pk)
        DBTaskResult.objects.filter(pk=result.id).update(status=task, started_at=started)
        ImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def recover(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return stuck_jobs_recover(now=NOW, **kwargs)


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_queued_again_and_audited(
    rotherham, members, db_queue, django_capture_on_commit_callbacks
):
    run = make_run(rotherham, members["analyst"], task="RUNNING")
    old_task = run.task_id
    (done,) = recover(django_capture_on_commit_callbacks)
    assert done.action == "requeued" and done.reason == recovery.WHY_WORKER_STOPPED
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED and run.task_id and run.task_id != old_task
    assert DBTaskResult.objects.get(pk=run.task_id).status == "READY"
    orphan = DBTaskResult.objects.get(pk=old_task)
    assert orphan.status == "FAILED" and orphan.exception_class_path == recovery.WORKER_LOST
    event = AuditEvent.objects.get(verb="import.requeue")
    assert event.actor is None and event.partnership == rotherham
    assert event.object_type == "intelligence.ImportRun" and event.object_id == str(run.pk)
    assert event.before["status"] == "running" and event.after["status"] == "queued"
    assert event.after["reason"] == recovery.WHY_WORKER_STOPPED


@pytest.mark.django_db
def test_loads_that_are_waiting_or_working_are_left_alone(
    rotherham, members, db_queue, django_capture_on_commit_callbacks
):
    user = members["analyst"]
    waiting = make_run(rotherham, user, status=ImportStatus.QUEUED, attempts=0, task="READY")
    working = make_run(rotherham, user, task="RUNNING", started=NOW - timedelta(minutes=5))
    just_uploaded = make_run(rotherham, user, status=ImportStatus.QUEUED, attempts=0)
    ImportRun.objects.filter(pk=just_uploaded.pk).update(created_at=NOW - timedelta(seconds=2))
    finished = make_run(rotherham, user, status=ImportStatus.SUCCEEDED, task="SUCCESSFUL")
    assert recover(django_capture_on_commit_callbacks) == []
    for run in (waiting, working, just_uploaded, finished):
        before = (run.status, run.task_id)
        run.refresh_from_db()
        assert (run.status, run.task_id) == before
    assert not AuditEvent.objects.filter(verb__endswith=".requeue").exists()
    # At start-up (no worker or web app running yet) every claimed task is orphaned, and so
    # is every run without a task.
    done = recover(django_capture_on_commit_callbacks, older_than=timedelta(0))
    assert sorted(d.pk for d in done) == [working.pk, just_uploaded.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task", "status", "reason"),
    [
        (None, ImportStatus.RUNNING, recovery.WHY_TASK_GONE),
        (None, ImportStatus.QUEUED, recovery.WHY_TASK_GONE),
        ("FAILED", ImportStatus.RUNNING, "its task ended (failed) without recording a result"),
        (
            "SUCCESSFUL",
            ImportStatus.QUEUED,
            "its task ended (successful) without recording a result",
        ),
    ],
)
def test_lost_or_ended_tasks_are_queued_again(
    rotherham, members, db_queue, django_capture_on_commit_callbacks, task, status, reason
):
    run = make_run(rotherham, members["analyst"], status=status, task=task, attempts=0)
    (done,) = recover(django_capture_on_commit_callbacks)
    assert (done.action, done.reason) == ("requeued", reason)
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    assert DBTaskResult.objects.get(pk=run.task_id).status == "READY"


@pytest.mark.django_db
def test_after_max_attempts_the_run_fails_with_a_clear_message(
    rotherham, members, db_queue, django_capture_on_commit_callbacks
):
    run = make_run(rotherham, members["analyst"], task="RUNNING", attempts=MAX_ATTEMPTS)
    tasks_before = DBTaskResult.objects.count()
    (done,) = recover(django_capture_on_commit_callbacks)
    assert done.action == "failed"
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.is_finished and run.finished_at is not None
    (error,) = run.errors
    assert error.startswith(run.original_name + ": The background worker stopped 3 times")
    assert "Nothing from this file was stored" in error
    assert DBTaskResult.objects.count() == tasks_before  # nothing queued again
    event = AuditEvent.objects.get(verb="import.abandon")
    assert event.after["status"] == "failed" and event.actor is None
    assert recover(django_capture_on_commit_callbacks) == []  # finished runs stay finished


@pytest.mark.django_db
def test_partner_uploads_are_recovered_too(
    rotherham, members, db_queue, django_capture_on_commit_callbacks
):
    dataset = PartnerDataset.objects.create(
        partnership=rotherham,
        slug="knife-crime",
        name="Knife crime",
        schema={"granularity": "month", "area_level": "ward", "columns": []},
    )

    def upload(attempts):
        item = PartnerUpload.objects.create(
            partnership=rotherham,
            dataset=dataset,
            uploaded_by=members["analyst"],
            original_name="knife.csv",
            stored_path="/nowhere",
            size_bytes=1,
            status=ImportStatus.RUNNING,
            attempts=attempts,
            started_at=HOUR_AGO,
        )
        result = load_partner_upload.enqueue(item.pk)
        DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=HOUR_AGO)
        PartnerUpload.objects.filter(pk=item.pk).update(task_id=str(result.id))
        return item

    again, give_up = upload(1), upload(MAX_ATTEMPTS)
    done = recover(django_capture_on_commit_callbacks)
    assert [(d.label, d.pk, d.action) for d in done] == [
        ("partner upload", again.pk, "requeued"),
        ("partner upload", give_up.pk, "failed"),
    ]
    again.refresh_from_db()
    give_up.refresh_from_db()
    assert again.status == ImportStatus.QUEUED
    assert DBTaskResult.objects.get(pk=again.task_id).task_path.endswith("load_partner_upload")
    assert give_up.status == ImportStatus.FAILED and give_up.error_total == 1
    assert "stopped 3 times" in give_up.errors[0]
    assert {
        e.verb
        for e in AuditEvent.objects.filter(partnership=rotherham, verb__startswith="dataset.")
    } == {
        "dataset.requeue",
        "dataset.abandon",
    }


@pytest.mark.django_db
def test_the_command(rotherham, members, db_queue, capsys):
    make_run(rotherham, members["analyst"], task="RUNNING", started=timezone.now())
    call_command("recover_stuck_jobs")  # claimed a moment ago: left alone
    assert capsys.readouterr().out == ""
    call_command("recover_stuck_jobs", older_than=0)
    out = capsys.readouterr().out
    assert "police.uk import" in out and "queued again (attempt 2 of 3)" in out
    assert "Recovered 1 stuck load(s)." in out
    with pytest.raises(CommandError):
        call_command("recover_stuck_jobs", older_than=-1)
