"""Uploads are bounded: refused by sender and size before the body is read, stopped as the
body passes the limit, kept with their row or not at all (also under 20 simultaneous
uploads), loads that run out of memory are marked failed, and files are deleted once loaded.

The request tests feed the real Django handler a multipart body made on the fly, and count
how many bytes of it were read and how large the upload temporary folder grew meanwhile.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from saferstat.intelligence import files, jobs
from saferstat.intelligence.datasets import services as partner_services
from saferstat.intelligence.datasets.services import partner_dataset_declare, partner_upload_create
from saferstat.intelligence.imports import services
from saferstat.intelligence.models import ImportRun, ImportStatus, PartnerUpload

MB = 1024 * 1024
BOUNDARY = "----saferstat-test-boundary"
CSRF_SECRET = "a" * 32
POLICE_UPLOAD = "/p/rotherham/imports/upload/"
KNIFE = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "Offences", "type": "count"},
    ],
}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


class Body:
    """A multipart/form-data body with one file of ``file_size`` bytes, made as it is read.

    Counts the bytes read, and records the largest size of ``watch`` (the upload temporary
    folder) seen between reads.
    """

    def __init__(
        self, file_size: int, watch: Path, name: str = "2025-03-south-yorkshire-street.csv"
    ):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{CSRF_SECRET}\r\n"
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.file_size = file_size
        self.size = len(self.head) + file_size + len(self.tail)
        self.read_bytes = 0
        self.watch = watch
        self.peak_temp = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        head_end = len(self.head)
        file_end = head_end + self.file_size
        if start < head_end:
            out += self.head[start : min(end, head_end)]
        if end > head_end and start < file_end:
            out += b"x" * (min(end, file_end) - max(start, head_end))
        if end > file_end:
            out += self.tail[max(0, start - file_end) : end - file_end]
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        self.peak_temp = max(self.peak_temp, folder_bytes(self.watch))
        end = self.size if size is None or size < 0 else min(self.size, self.read_bytes + size)
        data = self._byte_range(self.read_bytes, end)
        self.read_bytes = end
        return data

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - the parser reads blocks
        return self.read(size)


def post_body(client: Client, path: str, body: Body, content_length: int | None = None):
    return client.request(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size if content_length is None else content_length),
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
        **{"wsgi.input": body},
    )


@pytest.fixture
def limits(settings, tmp_path):
    """A 2 MB upload limit; every file part goes to a temporary folder we can watch."""
    settings.SAFERSTAT_MAX_UPLOAD_BYTES = 2 * MB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "upload-tmp").mkdir()
    return tmp_path / "upload-tmp"


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_anonymous_upload_is_refused_before_its_body_is_read(limits, rotherham):
    """Before: the CSRF check read the whole body (2 GiB written to the temp folder)."""
    body = Body(20 * MB, limits)
    response = post_body(csrf_client(), POLICE_UPLOAD, body)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert body.read_bytes == 0
    assert body.peak_temp == 0 and folder_bytes(limits) == 0


@pytest.mark.django_db
def test_an_upload_by_a_member_who_may_not_upload_is_refused_before_its_body_is_read(
    limits, members
):
    body = Body(20 * MB, limits)
    response = post_body(csrf_client(members["board"]), POLICE_UPLOAD, body)
    assert response.status_code == 403
    assert body.read_bytes == 0 and body.peak_temp == 0


@pytest.mark.django_db
def test_an_upload_declared_larger_than_the_limit_is_refused_unread(limits, members):
    body = Body(20 * MB, limits)
    response = post_body(csrf_client(members["analyst"]), POLICE_UPLOAD, body)
    assert response.status_code == 413
    assert b"The file is larger than the limit of 2 MB" in response.content
    assert body.read_bytes == 0 and body.peak_temp == 0
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_an_upload_is_stopped_as_soon_as_it_passes_the_limit(limits, members):
    """Content-Length within the form allowance, the file part over the limit: the streaming
    handler stops reading at the limit; the whole file is never written, nothing is kept."""
    body = Body(2 * MB + 200 * 1024, limits)
    response = post_body(csrf_client(members["analyst"]), POLICE_UPLOAD, body)
    assert response.status_code == 413
    assert b"The file is larger than the limit of 2 MB" in response.content
    assert body.read_bytes < 2 * MB + 128 * 1024  # stopped within a piece of the limit
    assert body.peak_temp <= 2 * MB
    assert folder_bytes(limits) == 0  # the partial temporary file was deleted
    assert not ImportRun.objects.exists()
    assert folder_bytes(Path(limits.parent / "media")) == 0


@pytest.mark.django_db
def test_a_page_that_takes_no_file_reads_no_file(limits, rotherham):
    """Sign-in takes a form, not files: a file part stops the read, a large body is refused."""
    body = Body(20 * MB, limits)
    response = post_body(csrf_client(), "/sign-in/", body)
    assert response.status_code == 413
    assert body.read_bytes == 0
    small = Body(1 * MB, limits)
    post_body(csrf_client(), "/sign-in/", small)
    assert small.peak_temp == 0 and folder_bytes(limits) == 0


@pytest.mark.django_db
def test_an_upload_within_the_limit_is_accepted(limits, members, settings, monkeypatch):
    monkeypatch.setattr(jobs, "enqueue", lambda job_class, pk: None)
    body = Body(1 * MB, limits)
    response = post_body(csrf_client(members["analyst"]), POLICE_UPLOAD, body)
    assert response.status_code == 302, response.content[:500]
    run = ImportRun.objects.get()
    assert Path(run.stored_path).stat().st_size == 1 * MB == run.size_bytes


# --- a file and its row: both or neither --------------------------------------------------


@pytest.mark.django_db
def test_a_failed_row_leaves_no_file(limits, members, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.import_run_create(
            partnership=members["analyst"].memberships.get().partnership,
            by=members["analyst"],
            upload=SimpleUploadedFile("2025-03-south-yorkshire-street.csv", b"x" * 100),
        )
    assert not ImportRun.objects.exists()
    assert folder_bytes(limits.parent / "media") == 0


UPLOADERS = r"""
import json, sys, threading
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from saferstat.core.models import User
from saferstat.intelligence.models import PartnerDataset
from saferstat.intelligence.datasets.services import ERR_BUSY, partner_upload_create

