"""Reads of partnership-owned data. Every selector takes the partnership it reads for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import AuditEvent, Partnership


def partnership_get(*, slug: str) -> Partnership:
    try:
        return Partnership.objects.prefetch_related("areas").get(slug=slug)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership") from None


def partnership_public_list() -> QuerySet[Partnership]:
    return Partnership.objects.filter(overview_published=True).order_by("name")


def audit_event_list(*, partnership: Partnership) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(partnership=partnership).select_related("actor")
