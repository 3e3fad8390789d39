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

import getpass
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone

from saferstat.analytics.policeuk import (
    PoliceUkValidationError,
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
from saferstat.core.templatetags.saferstat import force_name

from .. import jobs
from ..figures import load_warehouse as warehouse
from ..figures import unpack_limits
from ..files import ERR_BUSY, is_database_busy, upload_done, upload_kept
from ..jobs import Outcome
from .models import ImportRun, ImportStatus
from .selectors import force_partnerships

POLICEUK_NAME = re.compile(r"^\d{4}-\d{2}-[a-z0-9-]+-street\.csv(\.gz)?$")
ERR_NAME = (
    "The file name must be as police.uk publishes it, for example "
    "2025-09-south-yorkshire-street.csv or 2025-09-south-yorkshire-street.csv.gz."
)
ERR_OTHER_FORCE = (
    "The file is for {file_force}; {partnership} is served by {force}: choose a {force} file."
)
ERR_NOT_AWAITING = "This file is not awaiting approval (it is {status})."
ERR_NEEDS_REASON = (
    "Loading {name} would change {force}'s {month} total from {before:,} to {after:,} "
    "records ({change}), more than {share:.0%}: give a reason to confirm this change."
)
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
                force=force_name(force),
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
                file_force=force_name(force),
                partnership=partnership,
                force=force_name(partnership.force_slug),
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
            ERR_OTHER_FORCE.format(
                file_force=force_name(file_force), partnership="this page", force=force_name(force)
            )
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
    jobs.queue(run)
    return run


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
    jobs.queue(run)
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
        # A rejected file is refused: deleted like any other (unless uploads are kept).
        transaction.on_commit(partial(upload_done, run.stored_path))
    return run


# --- the worker --------------------------------------------------------------------------


def import_run_execute(*, run_id: int) -> ImportRun:
    """Check a proposed file, or load an approved one. Run by the worker, through the one
    load-job runner (:func:`saferstat.intelligence.jobs.execute`).

    Safe to run again: a run that already finished, or that waits for approval, is left as
    it is, and loading a month again replaces it in the warehouse.
    """
    return jobs.execute(
        ImportRun,
        run_id,
        _work,
        refused=_refused,
        select_related=("partnership", "uploaded_by", "reviewed_by"),
    )


def _work(run: ImportRun, before: dict, progress: jobs.Progress) -> Outcome | None:
    if run.reviewed_at is None:
        return _check(run)
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
            before=before,
        )
    except (PoliceUkValidationError, ConfirmationRequired) as exc:
        return _refused(run, list(exc.messages))
    except PermissionDenied:
        return _refused(
            run, [f"{run.original_name}: the approver may no longer replace {run.force_slug} data"]
        )
    except OSError as exc:
        return _refused(run, [f"{run.original_name}: {exc}"])
    return None  # recorded by publish_force_month


def _refused(run: ImportRun, errors: list[str]) -> Outcome:
    return Outcome(
        status=ImportStatus.FAILED,
        verb="import.refuse",
        actor=run.reviewed_by or run.uploaded_by,
        fields=run.refusal_fields(errors),
        audit_fields=["status", "month", "force_slug"],
    )


def _check(run: ImportRun) -> Outcome:
    """Validate a proposed file without loading it; it then awaits approval (and its file is
    kept until it is loaded or refused)."""
    try:
        street = read_street_file(
            Path(run.stored_path), name=run.original_name, limits=unpack_limits()
        )
    except PoliceUkValidationError as exc:
        return _refused(run, list(exc.messages))
    except OSError as exc:
        return _refused(run, [f"{run.original_name}: {exc}"])
    wh = warehouse()
    partnerships = force_partnerships(street.force_slug)
    now_rows = _per_partnership(_area_rows(wh, street.force_slug, street.month), partnerships)
    new_rows = _per_partnership(
        _area_rows(wh, street.force_slug, street.month, street.table), partnerships
    )
    return Outcome(
        status=ImportStatus.AWAITING_APPROVAL,
        verb="import.check",
        actor=run.uploaded_by,
        fields={
            "rows_in_file": street.rows,
            "rows_done": street.rows,
            "rows_before": wh.month_rows(street.force_slug, street.month),
            "month": street.month,
            "force_slug": street.force_slug,
            "partnership_rows": {
                slug: [now_rows.get(slug), new_rows.get(slug)] for slug in new_rows
            },
            "errors": [],
        },
        audit_fields=["status", "rows_in_file", "rows_before", "month", "force_slug"],
    )


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
    before: dict | None = None,
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
        before: the run's audit snapshot before the worker started it (the worker).

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
        before=before,
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
    before: dict | None = None,
) -> ImportRun:
    """Record a loaded month: its import run, and an audit event in every partnership of
    the force, with who did it and the totals before and after."""
    user = _actor_user(actor)
    with transaction.atomic():
        if run is None:
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            now = timezone.now()
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
                status=ImportStatus.RUNNING,
                started_at=now,
            )
            before = None
        elif before is None:
            before = audit.snapshot(run, ["status"])

        def per_partnership(partnership: Partnership | None) -> dict:
            if partnership is None or partnership.slug not in area_rows:
                return {}
            was, now_rows = area_rows[partnership.slug]
            return {"partnership_rows_before": was, "partnership_rows_after": now_rows}

        jobs.record(
            run,
            before=before,
            outcome=Outcome(
                status=ImportStatus.SUCCEEDED,
                verb="import.load",
                actor=user,
                fields={
                    "rows_loaded": result.rows,
                    "rows_done": result.rows,
                    "month": result.month,
                    "force_slug": result.force,
                    "replaced_existing": result.replaced,
                    "rows_before": result.previous_rows,
                    "partnership_rows": area_rows,
                    "errors": [],
                },
                audit_fields=["status", "rows_loaded", "month", "force_slug", "replaced_existing"],
            ),
            partnerships=partnerships,
            actor_label=_actor_label(actor),
            extra={
                "month_rows_before": result.previous_rows,
                "month_rows_after": result.rows,
                "change": change_text(result.previous_rows, result.rows),
                "proposed_by": run.by_label if run.is_proposal else "",
                "loaded_by": str(user) if user else _actor_label(actor),
                "change_reason": change_reason.strip(),
            },
            per_partnership=per_partnership,
        )
    return run
