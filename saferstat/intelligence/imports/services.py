"""Writes for the intelligence module: uploads and import runs.

A police.uk month belongs to a police force and every partnership the force serves shares
it (docs/security.md, "Force data has an owner"). So:

- a partnership analyst only *proposes* a file (:func:`import_run_create`): it is checked and
  then waits for a force administrator (:func:`import_run_approve`, :func:`import_run_reject`);
- every load or replacement of a month, whoever asks (the worker after an approval, the
  ``saferstat load`` command, a scheduled fetch), goes through :func:`publish_force_month` or
  :func:`publish_force_months`: they check the actor may replace the force's data, ask for a
  written reason when the month's total changes by more than
  ``SAFERSTAT_REPLACE_CONFIRM_SHARE``, and record the load in the import list and the audit
  log of every partnership in the force, with the totals before and after.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone

from saferstat.analytics.policeuk import (
    PoliceUkValidationError,
    UnpackLimits,
    parse_file_name,
    read_street_file,
)
from saferstat.analytics.warehouse import (
    LoadRefusal,
    LoadResult,
    PendingReplacement,
    Warehouse,
)
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require, require_force

from .models import ImportRun, ImportStatus

POLICEUK_NAME = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+-street\.csv(\.gz)?$")
ERR_NAME = (
    "The file name must be as police.uk publishes it, for example "
    "2025-09-south-yorkshire-street.csv or 2025-09-south-yorkshire-street.csv.gz."
)
ERR_OTHER_FORCE = (
    "The file is for the {file_force} force; {partnership} is served by {force}: "
    "choose a {force} file."
)
ERR_NOT_AWAITING = "This file is not awaiting approval (it is {status})."
ERR_NEEDS_REASON = (
    "Loading {name} would change the {force} {month} total from {before:,} to {after:,} "
    "records ({change}), more than {share:.0%}: give a reason to confirm this change."
)
ERR_EMPTY = "The selected file is empty."
ERR_TOO_BIG = "The selected file must be smaller than {limit} MB."
ERR_BUSY = (
    "SaferStat is busy saving other uploads and could not save this one: nothing was kept. "
    "Try again in a minute."
)
ERR_MEMORY = (
    "{name}: the file needs more memory than the task worker has, so it was not loaded and "
    "nothing from it was stored. Split it into smaller files (for example one per month), or "
    "ask your administrator."
)
PROGRESS_EVERY_ROWS = 5000
#: Suffix of an upload still being written (no row yet).
PARTIAL_SUFFIX = ".partial"

logger = logging.getLogger(__name__)


def unpack_limits() -> UnpackLimits:
    """How far a police.uk .csv.gz may unpack (settings), for checking and loading alike."""
    return UnpackLimits(
        max_bytes=settings.SAFERSTAT_MAX_UNPACKED_BYTES,
        max_ratio=settings.SAFERSTAT_MAX_UNPACK_RATIO,
    )


def warehouse() -> Warehouse:
    return Warehouse(settings.SAFERSTAT_WAREHOUSE, unpack_limits=unpack_limits())


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
    from .models import PartnerUpload

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


# --- who acts, and the size of a change -------------------------------------------------


@dataclass(frozen=True)
class SystemActor:
    """Who loads a month when it is not a signed-in user: the operator's command line or a
    scheduled job. Only code the operator runs builds one; web views always pass the user."""

    label: str

    @classmethod
    def command_line(cls) -> SystemActor:
        try:
            who = getpass.getuser()
        except Exception:  # no login name (e.g. a container with an unknown uid)
            who = "unknown"
        return cls(f"command line (OS user {who})")


Actor = User | SystemActor


def _actor_user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def _actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, SystemActor) else ""


def _require_replace(actor: Actor, force: str) -> None:
    """A user must be able to replace the force's data; the operator's own command line and
    scheduled jobs (a :class:`SystemActor`) may."""
    if not isinstance(actor, SystemActor):
        require_force(actor, "force.replace_month", force)


def change_share(before: int | None, after: int) -> float | None:
    """How much a month's total changes (0.1 = 10%), None for a first load."""
    if before is None:
        return None
    if before == 0:
        return 0.0 if after == 0 else float("inf")
    return abs(after - before) / before


