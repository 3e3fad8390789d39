"""Importing indicator values from the spreadsheets a partnership keeps (CSV or XLSX).

The file is read and checked by the same machinery as partner datasets
(`saferstat.analytics.partner.read_table`, `saferstat.analytics.indicator_values`): every
problem is listed as ``file:line: field: reason`` and nothing is stored unless every row is
right. The values then go into the quarterly returns through the return life cycle
(`workflow`), each step kept in the return's history and the audit log:

* a return nobody has started is signed off with the imported values (``import``);
* a signed-off return whose values differ is corrected, with the file named as the reason
  (``correct``); the earlier values stay in its history;
* a value equal to the one already signed off changes nothing, so uploading the same file
  again changes nothing (the answer says how many values were unchanged);
* a return the lead has started (draft, submitted, returned) is theirs: its rows are refused
  with the reason, so the analyst decides it on its page first.

A monthly indicator's rows name their month (the ``month`` column), a month of the row's
quarter; each month's value is one line of the return.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saferstat.analytics import partner
from saferstat.analytics.indicator_values import (
    COLUMNS,
    MAX_VALUE_ROWS,
    IndicatorValuesError,
    validate_values,
)
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require
from saferstat.core.sanitise import clean_plain

from . import workflow
from .models import (
    SIGNED_OFF,
    Indicator,
    ReportingPeriod,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnStatus,
    Source,
)
from .services import return_values

ERR_SUFFIX = "The selected file must be a CSV file (.csv) or an Excel workbook (.xlsx)."
BLOCKED = {
    ReturnStatus.DRAFT: "the lead has a draft return for this quarter: their values come first",
    ReturnStatus.SUBMITTED: (
        "the lead's return for this quarter is awaiting approval: approve or return it first"
    ),
    ReturnStatus.RETURNED: "the lead's return for this quarter was returned to them for changes",
}


@dataclass
class ImportResult:
    """What an import did: values stored in new returns, values corrected, values that were
    already so, and the returns touched."""

    file: str
    added: int = 0
    corrected: int = 0
    unchanged: int = 0
    returns: list[Return] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.added + self.corrected + self.unchanged

    def describe(self) -> str:
        return (
            f"{self.file}: {self.rows:,} value{'s' if self.rows != 1 else ''} read; "
            f"{self.added:,} added, {self.corrected:,} corrected (the earlier values are kept in "
            f"each return's history), {self.unchanged:,} already so."
        )


def template_header() -> list[str]:
    return list(COLUMNS)


def _read(upload: UploadedFile, name: str) -> partner.RawTable:
    with tempfile.TemporaryDirectory(prefix="saferstat-values-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower())
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return partner.read_table(path, name=name, max_rows=MAX_VALUE_ROWS)


def values_import(*, partnership: Partnership, by: User, upload: UploadedFile) -> ImportResult:
    """Check an uploaded values file and store its values, all or nothing.

    Raises:
        PermissionDenied: the user may not approve returns (analysts and admins may).
        ValidationError: the file is refused; its messages are the problems, one per row and
            field (``file:line: field: reason``), then "... and N more".
    """
    require(by, "performance.approve", partnership)
    name = Path(upload.name or "upload").name[:200]
    if Path(name).suffix.lower() not in partner.SUFFIXES:
        raise ValidationError(ERR_SUFFIX)
    try:
        table = _read(upload, name)
    except partner.PartnerValidationError as exc:
        raise ValidationError(exc.messages) from None
    with transaction.atomic():
        return _store(partnership, by, table)


def _store(partnership: Partnership, by: User, table: partner.RawTable) -> ImportResult:
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(partnership=partnership).select_related("priority")
    }
    periods = {p.label: p for p in ReportingPeriod.objects.filter(partnership=partnership)}
    returns = {
        (r.priority_id, r.period_id): r
        for r in Return.objects.select_for_update().filter(partnership=partnership)
    }
    blocked = {}
    for code, indicator in indicators.items():
        for label, period in periods.items():
            ret = returns.get((indicator.priority_id, period.pk))
            if ret is not None and ret.status in BLOCKED:
                blocked[(code, label)] = BLOCKED[ret.status]
    try:
        checked = validate_values(
            table,
            units={
                code: i.unit if i.source == Source.ENTERED else None
                for code, i in indicators.items()
            },
            periods=periods,
            blocked=blocked,
            monthly={
                code
                for code, i in indicators.items()
                if i.source == Source.ENTERED and i.is_monthly
            },
        )
    except IndicatorValuesError as exc:
        raise ValidationError(exc.messages) from None
    result = ImportResult(file=checked.name)
    by_return: dict[int, tuple[Return, list]] = {}
    for row in checked.rows:
        indicator, period = indicators[row.code], periods[row.period]
        ret = returns.get((indicator.priority_id, period.pk))
        if ret is None:  # a priority added after the quarter was put in the calendar
            ret = Return.objects.create(
                partnership=partnership, priority=indicator.priority, period=period
            )
            returns[(indicator.priority_id, period.pk)] = ret
        by_return.setdefault(ret.pk, (ret, []))[1].append((indicator, row))
    reason = clean_plain(f"Imported from {checked.name}")
    for ret, rows in by_return.values():
        lines = {
            (line.indicator_id, line.month): line for line in ret.lines.select_related("indicator")
        }
        before = _state(ret, lines)
        changed = []
        for indicator, row in rows:
            key = (indicator.pk, row.month)
            line = lines.get(key) or ReturnLine(ret=ret, indicator=indicator, month=row.month)
            if line.pk is not None and line.value == row.value and ret.status in SIGNED_OFF:
                result.unchanged += 1
                if row.note and row.note != line.note:
                    line.note = clean_plain(row.note)[:2000]
                    line.save(update_fields=["note"])
                continue
            line.value = row.value
            if row.note:
                line.note = clean_plain(row.note)[:2000]
            line.save()
            lines[key] = line
            changed.append(f"{indicator.code} {row.month}".strip())
        if not changed:
            continue
        if ret.status in SIGNED_OFF:
            result.corrected += len(changed)
            workflow.mark_corrected(ret, reason)
            verb = "correct"
        else:
            result.added += len(changed)
            workflow.mark_imported(ret, by, reason)
            verb = "import"
        ret.save()
        workflow.record_step(
            ret,
            events=ReturnEvent,
            audit_prefix="return",
            by=by,
            verb=verb,
            before=before,
            after=_state(ret, lines),
            comment=f"{reason} (sha256 {checked.sha256[:12]})",
        )
        result.returns.append(ret)
    audit.record(
        actor=by,
        verb="performance.values_import",
        obj=partnership,
        partnership=partnership,
        after={
            "file": checked.name,
            "sha256": checked.sha256,
            "added": result.added,
            "corrected": result.corrected,
            "unchanged": result.unchanged,
        },
    )
    return result


def _state(ret: Return, lines: dict) -> dict:
    return {"status": ret.status, "values": return_values(lines.values())}
