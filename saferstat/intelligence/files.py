"""The stored file of a load job: kept with its row, deleted once loaded or refused.

Shared by every upload (police.uk files and partner files): :func:`upload_kept` writes the
file and its row together or neither; :func:`upload_done` deletes it once its job finished
(unless uploads are kept); :func:`uploads_purge` (``manage.py purge_uploads``) deletes kept
files past SAFERSTAT_UPLOAD_RETENTION_DAYS and files left without a row.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError
from django.utils import timezone

from .jobs import ImportStatus

ERR_EMPTY = "The selected file is empty."
ERR_TOO_BIG = "The selected file must be smaller than {limit} MB."
ERR_BUSY = (
    "SaferStat is busy saving other uploads and could not save this one: nothing was kept. "
    "Try again in a minute."
)
#: Suffix of an upload still being written (no row yet).
PARTIAL_SUFFIX = ".partial"


class KeptUpload:
    """An uploaded file written under a temporary name, next to where it will be kept.

    Made by :func:`upload_kept`; ``path`` is where the file will be once its row is saved.
    """

    def __init__(self, path: Path, partial: Path, sha256: str, size: int):
        self.path = path
        self.partial = partial
        self.sha256 = sha256
        self.size = size


@contextmanager
def upload_kept(*, upload: UploadedFile, name: str, folder: str) -> Iterator[KeptUpload]:
    """Keep an uploaded file under MEDIA_ROOT/<folder>/<random>/<name> if, and only if, the
    block saves its row: a file and its row are kept together or not at all.

    Shared by every upload (police.uk and partner files). The file is written under a
    temporary name first; the block creates the row in its own transaction; when the block
    ends without an error (its transaction committed) the file is moved to ``path``, and
    when it raises the file is deleted. Files left by a process that died in between carry
    the ``.partial`` suffix or have no row, and ``manage.py purge_uploads`` removes them.

    Raises:
        ValidationError: the file is empty or larger than SAFERSTAT_MAX_UPLOAD_BYTES.
    """
    if not upload.size:
        raise ValidationError(ERR_EMPTY)
    limit = settings.SAFERSTAT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(ERR_TOO_BIG.format(limit=limit // (1024 * 1024)))
    target = Path(settings.MEDIA_ROOT) / folder / uuid.uuid4().hex
    target.mkdir(parents=True)
    path = target / name
    partial = target / (name + PARTIAL_SUFFIX)
    try:
        digest = hashlib.sha256()
        size = 0
        with partial.open("wb") as out:
            for chunk in upload.chunks():
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        kept = KeptUpload(path, partial, digest.hexdigest(), size)
        yield kept
        partial.replace(path)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def upload_discard(stored_path: str) -> bool:
    """Delete an uploaded file (and its folder) kept under MEDIA_ROOT; True if it was there.

    Paths outside MEDIA_ROOT are never touched.
    """
    media = Path(settings.MEDIA_ROOT).resolve()
    path = Path(stored_path)
    try:
        resolved = path.resolve()
    except OSError:
        return False
    if not resolved.is_relative_to(media) or resolved == media:
        return False
    existed = resolved.is_file()
    resolved.unlink(missing_ok=True)
    folder = resolved.parent
    if folder != media and folder.parent != media:  # MEDIA_ROOT/<folder>/<random>/
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty
    return existed


def upload_done(stored_path: str) -> None:
    """Called once a file was loaded or refused: delete it now unless uploads are kept
    (SAFERSTAT_UPLOAD_RETENTION_DAYS > 0; ``manage.py purge_uploads`` deletes them later)."""
    if settings.SAFERSTAT_UPLOAD_RETENTION_DAYS <= 0:
        upload_discard(stored_path)


#: A file under MEDIA_ROOT with no row is deleted by :func:`uploads_purge` only once it is
#: this old (an upload being saved has its file before its row).
ORPHAN_GRACE = timedelta(hours=1)
UPLOAD_FOLDERS = ("uploads", "partner-uploads")


@dataclass(frozen=True)
class PurgeResult:
    """What :func:`uploads_purge` deleted: files of finished loads, and files with no row."""

    finished: list[Path]
    orphans: list[Path]


def uploads_purge(*, days: int | None = None, now: datetime | None = None) -> PurgeResult:
    """Delete uploaded files kept longer than SAFERSTAT_UPLOAD_RETENTION_DAYS, and files left
    without a row (a process that died while saving an upload). Run by
    ``manage.py purge_uploads``.

    The file of a load that is queued or running is always kept (it is still to be read, or
    will be read again after a stopped worker). Rows are kept: the import history, with its
    errors, stays; only the files go.

    Args:
        days: keep files of loads finished fewer than this many days ago (default: the
            setting; 0 deletes every finished load's file).
        now: the current time (for tests).
    """
    from .models import ImportRun, PartnerUpload

    now = now or timezone.now()
    days = settings.SAFERSTAT_UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    keep: set[str] = set()
    expired: set[str] = set()
    for model in (ImportRun, PartnerUpload):
        for path, status, finished in model.objects.values_list(
            "stored_path", "status", "finished_at"
        ):
            finished_long_ago = status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED) and (
                finished is None or finished <= cutoff
            )
            (expired if finished_long_ago else keep).add(str(Path(path).resolve()))
    expired -= keep  # a path shared by a kept row (never made so, but be safe) stays
    done = PurgeResult([], [])
    media = Path(settings.MEDIA_ROOT)
    for folder in UPLOAD_FOLDERS:
        root = media / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            resolved = str(path.resolve())
            if resolved in keep:
                continue
            if resolved in expired:
                if upload_discard(resolved):
                    done.finished.append(path)
                continue
            with contextlib.suppress(OSError):
                age = now.timestamp() - path.stat().st_mtime
                if age >= ORPHAN_GRACE.total_seconds() and upload_discard(resolved):
                    done.orphans.append(path)
    return done


def is_database_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": another write held the database for the whole
    busy timeout. Worth trying again; anything else is not."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()
