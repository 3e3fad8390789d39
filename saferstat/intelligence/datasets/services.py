"""Writes for partner datasets: declaring a dataset, uploading files, loading them.

Every write checks its permission and is audited. A file is loaded by the task worker
(`tasks.load_partner_upload`), through `saferstat.analytics.partner`: read, validate against
the declared schema and the partnership's area codes, and store all of it or nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction

from saferstat.analytics import partner
from saferstat.analytics.reference import UnknownAreaError
from saferstat.analytics.warehouse import WarehouseError, connect
from saferstat.core import audit
from saferstat.core.models import Organisation, Partnership, User
from saferstat.core.permissions import can_view_partner_dataset, require
from saferstat.core.sanitise import clean_plain

from .. import jobs
from ..figures import load_warehouse as warehouse
from ..files import ERR_BUSY, is_database_busy, upload_kept
from ..jobs import ImportStatus, Outcome
from .models import PartnerDataset, PartnerUpload

ERR_SLUG_TAKEN = "A dataset with the short name {slug!r} already exists in this partnership."
ERR_SLUG_RESERVED = "{slug!r} cannot be used as a short name: choose another."
ERR_SCHEMA_LOCKED = (
    "Data has been loaded into this dataset, so its columns cannot change: declare a new dataset "
    "instead."
)
ERR_ORGANISATION = "The organisation belongs to another partnership."
ERR_SUFFIX = "The selected file must be a CSV file (.csv) or an Excel workbook (.xlsx)."
#: Short names that would clash with the dataset pages' own URLs.
RESERVED_SLUGS = frozenset({"declare", "new", "upload", "uploads", "edit"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()-]+")

AUDIT_FIELDS = [
    "name",
    "slug",
    "description",
    "organisation",
    "schema",
    "sensitive",
    "shared_with_scrutiny",
    "is_demo",
]
UPLOAD_AUDIT_FIELDS = ["status", "rows_loaded", "periods", "periods_replaced", "error_total"]


def _check_organisation(partnership: Partnership, organisation: Organisation | None) -> None:
    if organisation is not None and organisation.partnership_id != partnership.pk:
        raise ValidationError({"organisation": ERR_ORGANISATION})


@transaction.atomic
def partner_dataset_declare(
    *,
    partnership: Partnership,
    by: User,
    name: str,
    slug: str,
    schema: dict[str, Any],
    description: str = "",
    sensitive: bool = False,
    shared_with_scrutiny: bool = False,
    organisation: Organisation | None = None,
    is_demo: bool = False,
) -> PartnerDataset:
    """Declare a new partner dataset: its name, file format (schema) and sensitivity.

    Raises:
        PermissionDenied: the user is not an admin of the partnership.
        ValidationError: a field or the schema breaks a rule (``schema`` errors list every
            problem), or the short name is taken.
    """
    require(by, "datasets.declare", partnership)
    slug = (slug or "").strip()
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": ERR_SLUG_RESERVED.format(slug=slug)})
    if PartnerDataset.objects.filter(partnership=partnership, slug=slug).exists():
        raise ValidationError({"slug": ERR_SLUG_TAKEN.format(slug=slug)})
    _check_organisation(partnership, organisation)
    dataset = PartnerDataset(
        partnership=partnership,
        name=clean_plain(name),
        slug=slug,
        description=clean_plain(description),
        schema=schema,
        sensitive=sensitive,
        shared_with_scrutiny=shared_with_scrutiny and sensitive,
        organisation=organisation,
        is_demo=is_demo,
        created_by=by,
    )
    dataset.full_clean()
    dataset.schema = dataset.dataset_schema().to_dict()  # stored in its canonical form
    dataset.save()
    audit.record(
        actor=by,
        verb="dataset.declare",
        obj=dataset,
        partnership=partnership,
        after=audit.snapshot(dataset, AUDIT_FIELDS),
    )
    return dataset


@transaction.atomic
def partner_dataset_update(
    *,
    dataset: PartnerDataset,
    by: User,
    name: str,
    description: str = "",
    sensitive: bool,
    shared_with_scrutiny: bool = False,
    organisation: Organisation | None = None,
    schema: dict[str, Any] | None = None,
) -> PartnerDataset:
    """Change a dataset's name, description, supplier or sensitivity (and its schema while
    nothing has been loaded into it).

    Raises:
        PermissionDenied: the user is not an admin of the partnership.
        ValidationError: a field breaks a rule, or the schema would change after data was
            loaded (declare a new dataset instead).
    """
    partnership = dataset.partnership
    require(by, "datasets.declare", partnership)
    dataset = PartnerDataset.objects.select_for_update().get(pk=dataset.pk)
    before = audit.snapshot(dataset, AUDIT_FIELDS)
    _check_organisation(partnership, organisation)
    if schema is not None:
        canonical = partner.DatasetSchema.from_dict(schema, slug=dataset.slug).to_dict()
        if canonical != dataset.schema:
            if dataset.uploads.filter(status=ImportStatus.SUCCEEDED).exists():
                raise ValidationError({"schema": ERR_SCHEMA_LOCKED})
            dataset.schema = canonical
    dataset.name = clean_plain(name)
    dataset.description = clean_plain(description)
    dataset.sensitive = sensitive
    dataset.shared_with_scrutiny = shared_with_scrutiny and sensitive
    dataset.organisation = organisation
    dataset.full_clean()
    dataset.save()
    after = audit.snapshot(dataset, AUDIT_FIELDS)
    if after != before:
        audit.record(
            actor=by,
            verb="dataset.update",
            obj=dataset,
            partnership=partnership,
            before=before,
            after=after,
        )
    return dataset


def _safe_name(name: str) -> str:
    base = Path(name or "").name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE_NAME.sub("-", stem).strip(" .-")[:120] or "upload"
    return stem + suffix


def partner_upload_create(
    *, dataset: PartnerDataset, by: User, upload: UploadedFile
) -> PartnerUpload:
    """Keep an uploaded CSV or XLSX file for a partner dataset and queue it for loading.

    The file and its row are kept together or not at all (:func:`upload_kept`).

    Raises:
        PermissionDenied: the user may not upload, or may not see the dataset.
        ValidationError: the file is not .csv/.xlsx, is empty or is too large, or the
            database was too busy (:data:`ERR_BUSY`, "try again").
    """
    partnership = dataset.partnership
    require(by, "datasets.upload", partnership)
    if not can_view_partner_dataset(by, dataset):
        raise PermissionDenied("Not allowed: this dataset")
    name = _safe_name(upload.name or "")
    if Path(name).suffix not in partner.SUFFIXES:
        raise ValidationError(ERR_SUFFIX)
    try:
        with upload_kept(upload=upload, name=name, folder="partner-uploads") as kept:
            with transaction.atomic():
                run = PartnerUpload(
                    partnership=partnership,
                    dataset=dataset,
                    uploaded_by=by,
                    original_name=name,
                    stored_path=str(kept.path),
                    size_bytes=kept.size,
                    source_sha256=kept.sha256,
                )
                run.full_clean()
                run.save()
                audit.record(
                    actor=by,
                    verb="dataset.upload",
                    obj=run,
                    partnership=partnership,
                    after=audit.snapshot(
                        run, ["dataset", "original_name", "size_bytes", "source_sha256"]
                    ),
                )
    except OperationalError as exc:
        if is_database_busy(exc):
            raise ValidationError(ERR_BUSY) from exc
        raise
    jobs.queue(run)  # once the row is committed, so the worker can see it
    return run


def partner_upload_execute(*, upload_id: int) -> PartnerUpload:
    """Validate an uploaded partner file and store it (all or nothing). Run by the worker,
    through the one load-job runner (:func:`saferstat.intelligence.jobs.execute`).

    Safe to run again: a finished upload is left as it is, and loading the same periods
    again replaces them in the warehouse.
    """
    return jobs.execute(
        PartnerUpload,
        upload_id,
        _work,
        refused=_refused,
        select_related=("partnership", "dataset", "uploaded_by"),
    )


def _refused(run: PartnerUpload, errors: list[str], total: int | None = None) -> Outcome:
    return Outcome(
        status=ImportStatus.FAILED,
        verb="dataset.refuse",
        actor=run.uploaded_by,
        fields=run.refusal_fields(errors, total),
        audit_fields=UPLOAD_AUDIT_FIELDS,
    )


def _work(run: PartnerUpload, before: dict, progress: jobs.Progress) -> Outcome:
    try:
        schema = run.dataset.dataset_schema()
        table = partner.read_table(Path(run.stored_path), name=run.original_name)
        progress.set(len(table.rows))
        with connect(warehouse().root) as con:
            known = partner.known_area_codes(
                con, level=schema.area_level, lad_codes=run.partnership.lad_codes
            )
        data = partner.validate(schema, table, known_area_codes=known)
        result = partner.store(warehouse(), data, partnership_slug=run.partnership.slug)
    except partner.PartnerValidationError as exc:
        return _refused(run, exc.messages, exc.total)
    except (partner.SchemaError, UnknownAreaError, WarehouseError, OSError) as exc:
        return _refused(run, [f"{run.original_name}: {exc}"], 1)
    return Outcome(
        status=ImportStatus.SUCCEEDED,
        verb="dataset.load",
        actor=run.uploaded_by,
        fields={
            "rows_loaded": result.rows,
            "rows_done": result.rows,
            "periods": result.periods,
            "periods_replaced": result.replaced,
            "errors": [],
            "error_total": 0,
        },
        audit_fields=UPLOAD_AUDIT_FIELDS,
    )