dataset = PartnerDataset.objects.select_related("partnership").get(slug="knife")
users = list(User.objects.filter(username__startswith="analyst-").order_by("username"))
connection.close()
start = threading.Barrier(len(users))
outcomes = []

def upload(user):
    try:
        start.wait()
        partner_upload_create(
            dataset=dataset,
            by=user,
            upload=SimpleUploadedFile(
                user.username + ".csv", b"Month,Ward code,Offences\r\n2024-05,E05012993,3\r\n"
            ),
        )
        outcomes.append("kept")
    except Exception as exc:
        outcomes.append("try again" if ERR_BUSY in str(exc) else repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=upload, args=(u,)) for u in users]
for t in threads:
    t.start()
for t in threads:
    t.join(90)
print(json.dumps(outcomes))
"""


def _uploads_on_sqlite_file(tmp_path: Path, media: Path) -> list[str]:
    """Copy the test database to a file and upload from 20 threads of a child process, as
    the web app's threads would (the in-memory test database locks whole tables instead)."""
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(db)
    connection.connection.backup(target)
    target.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"sqlite:///{db}",
        "SAFERSTAT_MEDIA_DIR": str(media),
        "SAFERSTAT_SKIP_DOTENV": "1",
        "SAFERSTAT_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "SECRET_KEY": "concurrency-test-secret-key-0123456789-0123456789",
        "LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", UPLOADERS],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    connection.close()
    settings_db = connection.settings_dict
    assert settings_db  # the test database itself is untouched; read the copy's rows
    with sqlite3.connect(db) as copy:
        rows = copy.execute(
            "SELECT stored_path, task_id FROM intelligence_partnerupload"
        ).fetchall()
    return json.loads(done.stdout.strip().splitlines()[-1]), rows


