"""Retention periods, subject-access and erasure requests, and the record of what was
erased (docs/data-protection.md). Which fields hold personal data is declared in
`declaration.py`."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferstat.core.models import Partnership

from .declaration import RECORD_TYPES

RECORD_TYPE_CHOICES = [(r.key, r.label) for r in RECORD_TYPES]


class RetentionPeriod(models.Model):
    """A partnership's retention period for one record type (absent: the declared default)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=40, choices=RECORD_TYPE_CHOICES)
    months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Personal fields are erased this many months after the record's clock starts",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "record_type"], name="unique_retention_period"
            )
        ]

    def __str__(self) -> str:
        return f"Retention of {self.get_record_type_display()}: {self.months} months"


class RequestKind(models.TextChoices):
    ACCESS = "access", "Subject-access export"
    ERASURE = "erasure", "Erasure on request"


class SubjectRequest(models.Model):
    """One person's request handled: which records were exported or erased. The person's
    name is not kept here (the officer's own reference is)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    reference = models.CharField(max_length=100, help_text="Your reference for the request")
    records = models.JSONField(default=list, help_text="Object references, e.g. model:id")
    refused = models.JSONField(default=list, help_text="Records not erased, with the reason")
    note = models.TextField(max_length=2000, blank=True, help_text="Why erasure is allowed")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-handled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class ErasureReason(models.TextChoices):
    RETENTION = "retention", "Retention period ended"
    REQUEST = "request", "Erasure on request"


class Erasure(models.Model):
    """A record whose personal fields were erased (the record and its counts remain)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=40, choices=RECORD_TYPE_CHOICES)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=10, choices=ErasureReason.choices)
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures"
    )
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-erased_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="unique_erasure")
        ]

    def __str__(self) -> str:
        return f"Erased {self.object_type}:{self.object_id}"