def change_needs_reason(before: int | None, after: int) -> bool:
    """True when replacing a month of ``before`` records with ``after`` needs a written reason:
    its total changes by more than ``SAFERSTAT_REPLACE_CONFIRM_SHARE``. A first load never does."""
    share = change_share(before, after)
    return share is not None and share > settings.SAFERSTAT_REPLACE_CONFIRM_SHARE


def change_text(before: int | None, after: int) -> str:
    """``+87.2%``, ``-100.0%``; ``first load`` when there was nothing before."""
    if before is None:
        return "first load"
    if before == 0:
        return "no change" if after == 0 else "from none"
    return f"{(after - before) / before:+.1%}"


class ConfirmationRequired(ValidationError):
    """The change to a month's total is large: it needs a written reason."""

    def __init__(self, *, name: str, force: str, month: str, before: int, after: int):
        self.force, self.month, self.before, self.after = force, month, before, after
        super().__init__(
            ERR_NEEDS_REASON.format(
                name=name,
                force=force,
                month=month,
                before=before,
                after=after,
                change=change_text(before, after),
                share=settings.SAFERSTAT_REPLACE_CONFIRM_SHARE,
            ),
            code="confirm_change",
        )

    def __str__(self) -> str:
        return self.messages[0]


def _confirm_check(actor: Actor, change_reason: str) -> Callable[[PendingReplacement], None]:
    """The warehouse's ``before_publish`` check: who, and whether the change needs a reason.
    Run under the warehouse's writer lock, so the total it compares with is the current one."""

    def check(pending: PendingReplacement) -> None:
        _require_replace(actor, pending.force)
        if change_needs_reason(pending.previous_rows, pending.rows) and not change_reason.strip():
            raise ConfirmationRequired(
                name=pending.source_name,
                force=pending.force,
                month=pending.month,
                before=pending.previous_rows,
                after=pending.rows,
            )

    return check


def force_partnerships(force: str) -> list[Partnership]:
    """Every partnership the police force serves (they share its police.uk months)."""
    return list(Partnership.objects.filter(force_slug=force).prefetch_related("areas"))


def _per_partnership(by_area: dict[str, int], partnerships: list[Partnership]) -> dict[str, int]:
    return {p.slug: sum(by_area.get(a.lad_code, 0) for a in p.areas.all()) for p in partnerships}


def _area_rows(wh: Warehouse, force: str, month: str, table=None) -> dict[str, int]:
    try:
        return wh.month_rows_by_area(force, month, table)
    except Exception:  # per-partnership totals are extra information: never block on them
        return {}


# --- proposals -----------------------------------------------------------------------------


def _check_name(upload: UploadedFile) -> tuple[str, str, str]:
    name = Path(upload.name or "").name
    if not POLICEUK_NAME.match(name):
        raise ValidationError(ERR_NAME)
    try:
        parsed = parse_file_name(name)
    except PoliceUkValidationError:
        raise ValidationError(ERR_NAME) from None
    return name, parsed.force_slug, parsed.month


def import_run_create(*, partnership: Partnership, by: User, upload: UploadedFile) -> ImportRun:
    """Store a police.uk file a partnership analyst proposes, and queue it to be checked.

    It is not loaded: the month is the force's, shared by every partnership it serves, so once
    checked it waits for a force administrator (:func:`import_run_approve`).
    """
    require(by, "data.upload", partnership)
    name, force, month = _check_name(upload)
    if force != partnership.force_slug:
        raise ValidationError(
            ERR_OTHER_FORCE.format(
                file_force=force, partnership=partnership, force=partnership.force_slug
            )
        )
    return _proposal_create(
        partnership=partnership, by=by, upload=upload, name=name, force=force, month=month
    )


def force_import_create(*, force: str, by: User, upload: UploadedFile) -> ImportRun:
    """Store a police.uk file a force administrator uploads on the force's page and queue it
    to be checked; it then waits, like a proposal, for them to review the totals and approve."""
    require_force(by, "force.replace_month", force)
    name, file_force, month = _check_name(upload)
    if file_force != force:
        raise ValidationError(
            ERR_OTHER_FORCE.format(file_force=file_force, partnership="this page", force=force)
        )
    return _proposal_create(
        partnership=None, by=by, upload=upload, name=name, force=force, month=month
    )


