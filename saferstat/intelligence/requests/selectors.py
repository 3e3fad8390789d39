"""Reads of members' data requests. Every selector takes the partnership."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from saferstat.core.models import Partnership, User

from .models import DataRequest, DataRequestEvent, RequestStatus, SavedView


def request_list(
    *, partnership: Partnership, user: User | None = None, status: str | None = None
) -> QuerySet[DataRequest]:
    """The partnership's requests, newest first; only ``user``'s when given; ``status`` is
    ``"open"`` (open or in progress), ``"answered"`` (answered or closed) or None (all)."""
    qs = DataRequest.objects.filter(partnership=partnership).select_related(
        "raised_by", "answered_by"
    )
    if user is not None:
        qs = qs.filter(raised_by=user)
    if status == "open":
        qs = qs.filter(status__in=[RequestStatus.OPEN, RequestStatus.IN_PROGRESS])
    elif status == "answered":
        qs = qs.filter(status__in=[RequestStatus.ANSWERED, RequestStatus.CLOSED])
    return qs


def request_open_list(*, partnership: Partnership) -> QuerySet[DataRequest]:
    """Requests still waiting for an answer (an explorer view can be saved to them)."""
    return request_list(partnership=partnership, status="open")


def request_get(*, partnership: Partnership, request_id: int | str | None) -> DataRequest:
    """One request of the partnership, or 404."""
    try:
        return request_list(partnership=partnership).get(pk=request_id)
    except (DataRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


def request_events(*, data_request: DataRequest) -> QuerySet[DataRequestEvent]:
    return data_request.events.select_related("actor")


def request_saved_views(*, data_request: DataRequest) -> QuerySet[SavedView]:
    return data_request.saved_views.select_related("created_by")
