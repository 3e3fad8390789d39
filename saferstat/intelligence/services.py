"""Writes for the intelligence module: uploads and import runs."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from saferstat.analytics.policeuk import PoliceUkValidationError
from saferstat.analytics.warehouse import Warehouse
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require

from .models import ImportRun, ImportStatus

POLICEUK_NAME = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+-street\.csv(\.gz)?$")
ERR_NAME = (
    "The file name must be as police.uk publishes it, for example "
    "2025-09-south-yorkshire-street.csv or 2025-09-south-yorkshire-street.csv.gz."
)
ERR_EMPTY = "The selected file is empty."
ERR_TOO_BIG = "The selected file must be smaller than {limit} MB."
PROGRESS_EVERY_ROWS = 5000


def warehouse() -> Warehouse:
    return Warehouse(settings.SAFERSTAT_WAREHOUSE)


def upload_save(*, upload: UploadedFile, name: str, folder: str) -> tuple[Path, str]:
    """Check an uploaded file's size and keep it in a new folder under MEDIA_ROOT/<folder>.

    Shared by every upload (police.uk and partner files). Returns the path and the file's
    SHA-256.
    """
    if not upload.size:
        raise ValidationError(ERR_EMPTY)
    limit = settings.SAFERSTAT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(ERR_TOO_BIG.format(limit=limit // (1024 * 1024)))
    target = Path(settings.MEDIA_ROOT) / folder / uuid.uuid4().hex
    target.mkdir(parents=True)
    path = target / name
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


def import_run_create(*, partnership: Partnership, by: User, upload: UploadedFile) -> ImportRun:
    """Store an uploaded police.uk file and queue it for loading."""
    require(by, "data.upload", partnership)
    name = Path(upload.name or "").name
    if not POLICEUK_NAME.match(name):
        raise ValidationError(ERR_NAME)
    path, _ = upload_save(upload=upload, name=name, folder="uploads")
    with transaction.atomic():
        run = ImportRun.objects.create(
            partnership=partnership,
            uploaded_by=by,
            original_name=name,
            stored_path=str(path),
            size_bytes=upload.size,
        )
        audit.record(
            actor=by,
            verb="import.upload",
            obj=run,
            partnership=partnership,
            after=audit.snapshot(run),
        )
    # Queue only once the row is committed, so the worker can see it.
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import load_policeuk_upload

    result = load_policeuk_upload.enqueue(run_id)
    ImportRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))


def import_run_execute(*, run_id: int) -> ImportRun:
    """Load an uploaded file into the warehouse and record the outcome. Run by the worker.

    Safe to run again: a run that already finished is left as it is, and loading a month
    again replaces it in the warehouse.
    """
    run = ImportRun.objects.select_related("partnership", "uploaded_by").get(pk=run_id)
    if run.is_finished:
        return run
    before = audit.snapshot(run, ["status"])
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=run.attempts + 1,
        rows_done=0,
    )
    last = [0]

    def progress(rows: int) -> None:
        if rows - last[0] >= PROGRESS_EVERY_ROWS:
            last[0] = rows
            ImportRun.objects.filter(pk=run.pk).update(rows_done=rows)

    try:
        result = warehouse().load_policeuk_file(
            Path(run.stored_path), name=run.original_name, on_progress=progress
        )
    except PoliceUkValidationError as exc:
        fields = {
            "status": ImportStatus.FAILED,
            "errors": list(exc.messages),
        }
    except OSError as exc:
        fields = {"status": ImportStatus.FAILED, "errors": [f"{run.original_name}: {exc}"]}
    else:
        fields = {
            "status": ImportStatus.SUCCEEDED,
            "rows_loaded": result.rows,
            "rows_done": result.rows,
            "month": result.month,
            "force_slug": result.force,
            "replaced_existing": result.replaced,
            "errors": [],
        }
    fields["finished_at"] = timezone.now()
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(**fields)
        run.refresh_from_db()
        audit.record(
            actor=run.uploaded_by,
            verb="import.load" if run.status == ImportStatus.SUCCEEDED else "import.refuse",
            obj=run,
            partnership=run.partnership,
            before=before,
            after=audit.snapshot(
                run, ["status", "rows_loaded", "month", "force_slug", "replaced_existing"]
            ),
        )
    return run