def _proposal_create(
    *,
    partnership: Partnership | None,
    by: User,
    upload: UploadedFile,
    name: str,
    force: str,
    month: str,
) -> ImportRun:
    try:
        with upload_kept(upload=upload, name=name, folder="uploads") as kept:
            with transaction.atomic():
                run = ImportRun.objects.create(
                    partnership=partnership,
                    uploaded_by=by,
                    original_name=name,
                    stored_path=str(kept.path),
                    size_bytes=kept.size,
                    is_proposal=True,
                    force_slug=force,
                    month=month,
                )
                audit.record(
                    actor=by,
                    verb="import.upload",
                    obj=run,
                    partnership=partnership,
                    after=audit.snapshot(run),
                )
    except OperationalError as exc:
        if is_database_busy(exc):
            raise ValidationError(ERR_BUSY) from exc
        raise
    # Queue only once the row is committed (and the file in place), so the worker sees both.
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import load_policeuk_upload

    result = load_policeuk_upload.enqueue(run_id)
    ImportRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))


def import_run_approve(
    *, run: ImportRun, by: User, change_reason: str = "", note: str = ""
) -> ImportRun:
    """A force administrator approves a checked file: it is queued to be loaded.

    Raises:
        PermissionDenied: ``by`` may not replace the force's data.
        ConfirmationRequired: the month's total would change by more than
            ``SAFERSTAT_REPLACE_CONFIRM_SHARE`` and no ``change_reason`` was given.
        ValidationError: the file is not awaiting approval.
    """
    require_force(by, "force.review", run.force_slug)
    require_force(by, "force.replace_month", run.force_slug)
    change_reason, note = change_reason.strip(), note.strip()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ImportStatus.AWAITING_APPROVAL:
            raise ValidationError(ERR_NOT_AWAITING.format(status=run.get_status_display().lower()))
        before_rows = warehouse().month_rows(run.force_slug, run.month)
        if change_needs_reason(before_rows, run.rows_in_file or 0) and not change_reason:
            raise ConfirmationRequired(
                name=run.original_name,
                force=run.force_slug,
                month=run.month,
                before=before_rows,
                after=run.rows_in_file or 0,
            )
        before = audit.snapshot(run, ["status"])
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.QUEUED,
            reviewed_by=by,
            reviewed_at=timezone.now(),
            review_note=note,
            change_reason=change_reason,
            rows_done=0,
            task_id="",
            attempts=0,  # the load's attempts, for recover_stuck_jobs (not the check's)
        )
        run.refresh_from_db()
        after = audit.snapshot(run, ["status", "review_note", "change_reason"]) | {
            "month": run.month,
            "force": run.force_slug,
            "month_rows_now": before_rows,
            "rows_in_file": run.rows_in_file,
        }
        for partnership in force_partnerships(run.force_slug) or [None]:
            audit.record(
                actor=by,
                verb="import.approve",
                obj=run,
                partnership=partnership,
                before=before,
                after=after,
            )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def import_run_reject(*, run: ImportRun, by: User, note: str = "") -> ImportRun:
    """A force administrator rejects a checked file: nothing is loaded."""
    require_force(by, "force.review", run.force_slug)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ImportStatus.AWAITING_APPROVAL:
            raise ValidationError(ERR_NOT_AWAITING.format(status=run.get_status_display().lower()))
        before = audit.snapshot(run, ["status"])
        now = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.REJECTED,
            reviewed_by=by,
            reviewed_at=now,
            review_note=note.strip(),
            finished_at=now,
        )
        run.refresh_from_db()
        audit.record(
            actor=by,
            verb="import.reject",
            obj=run,
            partnership=run.partnership,
            before=before,
            after=audit.snapshot(run, ["status", "review_note"]),
        )
    return run


# --- the worker --------------------------------------------------------------------------


