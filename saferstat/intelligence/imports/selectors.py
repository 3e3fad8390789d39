"""Reads of police.uk imports: a partnership's, and a force's (force administrators)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from saferstat.core.models import Partnership

from .. import figures
from .models import ImportRun, ImportStatus


def import_run_list(*, partnership: Partnership) -> QuerySet[ImportRun]:
    """The partnership's own uploads and proposals, and every load of its force's police.uk
    months, whoever made it (another partnership's approved proposal, a force administrator,
    the command line): those months are its figures too."""
    force_loads = Q(force_slug=partnership.force_slug, reviewed_at__isnull=False) & ~Q(
        status=ImportStatus.REJECTED
    )
    return ImportRun.objects.filter(Q(partnership=partnership) | force_loads).select_related(
        "uploaded_by", "reviewed_by", "partnership"
    )


def import_run_get(*, partnership: Partnership, run_id: int) -> ImportRun:
    try:
        return import_run_list(partnership=partnership).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("No such import") from None


def force_import_list(*, force: str) -> QuerySet[ImportRun]:
    """Every police.uk file for a force: proposals, checks and loads, newest first."""
    return ImportRun.objects.filter(force_slug=force).select_related(
        "uploaded_by", "reviewed_by", "partnership"
    )


def force_import_pending(*, force: str) -> QuerySet[ImportRun]:
    """Files checked and waiting for a force administrator, oldest first."""
    return (
        force_import_list(force=force)
        .filter(status=ImportStatus.AWAITING_APPROVAL)
        .order_by("created_at", "id")
    )


def force_import_get(*, force: str, run_id: int) -> ImportRun:
    try:
        return force_import_list(force=force).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("No such import") from None


def force_partnerships(force: str) -> list[Partnership]:
    """Every partnership the police force serves (they share its police.uk months)."""
    return list(Partnership.objects.filter(force_slug=force).prefetch_related("areas"))


def force_month_rows(force: str, month: str) -> int | None:
    """The force-month's total in the warehouse now (None: not loaded)."""
    return figures.load_warehouse().month_rows(force, month) if month else None