def _uploads_in_threads(dataset, analysts) -> list[str]:
    """On PostgreSQL (SAFERSTAT_TEST_POSTGRES_URL): 20 threads of this process."""
    start = threading.Barrier(len(analysts))
    outcomes: list[str] = []

    def upload(user):
        try:
            start.wait()
            partner_upload_create(
                dataset=dataset,
                by=user,
                upload=SimpleUploadedFile(
                    f"{user.username}.csv", b"Month,Ward code,Offences\r\n2024-05,E05012993,3\r\n"
                ),
            )
            outcomes.append("kept")
        except Exception as exc:  # every outcome is checked by the caller
            outcomes.append("try again" if partner_services.ERR_BUSY in str(exc) else repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(user,)) for user in analysts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    rows = list(PartnerUpload.objects.values_list("stored_path", "task_id"))
    return outcomes, rows


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_partner_uploads_are_all_kept_with_their_rows(
    limits, rotherham, make_member, settings, tmp_path
):
    """Before: 9 of 12 simultaneous uploads failed with "database is locked" (a read, then a
    write, in one deferred SQLite transaction) and 10 files were left with no row."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    admin = make_member(rotherham, "admin")
    analysts = [make_member(rotherham, "analyst", f"analyst-{i:02d}") for i in range(20)]
    dataset = partner_dataset_declare(
        partnership=rotherham, by=admin, name="Knife crime", slug="knife", schema=KNIFE
    )
    media = Path(settings.MEDIA_ROOT)
    if connection.vendor == "sqlite":
        outcomes, rows = _uploads_on_sqlite_file(tmp_path, media)
    else:
        outcomes, rows = _uploads_in_threads(dataset, analysts)
    assert len(outcomes) == 20
    assert set(outcomes) <= {"kept", "try again"}, outcomes
    assert len(rows) == outcomes.count("kept")
    assert outcomes.count("kept") >= 18, outcomes  # a 20 s busy timeout: in practice all 20
    on_disk = {str(p) for p in media.rglob("*") if p.is_file()}
    assert on_disk == {path for path, _ in rows}  # no file without a row, and no .partial
    assert all(task_id for _, task_id in rows)  # each was queued once its row was committed


# --- out of memory, and retention -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["check", "load"])
def test_a_load_that_runs_out_of_memory_is_marked_failed_not_left_running(
    stage, limits, members, make_force_admin, monkeypatch, django_capture_on_commit_callbacks
):
    """Out of memory while a proposed file is checked, or while an approved one is loaded:
    the run is refused with a clear message, never left "Running"."""
    monkeypatch.setattr(jobs, "enqueue", lambda job_class, pk: None)
    run = services.import_run_create(
        partnership=members["analyst"].memberships.get().partnership,
        by=members["analyst"],
        upload=SimpleUploadedFile("2025-03-south-yorkshire-street.csv", b"x" * 100),
    )

    def starved(*args, **kwargs):
        raise MemoryError

    if stage == "load":
        # Pass the check, get approved, then run out of memory while loading.
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.AWAITING_APPROVAL, force_slug="south-yorkshire", month="2025-03"
        )
        run.refresh_from_db()
        services.import_run_approve(run=run, by=make_force_admin(), change_reason="test")
        monkeypatch.setattr(services, "publish_force_month", starved)
    else:
        monkeypatch.setattr(services, "read_street_file", starved)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert run.errors == [jobs.ERR_MEMORY.format(name=run.original_name)]
    assert "needs more memory than the task worker has" in run.errors[0]


@pytest.mark.django_db
def test_a_loaded_or_refused_file_is_deleted_unless_kept(
    limits, members, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "enqueue", lambda job_class, pk: None)
    partnership = members["analyst"].memberships.get().partnership

    def refused_run():
        run = services.import_run_create(
            partnership=partnership,
            by=members["analyst"],
            upload=SimpleUploadedFile("2025-03-south-yorkshire-street.csv", b"not,a,header\r\n"),
        )
        assert Path(run.stored_path).is_file()
        with django_capture_on_commit_callbacks(execute=True):
            services.import_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED
        return run

    settings.SAFERSTAT_UPLOAD_RETENTION_DAYS = 0
    gone = refused_run()
    assert not Path(gone.stored_path).exists()
    assert not Path(gone.stored_path).parent.exists()

    settings.SAFERSTAT_UPLOAD_RETENTION_DAYS = 7
    kept = refused_run()
    assert Path(kept.stored_path).is_file()
    call_command("purge_uploads")  # finished today: kept for 7 days
    assert Path(kept.stored_path).is_file()
    ImportRun.objects.filter(pk=kept.pk).update(finished_at=timezone.now() - timedelta(days=8))
    call_command("purge_uploads")
    assert not Path(kept.stored_path).exists()
    assert ImportRun.objects.filter(pk=kept.pk).exists()  # the history stays


@pytest.mark.django_db
def test_purge_deletes_files_with_no_row_once_they_are_an_hour_old(limits, members):
    media = limits.parent / "media"
    fresh = media / "uploads" / "0a" / "2025-03-south-yorkshire-street.csv.partial"
    old = media / "partner-uploads" / "0b" / "knife.csv"
    queued = media / "uploads" / "0c" / "2025-04-south-yorkshire-street.csv"
    for path in (fresh, old, queued):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    two_hours_ago = timezone.now().timestamp() - 7200
    for path in (old, queued):
        os.utime(path, (two_hours_ago, two_hours_ago))
    ImportRun.objects.create(
        partnership=members["analyst"].memberships.get().partnership,
        uploaded_by=members["analyst"],
        original_name=queued.name,
        stored_path=str(queued),
        size_bytes=1,
    )
    result = files.uploads_purge()
    assert result.orphans == [old] and result.finished == []
    assert fresh.exists() and queued.exists() and not old.exists()
