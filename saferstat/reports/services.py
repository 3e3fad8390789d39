"""Every write to reports: each checks its permission and records an audit event inside
its transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.analytics.disclosure import DEFAULT_POLICY
from saferstat.analytics.periods import PeriodError, parse_period
from saferstat.core.audit import record, snapshot
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require
from saferstat.core.sanitise import clean_plain, clean_rich_text

from . import selectors
from .models import Report, ReportKind, ReportStatus
from .sections import narrative_keys


def _check_period(kind: str, period: str) -> str:
    period = (period or "").strip()
    wanted = ("quarter",) if kind == ReportKind.QUARTERLY else ("financial_year",)
    try:
        return parse_period(period, kinds=wanted).label
    except PeriodError as exc:
        example = "2024/25-Q4" if kind == ReportKind.QUARTERLY else "2024/25"
        raise ValidationError({"period": f"{exc} Write it as {example}."}) from None


def report_create(
    *, partnership: Partnership, by: User, kind: str, period: str, title: str = ""
) -> Report:
    """Start a draft report of a kind for a period (a financial year, or a quarter for the
    quarterly report)."""
    require(by, "reports.draft", partnership)
    if kind not in ReportKind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    period = _check_period(kind, period)
    title = clean_plain(title) or f"{partnership.name} {ReportKind(kind).label} {period}"
    with transaction.atomic():
        report = Report.objects.create(
            partnership=partnership, kind=kind, period=period, title=title[:200], created_by=by
        )
        record(actor=by, verb="create", obj=report, partnership=partnership, after=snapshot(report))
    return report


def _refuse_if_published(report: Report) -> None:
    if report.is_published:
        raise ValidationError("A published report is frozen: it cannot be changed.")


def report_narrative_set(*, report: Report, by: User, texts: dict[str, str]) -> Report:
    """Set the report's narrative (rich text, sanitised) for the keys its sections take."""
    require(by, "reports.draft", report.partnership)
    allowed = {key for key, _ in narrative_keys(report.kind, report.partnership)}
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _refuse_if_published(report)
        before = dict(report.narrative)
        narrative = dict(report.narrative)
        for key, text in texts.items():
            if key not in allowed:
                raise ValidationError({key: "This report has no such section."})
            cleaned = clean_rich_text(text)
            if cleaned and "<" not in cleaned:
                cleaned = "".join(
                    f"<p>{part}</p>" for part in clean_rich_text(text).split("\n\n") if part
                )
            narrative[key] = cleaned
        report.narrative = narrative
        report.save(update_fields=["narrative", "updated_at"])
        record(
            actor=by,
            verb="edit narrative",
            obj=report,
            partnership=report.partnership,
            before={"narrative": before},
            after={"narrative": narrative},
        )
    return report


def report_publish(*, report: Report, by: User, now: dt.datetime | None = None) -> Report:
    """Publish the report: build every section from the records now, freeze the internal
    and the disclosure-controlled public versions, and open it to the public."""
    require(by, "reports.publish", report.partnership)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _refuse_if_published(report)
        started = timezone.now()
        sections = selectors.build_sections(report)
        public, suppressions = selectors.disclose(sections)
        report.snapshot = sections
        report.public_snapshot = public
        report.status = ReportStatus.PUBLISHED
        report.published_at = now or timezone.now()
        report.published_by = by
        report.build_info = {
            "built_at": started.isoformat(),
            "seconds": round((timezone.now() - started).total_seconds(), 2),
            "policy": DEFAULT_POLICY.describe(),
            "suppressions": suppressions,
            "warehouse_version": _warehouse_version(),
            "narrative": dict(report.narrative),
        }
        report.save()
        record(
            actor=by,
            verb="publish",
            obj=report,
            partnership=report.partnership,
            before={"status": ReportStatus.DRAFT},
            after={"status": report.status, "suppressions": len(suppressions)},
        )
    return report


def _warehouse_version() -> str:
    from saferstat.intelligence import figures

    manifest = figures.warehouse_root() / "manifest.json"
    try:
        stamp = manifest.stat().st_mtime
    except FileNotFoundError:
        return "no warehouse"
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).isoformat()
