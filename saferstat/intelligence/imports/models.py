"""Import runs: one upload of a data file by a user, processed by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    SUCCEEDED = "succeeded", "Loaded"
    FAILED = "failed", "Refused"
    REJECTED = "rejected", "Rejected"


class ImportRun(models.Model):
    """One police.uk file: proposed by a partnership analyst, or loaded by a force
    administrator, the command line or a scheduled fetch, and what happened to it.

    A police.uk month belongs to the force and every partnership it serves shares it, so a
    partnership's proposal is only checked (then waits, "awaiting approval") until a force
    administrator approves it; only then is it loaded. The file itself goes to the warehouse
    (Parquet), not to this table; this row keeps the progress, the month's total before and
    after, who proposed and who approved it and, when refused, every error with its line
    and field.
    """

    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_runs",
        help_text="The partnership that proposed the file; empty for a force-level load.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="Who loaded it when not a user (command line, ...)"
    )
    is_proposal = models.BooleanField(
        default=False, help_text="Proposed by a partnership: loaded only once approved."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, max_length=2000)
    change_reason = models.TextField(
        blank=True,
        max_length=2000,
        help_text="Why a change of the month's total beyond SAFERSTAT_REPLACE_CONFIRM_SHARE "
        "is right (required for such a change).",
    )
    rows_in_file = models.BigIntegerField(null=True, blank=True)
    rows_before = models.BigIntegerField(
        null=True, blank=True, help_text="The force-month's total before the load."
    )
    partnership_rows = models.JSONField(
        default=dict, blank=True, help_text="Per partnership: {slug: [before, after]}."
    )
    dataset = models.CharField(max_length=40, default="policeuk_street")
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_done = models.BigIntegerField(default=0)
    rows_loaded = models.BigIntegerField(null=True, blank=True)
    month = models.CharField(max_length=7, blank=True)
    force_slug = models.CharField(max_length=60, blank=True)
    replaced_existing = models.BooleanField(default=False)
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.REJECTED}

    @property
    def is_waiting(self) -> bool:
        """Checked and waiting for a force administrator: nothing to poll for."""
        return self.status == ImportStatus.AWAITING_APPROVAL

    @property
    def by_label(self) -> str:
        """Who uploaded or loaded it: the user, or the command or job."""
        return str(self.uploaded_by) if self.uploaded_by_id else self.actor_label or "system"

    @property
    def rows_after(self) -> int | None:
        return self.rows_loaded if self.status == ImportStatus.SUCCEEDED else None


#: Shown next to every demo dataset, its figures and its uploads.
DEMO_LABEL = "Demo data: invented values"


class PartnerDataset(models.Model):
    """A kind of data a partner sends that police.uk does not publish, and its file format.

    For example "Hate incidents and outcomes" from the council, one row per incident, or
    "Repeat missing children" from children's services, a count per ward and quarter. An
    admin declares it once; analysts then upload files against it (:class:`PartnerUpload`).
    ``schema`` holds the columns, the period granularity and the area level, and must be a
    valid :class:`saferstat.analytics.partner.DatasetSchema` (see ``docs/partner-data.md``).
    The data itself lives in the warehouse as ``partner_<partnership>_<slug>``.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="partner_datasets"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The partner organisation that supplies the data.",
    )
    schema = models.JSONField(
        help_text="Columns, period granularity and area level (docs/partner-data.md)."
    )
    sensitive = models.BooleanField(
        default=False,
        help_text="Sensitive data (e.g. domestic abuse, exploitation, hate): hidden from scrutiny members "
        "unless shared with them.",
    )
    shared_with_scrutiny = models.BooleanField(
        default=False, help_text="Scrutiny members may see this sensitive dataset."
    )
    is_demo = models.BooleanField(default=False, help_text="Invented values for the demo.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"], name="unique_partner_dataset_slug"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({DEMO_LABEL.lower()})" if self.is_demo else self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from saferstat.analytics.partner import SchemaError

        try:
            self.dataset_schema()
        except SchemaError as exc:
            raise ValidationError({"schema": exc.problems}) from None

    def dataset_schema(self):
        """The declared format as a :class:`saferstat.analytics.partner.DatasetSchema`."""
        from saferstat.analytics.partner import DatasetSchema

        return DatasetSchema.from_dict(self.schema, slug=self.slug, sensitive=self.sensitive)

    @property
    def warehouse_dataset(self) -> str:
        """Name of the dataset in the warehouse: ``partner_<partnership>_<slug>``."""
        from saferstat.analytics.partner import dataset_name

        return dataset_name(self.partnership.slug, self.slug)


class PartnerUpload(models.Model):
    """One CSV or XLSX file uploaded against a partner dataset, and what happened to it.

    Like :class:`ImportRun`: the worker validates the file and either stores all of it (the
    periods in the file replace those periods in the warehouse) or nothing, keeping every
    error as ``file:line: column: reason``.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="partner_uploads"
    )
    dataset = models.ForeignKey(PartnerDataset, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    source_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_done = models.BigIntegerField(default=0)
    rows_loaded = models.BigIntegerField(null=True, blank=True)
    periods = models.JSONField(default=list, blank=True, help_text="Periods in the file (stored).")
    periods_replaced = models.JSONField(
        default=list, blank=True, help_text="Periods that were already loaded and were replaced."
    )
    errors = models.JSONField(default=list, blank=True)
    error_total = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.dataset_id and self.dataset.partnership_id != self.partnership_id:
            raise ValidationError({"dataset": "The dataset belongs to another partnership."})

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class DataRequest(models.Model):
    """A question a Board or scrutiny member asks of the partnership's data, and its answer.

    For example "is knife crime going up in Rotherham, and how do we compare with Barnsley?".
    An analyst answers it in writing with saved explorer views as the evidence.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="data_requests"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(max_length=2000)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(blank=True, max_length=10000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_open(self) -> bool:
        return self.status in {RequestStatus.OPEN, RequestStatus.IN_PROGRESS}


class DataRequestEvent(models.Model):
    """One step in a request's history: raised, status changed, answered, a view attached."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor}"


class SavedView(models.Model):
    """A crime and data explorer view saved with its exact parameters, so it can be reopened
    (the figures are recomputed from the same rows) and cited as evidence."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="saved_views"
    )
    request = models.ForeignKey(
        DataRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    title = models.CharField(max_length=200)
    query = models.CharField(max_length=1000, help_text="The explorer's query string")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
