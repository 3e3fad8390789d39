"""Import runs: one police.uk file, proposed by a partnership or loaded by a force, and what
happened to it. A load job (:class:`saferstat.intelligence.jobs.LoadJob`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership

from ..jobs import ImportStatus, LoadJob

__all__ = ["ImportRun", "ImportStatus"]


class ImportRun(LoadJob):
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
    month = models.CharField(max_length=7, blank=True)
    force_slug = models.CharField(max_length=60, blank=True)
    replaced_existing = models.BooleanField(default=False)

    task_name = "load_policeuk_upload"
    audit_prefix = "import"
    job_label = "police.uk import"

    class Meta(LoadJob.Meta):
        pass

    @property
    def by_label(self) -> str:
        """Who uploaded or loaded it: the user, or the command or job."""
        return str(self.uploaded_by) if self.uploaded_by_id else self.actor_label or "system"

    @property
    def rows_after(self) -> int | None:
        return self.rows_loaded if self.status == ImportStatus.SUCCEEDED else None
