"""Reads of partnership-owned data. Every selector takes the partnership it reads for."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .accessibility import default_statement
from .models import (
    AccessibilityStatement,
    AuditEvent,
    Organisation,
    Partnership,
    PrivacyNotice,
)
from .privacy import default_notice


def partnership_get(*, slug: str) -> Partnership:
    try:
        return Partnership.objects.prefetch_related("areas").get(slug=slug)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership") from None


def organisation_list(*, partnership: Partnership) -> list[Organisation]:
    """The partnership's organisations: responsible authorities first, then by name."""
    return list(
        Organisation.objects.filter(partnership=partnership).order_by(
            "-is_responsible_authority", "name"
        )
    )


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


def privacy_notice_get(*, partnership: Partnership) -> PrivacyNotice:
    """The partnership's saved privacy notice, or an unsaved one with the default text
    (``notice.pk is None``)."""
    notice = PrivacyNotice.objects.filter(partnership=partnership).first()
    return notice if notice is not None else default_notice(partnership)


def privacy_notice_list(*, partnerships: list[Partnership]) -> QuerySet[Partnership]:
    """Partnerships whose privacy notice is public (saved), with the given ones (the user's
    own, whose notice they may read even before it is saved), by name."""
    return (
        Partnership.objects.filter(
            Q(privacy_notice__isnull=False) | Q(pk__in=[p.pk for p in partnerships])
        )
        .distinct()
        .order_by("name")
    )


def accessibility_statement_get() -> AccessibilityStatement:
    """The saved accessibility statement, or an unsaved one with the default text."""
    return AccessibilityStatement.objects.order_by("pk").first() or default_statement()
