"""Reads for the intelligence module. Every selector takes the partnership."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from saferstat.core.models import Partnership

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
