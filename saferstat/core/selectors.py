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


def audit_event_list(
    *,
    partnership: Partnership,
    object_ref: tuple[str, str] | None = None,
    actor: int | str | None = None,
) -> QuerySet[AuditEvent]:
    """The partnership's audit events, newest first; only ever this partnership's.

    Args:
        object_ref: ``(object_type, object_id)``, e.g. ``("intelligence.ImportRun", "12")``:
            only events about that object.
        actor: a user id, or ``"system"`` (no actor): only events by them.
    """
    events = AuditEvent.objects.filter(partnership=partnership).select_related("actor")
    if object_ref is not None:
        events = events.filter(object_type=object_ref[0], object_id=object_ref[1])
    if actor == "system":
        events = events.filter(actor__isnull=True)
    elif actor is not None:
        events = events.filter(actor_id=actor)
    return events
