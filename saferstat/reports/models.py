"""Reports: the annual report, the quarterly performance report, the scrutiny pack and ward
profiles.

A report is a kind, a partnership and a period (and a ward for a ward profile); its
sections come from the registry in `sections.py`. Each build of a report is a stored
`ReportVersion`: who built it and when, the warehouse version, the disclosure rule, the
narrative and every section's data (the internal values and the disclosure-controlled
public ones). A built version never changes. Publishing points the report at one built
version; rebuilding makes a new version, and the published one stays until an admin
publishes another."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership


class ReportKind(models.TextChoices):
    ANNUAL = "annual", "Annual report"
    QUARTERLY = "quarterly", "Quarterly performance report"
    SCRUTINY = "scrutiny-pack", "Scrutiny pack"
    WARD = "ward-profile", "Ward profile"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Report(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    period = models.CharField(max_length=20, help_text="2024/25, or 2024/25-Q4 for a quarter")
    ward = models.CharField(max_length=120, blank=True, help_text="Ward profiles only")
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
    #: The version the public reads, when did it become so, and who published it.
    published_version = models.ForeignKey(
        "ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period", "kind", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED and self.published_version_id is not None


class VersionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Building"
    BUILT = "built", "Built"
    FAILED = "failed", "Failed"


class BuiltVersionError(Exception):
    """A built version was about to be changed: versions are frozen once built."""


class ReportVersion(models.Model):
    """One build of a report. Queued by a person (or the scheduled job), built by the task
    worker section by section (``progress_done`` of ``progress_total``), then frozen."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the scheduled job",
    )
    built_by_label = models.CharField(max_length=150, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    warehouse_version = models.CharField(max_length=60, blank=True)
    policy = models.JSONField(default=dict, blank=True, help_text="{threshold, base}")
    narrative = models.JSONField(default=dict, blank=True)
    sections = models.JSONField(null=True, blank=True, help_text="Sections with true values")
    public_sections = models.JSONField(
        null=True, blank=True, help_text="Sections as published (disclosure-controlled)"
    )
    suppressions = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_report_version")
        ]

    def __str__(self) -> str:
        return f"{self.report} version {self.number}"

    def save(self, *args, **kwargs):
        if (
            self.pk
            and ReportVersion.objects.filter(pk=self.pk, status=VersionStatus.BUILT).exists()
        ):
            raise BuiltVersionError(f"{self} is built: a built version never changes.")
        super().save(*args, **kwargs)

    @property
    def is_built(self) -> bool:
        return self.status == VersionStatus.BUILT

    @property
    def is_polling(self) -> bool:
        return self.status in (VersionStatus.QUEUED, VersionStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return round(100 * self.progress_done / self.progress_total)


class DisclosurePolicy(models.Model):
    """A partnership's disclosure rule for everything it publishes (DOMAIN.md section 7):
    counts of 1 to ``threshold`` shown as ``*``, others rounded to the nearest ``base``.
    Without a row the defaults apply (7 and 5)."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="disclosure_policy"
    )
    threshold = models.PositiveSmallIntegerField(default=7)
    base = models.PositiveSmallIntegerField(default=5)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Disclosure rule of {self.partnership}"


class SupportService(models.Model):
    """One entry of the partnership's contacts and support services directory (a helpline,
    a service's website): printed, in its order, in the annual report's "Contacts and support
    services" section. A service's published number, never a person's."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="support_services"
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, help_text="Who it is for and what it does")
    phone = models.CharField(max_length=30, blank=True, help_text="Digits, spaces and +")
    web_address = models.URLField(max_length=300, blank=True)
    hours = models.CharField(max_length=200, blank=True, help_text="For example 24 hours")
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="unique_support_service_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
