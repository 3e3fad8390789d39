"""Reads for the intelligence module. Every selector takes the partnership."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from saferstat.core.models import Partnership

from .models import ImportRun


def import_run_list(*, partnership: Partnership) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(partnership=partnership).select_related("uploaded_by")


def import_run_get(*, partnership: Partnership, run_id: int) -> ImportRun:
    try:
        return import_run_list(partnership=partnership).get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("No such import") from None