def import_run_execute(*, run_id: int) -> ImportRun:
    """Check a proposed file, or load an approved one. Run by the worker.

    Safe to run again: a run that already finished, or that waits for approval, is left as
    it is, and loading a month again replaces it in the warehouse.
    """
    run = ImportRun.objects.select_related("partnership", "uploaded_by", "reviewed_by").get(
        pk=run_id
    )
    if run.is_finished or run.is_waiting:
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

    if run.reviewed_at is None:
        return _check(run, before)
    try:
        if run.reviewed_by is None:
            raise PermissionDenied("not approved")
        publish_force_month(
            path=Path(run.stored_path),
            name=run.original_name,
            actor=run.reviewed_by,
            change_reason=run.change_reason,
            run=run,
            on_progress=progress,
        )
    except (PoliceUkValidationError, ConfirmationRequired) as exc:
        errors = list(exc.messages)
    except PermissionDenied:
        errors = [f"{run.original_name}: the approver may no longer replace {run.force_slug} data"]
    except OSError as exc:
        errors = [f"{run.original_name}: {exc}"]
    except MemoryError:
        # Python survives a failed allocation: record it rather than leave the run
        # "Running" for recovery to try twice more with the same result.
        logger.warning("import run %s: out of memory loading %s", run.pk, run.original_name)
        errors = [ERR_MEMORY.format(name=run.original_name)]
    else:
        run.refresh_from_db()
        return run
    _refuse(run, before, errors)
    return run


def _refuse(run: ImportRun, before: dict, errors: list[str]) -> None:
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, errors=errors, finished_at=timezone.now()
        )
        run.refresh_from_db()
        audit.record(
            actor=run.reviewed_by or run.uploaded_by,
            verb="import.refuse",
            obj=run,
            partnership=run.partnership,
            before=before,
            after=audit.snapshot(run, ["status", "month", "force_slug"]),
        )
        transaction.on_commit(partial(upload_done, run.stored_path))


def _check(run: ImportRun, before: dict) -> ImportRun:
    """Validate a proposed file without loading it; it then awaits approval."""
    try:
        street = read_street_file(
            Path(run.stored_path), name=run.original_name, limits=unpack_limits()
        )
    except PoliceUkValidationError as exc:
        _refuse(run, before, list(exc.messages))
        return run
    except OSError as exc:
        _refuse(run, before, [f"{run.original_name}: {exc}"])
        return run
    except MemoryError:
        logger.warning("import run %s: out of memory checking %s", run.pk, run.original_name)
        _refuse(run, before, [ERR_MEMORY.format(name=run.original_name)])
        return run
    wh = warehouse()
    partnerships = force_partnerships(street.force_slug)
    now_rows = _per_partnership(_area_rows(wh, street.force_slug, street.month), partnerships)
    new_rows = _per_partnership(
        _area_rows(wh, street.force_slug, street.month, street.table), partnerships
    )
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.AWAITING_APPROVAL,
            rows_in_file=street.rows,
            rows_done=street.rows,
            rows_before=wh.month_rows(street.force_slug, street.month),
            month=street.month,
            force_slug=street.force_slug,
            partnership_rows={slug: [now_rows.get(slug), new_rows.get(slug)] for slug in new_rows},
            errors=[],
        )
        run.refresh_from_db()
        audit.record(
            actor=run.uploaded_by,
            verb="import.check",
            obj=run,
            partnership=run.partnership,
            before=before,
            after=audit.snapshot(
                run, ["status", "rows_in_file", "rows_before", "month", "force_slug"]
            ),
        )
    return run


# --- loading a force's month: the one way in --------------------------------------------


def publish_force_month(
    *,
    path: str | Path,
    actor: Actor,
    name: str | None = None,
    change_reason: str = "",
    run: ImportRun | None = None,
    on_progress: Callable[[int], None] | None = None,
    wh: Warehouse | None = None,
) -> LoadResult:
    """Load (or replace) one police.uk month of a force, for every partnership it serves.

    The one function every path that writes a police.uk month calls: the worker once a
    force administrator approved a file, ``saferstat load``, and a scheduled fetch.

    Args:
        path: the file.
        actor: a user who may replace the force's data (a force or site administrator), or a
            :class:`SystemActor` for the operator's command line or a scheduled job.
        name: the file's real name if ``path`` is a stored copy.
        change_reason: why, when the month's total changes by more than
            ``SAFERSTAT_REPLACE_CONFIRM_SHARE``.
        run: the :class:`ImportRun` being loaded (the worker); without one, a new run is
            recorded.
        wh: the warehouse (default: ``SAFERSTAT_WAREHOUSE``).

    Raises:
        PermissionDenied: the user may not replace the force's data.
        ConfirmationRequired: a large change and no ``change_reason``.
        PoliceUkValidationError: the file was refused.
    """
    path = Path(path)
    display = Path(name).name if name else path.name
    parsed = parse_file_name(display)
    _require_replace(actor, parsed.force_slug)
    wh = wh or warehouse()
    partnerships = force_partnerships(parsed.force_slug)
    before_areas = _per_partnership(_area_rows(wh, parsed.force_slug, parsed.month), partnerships)
    result = wh.load_policeuk_file(
        path,
        name=name,
        on_progress=on_progress,
        before_publish=_confirm_check(actor, change_reason),
    )
    after_areas = _per_partnership(_area_rows(wh, result.force, result.month), partnerships)
    _record_load(
        result=result,
        actor=actor,
        change_reason=change_reason,
        run=run,
        path=path,
        partnerships=partnerships,
        area_rows={
            p.slug: [before_areas.get(p.slug), after_areas.get(p.slug)] for p in partnerships
        },
    )
    return result


