"""Reports: the annual report, the quarterly performance report and the scrutiny pack.

A report is a kind, a partnership and a period; its sections come from the registry in
`sections.py`. While it is a draft it is built afresh from the records each time it is read;
publishing freezes it: the data of every section (the internal values and the
disclosure-controlled public ones) and its narrative are stored in the report, so later
changes to the records do not alter it, and a published report is never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "Annual report"
    QUARTERLY = "quarterly", "Quarterly performance report"
    SCRUTINY = "scrutiny-pack", "Scrutiny pack"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Report(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    period = models.CharField(max_length=20, help_text="2024/25, or 2024/25-Q4 for a quarter")
    title = models.CharField(max_length=200)
    narrative = models.JSONField(default=dict, blank=True, help_text="{key: sanitised HTML}")
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Frozen at publication:
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(null=True, blank=True, help_text="Sections with true values")
    public_snapshot = models.JSONField(
        null=True, blank=True, help_text="Sections as published (disclosure-controlled)"
    )
    build_info = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "kind", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED
