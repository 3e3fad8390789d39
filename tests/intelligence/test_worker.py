"""The upload task through the real database queue and `db_worker`, as `make demo` runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from saferstat.intelligence.models import ImportRun, ImportStatus

DEMO = Path(__file__).resolve().parents[2] / "demo_data"


@pytest.mark.django_db(transaction=True)
def test_db_worker_checks_then_loads_an_approved_upload(
    client, overview_warehouse, rotherham, members, settings, make_force_admin
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(members["analyst"])
    data = (DEMO / "police-uk" / "2024-06-south-yorkshire-street.csv.gz").read_bytes()
    client.post(
        "/p/rotherham/imports/upload/",
        {"file": SimpleUploadedFile("2024-06-south-yorkshire-street.csv.gz", data)},
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and run.task_id
    page = client.get(f"/p/rotherham/imports/{run.pk}/")
    assert b'hx-trigger="every 1s"' in page.content  # the page polls while it waits
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    run.refresh_from_db()
    assert run.status == ImportStatus.AWAITING_APPROVAL, run.errors  # checked, not loaded
    assert run.rows_loaded is None and run.rows_in_file == 15057
    client.force_login(make_force_admin())
    client.post(f"/force/south-yorkshire/imports/{run.pk}/", {"decision": "approve"})
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED and run.task_id
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert run.replaced_existing is True  # 2024-06 was already loaded: replaced, not duplicated
    assert run.rows_loaded == 15057
