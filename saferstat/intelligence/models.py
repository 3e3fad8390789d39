"""Import runs: one upload of a data file by a user, processed by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Loaded"
    FAILED = "failed", "Refused"


class ImportRun(models.Model):
    """One police.uk file uploaded by an analyst, and what happened when it was loaded.

    The file itself goes to the warehouse (Parquet), not to this table; this row keeps the
    progress, the result and, when it was refused, every error with its line and field.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="import_runs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dataset = models.CharField(max_length=40, default="policeuk_street")
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
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
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}
