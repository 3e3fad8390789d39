"""Members' data requests, their history, and the explorer views saved as evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Partnership

__all__ = ["DataRequest", "DataRequestEvent", "RequestStatus", "SavedView"]


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
