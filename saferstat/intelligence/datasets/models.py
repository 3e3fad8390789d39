"""Partner datasets (a kind of data a partner sends, and its format) and their uploads (load
jobs, :class:`saferstat.intelligence.jobs.LoadJob`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership

from ..jobs import LoadJob

__all__ = ["DEMO_LABEL", "PartnerDataset", "PartnerUpload"]


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


class PartnerUpload(LoadJob):
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
    source_sha256 = models.CharField(max_length=64, blank=True)
    periods = models.JSONField(default=list, blank=True, help_text="Periods in the file (stored).")
    periods_replaced = models.JSONField(
        default=list, blank=True, help_text="Periods that were already loaded and were replaced."
    )
    error_total = models.PositiveIntegerField(default=0)

    task_name = "load_partner_upload"
    audit_prefix = "dataset"
    job_label = "partner upload"

    class Meta(LoadJob.Meta):
        pass

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.dataset_id and self.dataset.partnership_id != self.partnership_id:
            raise ValidationError({"dataset": "The dataset belongs to another partnership."})

    def refusal_fields(self, errors: list[str], total: int | None = None) -> dict:
        return super().refusal_fields(errors) | {
            "error_total": len(errors) if total is None else total
        }