def publish_force_months(
    *,
    paths: Iterable[str | Path],
    actor: Actor,
    change_reason: str = "",
    workers: int | None = None,
    on_result: Callable[[LoadResult | LoadRefusal], None] | None = None,
    wh: Warehouse | None = None,
) -> list[LoadResult | LoadRefusal]:
    """:func:`publish_force_month` for many files at once (``saferstat load``).

    Each file is checked, loaded and recorded on its own; a refused one (a broken file, a
    large change without ``change_reason``, a force the actor may not replace) is reported as
    a :class:`LoadRefusal` and the others still load. Totals per partnership are not counted.
    """
    wh = wh or warehouse()
    paths = [Path(p) for p in paths]

    def recorded(outcome: LoadResult | LoadRefusal) -> None:
        if isinstance(outcome, LoadResult):
            _record_load(
                result=outcome,
                actor=actor,
                change_reason=change_reason,
                run=None,
                path=by_name.get(outcome.source_name, Path(outcome.source_name)),
                partnerships=force_partnerships(outcome.force),
                area_rows={},
            )
        if on_result:
            on_result(outcome)

    by_name = {p.name: p for p in paths}
    return wh.load_policeuk_files(
        paths,
        workers=workers,
        on_result=recorded,
        before_publish=_confirm_check(actor, change_reason),
    )


def _record_load(
    *,
    result: LoadResult,
    actor: Actor,
    change_reason: str,
    run: ImportRun | None,
    path: Path,
    partnerships: list[Partnership],
    area_rows: dict[str, list[int | None]],
) -> ImportRun:
    """Record a loaded month: its import run, and an audit event in every partnership of
    the force, with who did it and the totals before and after."""
    user = _actor_user(actor)
    now = timezone.now()
    fields = {
        "status": ImportStatus.SUCCEEDED,
        "rows_loaded": result.rows,
        "rows_done": result.rows,
        "month": result.month,
        "force_slug": result.force,
        "replaced_existing": result.replaced,
        "rows_before": result.previous_rows,
        "partnership_rows": area_rows,
        "errors": [],
        "finished_at": now,
    }
    with transaction.atomic():
        if run is None:
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            run = ImportRun.objects.create(
                partnership=None,
                uploaded_by=user,
                actor_label=_actor_label(actor),
                original_name=result.source_name or path.name,
                stored_path=str(path),
                size_bytes=size,
                reviewed_by=user,
                reviewed_at=now,
                change_reason=change_reason.strip(),
                started_at=now,
                **fields,
            )
            before = None
        else:
            before = audit.snapshot(run, ["status"])
            ImportRun.objects.filter(pk=run.pk).update(**fields)
            run.refresh_from_db()
        after = audit.snapshot(
            run, ["status", "rows_loaded", "month", "force_slug", "replaced_existing"]
        ) | {
            "month_rows_before": result.previous_rows,
            "month_rows_after": result.rows,
            "change": change_text(result.previous_rows, result.rows),
            "proposed_by": run.by_label if run.is_proposal else "",
            "loaded_by": str(user) if user else _actor_label(actor),
            "change_reason": change_reason.strip(),
        }
        for partnership in partnerships or [None]:
            extra = {}
            if partnership is not None and partnership.slug in area_rows:
                was, now_rows = area_rows[partnership.slug]
                extra = {"partnership_rows_before": was, "partnership_rows_after": now_rows}
            audit.record(
                actor=user,
                actor_label=_actor_label(actor),
                verb="import.load",
                obj=run,
                partnership=partnership,
                before=before,
                after=after | extra,
            )
        transaction.on_commit(partial(upload_done, run.stored_path))
    return run
