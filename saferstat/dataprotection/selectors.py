"""Reads of the personal-data pages; every one takes the partnership."""

from __future__ import annotations

from dataclasses import dataclass

from saferstat.core.models import Partnership
from saferstat.governance.models import JobRun

from .declaration import RECORD_TYPES, RecordType
from .models import Erasure, SubjectRequest
from .services import JOB, period_months


@dataclass(frozen=True)
class RetentionRow:
    record_type: RecordType
    months: int | None
    own: bool
    erased: int


def retention_rows(partnership: Partnership) -> list[RetentionRow]:
    erased = {}
    for key in Erasure.objects.filter(partnership=partnership).values_list(
        "record_type", flat=True
    ):
        erased[key] = erased.get(key, 0) + 1
    rows = []
    for record_type in RECORD_TYPES:
        months = period_months(partnership, record_type)
        rows.append(
            RetentionRow(
                record_type,
                months,
                months is not None and months != record_type.default_months,
                erased.get(record_type.key, 0),
            )
        )
    return rows


def retention_runs(partnership: Partnership):
    return JobRun.objects.filter(partnership=partnership, job=JOB)[:10]


def requests(partnership: Partnership):
    return SubjectRequest.objects.filter(partnership=partnership).select_related("handled_by")
