"""One fetch of the police.uk archive (``saferstat fetch`` or the scheduled task): what it
found, loaded and left for a force administrator. Shown on the imports pages."""

from __future__ import annotations

from django.db import models


class FetchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    LOADED = "loaded", "New months loaded"
    NOTHING_NEW = "nothing_new", "Nothing new"
    NEEDS_REVIEW = "needs_review", "Months left for a force administrator"
    FAILED = "failed", "Failed: nothing loaded"


class FetchRun(models.Model):
    """One download of the police.uk archive and what was done with it.

    The months themselves are loaded through ``publish_force_month`` (each has its own
    :class:`~saferstat.intelligence.models.ImportRun`); this row says how the fetch went.
    """

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_label = models.CharField(
        max_length=150, help_text="Who ran it: the scheduled task or a command line"
    )
    url = models.CharField(max_length=500)
    forces = models.JSONField(default=list, help_text="Force slugs fetched")
    status = models.CharField(
        max_length=20, choices=FetchStatus.choices, default=FetchStatus.RUNNING
    )
    archive_bytes = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    loaded = models.JSONField(
        default=list, help_text="Months loaded: force, month, rows, sha256, replaced"
    )
    left = models.JSONField(
        default=list, help_text="Months not loaded, and why: force, month, reason"
    )
    message = models.TextField(blank=True, help_text="Why it failed, or notes on retries")

    class Meta:
        app_label = "intelligence"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"police.uk fetch {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
