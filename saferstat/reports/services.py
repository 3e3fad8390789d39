"""Every write to reports: each checks its permission and records an audit event inside
its transaction."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.analytics.disclosure import policy_errors
from saferstat.analytics.periods import PeriodError, parse_period
from saferstat.core.audit import record, record_saved, snapshot
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require
from saferstat.core.sanitise import clean_plain, clean_rich_text

from . import selectors
from .models import (
    DisclosurePolicy,
    Report,
    ReportKind,
    ReportStatus,
    ReportVersion,
    SupportService,
    VersionStatus,
)
from .sections import narrative_keys

logger = logging.getLogger(__name__)


def _check_period(kind: str, period: str) -> str:
    period = (period or "").strip()
    wanted = ("quarter",) if kind == ReportKind.QUARTERLY else ("financial_year",)
    try:
        return parse_period(period, kinds=wanted).label
    except PeriodError as exc:
        example = "2024/25-Q4" if kind == ReportKind.QUARTERLY else "2024/25"
        raise ValidationError({"period": f"{exc} Write it as {example}."}) from None


def _check_ward(partnership: Partnership, kind: str, ward: str) -> str:
    ward = clean_plain(ward or "").strip()
    if kind != ReportKind.WARD:
        return ""
    if not ward:
        raise ValidationError({"ward": "Choose the ward the profile is for."})
    names = selectors.ward_names(partnership)
    if names:
        match = [n for n in names if n.casefold() == ward.casefold()]
        if not match:
            raise ValidationError({"ward": f"{ward} is not a ward of {partnership.name}."})
        ward = match[0]
    return ward


def report_create(
    *,
    partnership: Partnership,
    by: User,
    kind: str,
    period: str,
    title: str = "",
    ward: str = "",
) -> Report:
    """Start a draft report of a kind for a period (a financial year, or a quarter for the
    quarterly report); a ward profile names its ward."""
    require(by, "reports.draft", partnership)
    if kind not in ReportKind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    period = _check_period(kind, period)
    ward = _check_ward(partnership, kind, ward)
    label = f"{ward} ward profile" if ward else ReportKind(kind).label
    title = clean_plain(title) or f"{partnership.name} {label} {period}"
    with transaction.atomic():
        report = Report.objects.create(
            partnership=partnership,
            kind=kind,
            period=period,
            ward=ward,
            title=title[:200],
            created_by=by,
        )
        record(actor=by, verb="create", obj=report, partnership=partnership, after=snapshot(report))
    return report


def report_narrative_set(*, report: Report, by: User, texts: dict[str, str]) -> Report:
    """Set the report's narrative (rich text, sanitised) for the keys its sections take.
    It goes into the next version built; built versions (the published one too) keep the
    narrative they were built with."""
    require(by, "reports.draft", report.partnership)
    allowed = {key for key, _ in narrative_keys(report.kind, report.partnership)}
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
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


# ------------------------------------------------------------------------------ building


def report_build(
    *, report: Report, by: User | None, by_label: str = "", queue: bool = True
) -> ReportVersion:
    """Make a new version of the report: queued for the task worker (``queue``), or left
    for the caller to run with :func:`version_execute` (the command line). ``by`` is None
    for the scheduled job (``by_label`` says who then)."""
    if by is not None:
        require(by, "reports.draft", report.partnership)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        last = report.versions.order_by("-number").values_list("number", flat=True).first()
        version = ReportVersion.objects.create(
            report=report,
            number=(last or 0) + 1,
            built_by=by,
            built_by_label=by_label or (str(by) if by else "scheduled job"),
        )
        record(
            actor=by,
            actor_label="" if by else version.built_by_label,
            verb="build",
            obj=report,
            partnership=report.partnership,
            after={"version": version.number},
        )
        if queue:
            transaction.on_commit(partial(_enqueue, version.pk))
    return version


def _enqueue(version_id: int) -> None:
    from .tasks import build_report_version

    result = build_report_version.enqueue(version_id)
    ReportVersion.objects.filter(pk=version_id, task_id="").update(task_id=str(result.id))


def version_execute(
    *, version_id: int, progress: Callable[[int, int, str], None] | None = None
) -> ReportVersion:
    """Build a queued version (in the task worker, or the command line): every section
    from the records, section by section with progress, then the disclosure-controlled
    public version with the partnership's rule, all stored at once. Safe to run again: a
    version already built or failed is left as it is."""
    qs = ReportVersion.objects.filter(pk=version_id)
    version = qs.select_related("report", "report__partnership").get()
    if version.status not in (VersionStatus.QUEUED, VersionStatus.RUNNING):
        return version
    report = version.report
    started = time.monotonic()
    qs.update(status=VersionStatus.RUNNING, started_at=timezone.now())

    def step(done: int, total: int, label: str) -> None:
        qs.update(progress_done=done, progress_total=total, progress_label=label[:200])
        if progress is not None:
            progress(done, total, label)

    narrative = dict(report.narrative)
    policy = selectors.policy_for(report.partnership)
    try:
        sections = selectors.build_sections(report, step, narrative=narrative)
        public, suppressions = selectors.disclose(
            sections, policy, months=selectors.report_months(report)
        )
    except Exception as exc:
        logger.exception("Report version %s failed", version_id)
        with transaction.atomic():
            qs.update(
                status=VersionStatus.FAILED,
                finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            record(
                actor=None,
                actor_label="task worker",
                verb="build failed",
                obj=report,
                partnership=report.partnership,
                after={"version": version.number, "error": str(exc)[:200]},
            )
        return qs.get()
    with transaction.atomic():
        qs.update(
            status=VersionStatus.BUILT,
            finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 2),
            warehouse_version=warehouse_version(),
            policy=policy.as_dict(),
            narrative=narrative,
            sections=sections,
            public_sections=public,
            suppressions=suppressions,
        )
        record(
            actor=None,
            actor_label="task worker",
            verb="built",
            obj=report,
            partnership=report.partnership,
            after={"version": version.number, "suppressions": len(suppressions)},
        )
    return qs.get()


def report_publish(
    *,
    report: Report,
    by: User,
    version: ReportVersion | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Publish a built version (default: the latest) to the public. It replaces the version
    published before, which stays stored; a version's figures never change."""
    require(by, "reports.publish", report.partnership)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if version is None:
            version = selectors.latest_built(report)
        if version is None or version.report_id != report.pk or not version.is_built:
            raise ValidationError("Build the report first: only a built version is published.")
        if report.published_version_id == version.pk:
            raise ValidationError(f"Version {version.number} is already the published one.")
        before = {
            "status": report.status,
            "version": report.published_version.number if report.published_version else None,
        }
        report.published_version = version
        report.status = ReportStatus.PUBLISHED
        report.published_at = now or timezone.now()
        report.published_by = by
        report.save(
            update_fields=[
                "published_version",
                "status",
                "published_at",
                "published_by",
                "updated_at",
            ]
        )
        record(
            actor=by,
            verb="publish",
            obj=report,
            partnership=report.partnership,
            before=before,
            after={
                "status": report.status,
                "version": version.number,
                "suppressions": len(version.suppressions),
            },
        )
    return report


def warehouse_version() -> str:
    """When the warehouse last changed (its manifest), as the build's warehouse version."""
    from saferstat.intelligence import figures

    manifest = figures.warehouse_root() / "manifest.json"
    try:
        stamp = manifest.stat().st_mtime
    except FileNotFoundError:
        return "no warehouse"
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).isoformat()


# ---------------------------------------------------------------------- scheduled builds

JOB = "reports.rebuild"


def rebuild_stale(*, partnership: Partnership) -> list[ReportVersion]:
    """The scheduled job for one partnership: queue a new version of every report whose
    latest version is out of date (the warehouse or the narrative changed since it was
    built) and that is not building already; recorded as a run on the jobs page."""
    from saferstat.governance.jobs import scheduled_run

    queued: list[ReportVersion] = []
    with scheduled_run(partnership=partnership, job=JOB, verb="reports.rebuild_run") as run:
        current = warehouse_version()
        for report in Report.objects.filter(partnership=partnership):
            if selectors.version_building(report) is not None:
                continue
            latest = selectors.latest_built(report)
            if latest is None:
                continue  # never built: a person starts the first build
            stale = latest.warehouse_version != current or report.updated_at > latest.queued_at
            if stale:
                queued.append(report_build(report=report, by=None, by_label="scheduled job"))
        run.detail = f"{len(queued)} report(s) out of date, rebuilt as new versions"
    return queued


def rebuild_stale_all() -> int:
    return sum(len(rebuild_stale(partnership=p)) for p in Partnership.objects.all())


# ------------------------------------------------------------------- disclosure policy


def disclosure_policy_set(
    *, partnership: Partnership, by: User, threshold: int, base: int
) -> DisclosurePolicy:
    """Set the partnership's disclosure rule (admins; audited). Builds from now on use it;
    built versions keep the rule they were built with."""
    require(by, "reports.disclosure", partnership)
    errors = policy_errors(threshold, base)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _ = DisclosurePolicy.objects.select_for_update().get_or_create(partnership=partnership)
        before = {"threshold": row.threshold, "base": row.base}
        row.threshold, row.base, row.updated_by = threshold, base, by
        row.save()
        record(
            actor=by,
            verb="set disclosure rule",
            obj=row,
            partnership=partnership,
            before=before,
            after={"threshold": threshold, "base": base},
        )
    return row


# ------------------------------------------------- contacts and support services directory

#: A published phone number: digits and spaces, a leading + allowed.
PHONE = re.compile(r"\+?[0-9][0-9 ]*")
SERVICE_FIELDS = ["name", "purpose", "phone", "web_address", "hours", "order"]


def support_service_errors(
    *,
    partnership: Partnership,
    name: str,
    phone: str,
    web_address: str,
    order: int,
    exclude: int | None = None,
) -> dict[str, str]:
    """What is wrong with a directory entry, by field (empty when nothing is)."""
    from django.core.validators import URLValidator

    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the service's name."
    elif (
        SupportService.objects.filter(partnership=partnership, name__iexact=name)
        .exclude(pk=exclude)
        .exists()
    ):
        errors["name"] = f"The directory already has “{name}”."
    if phone and (not PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 3):
        errors["phone"] = "Enter the phone number with digits and spaces only (and + first)."
    if web_address:
        if not web_address.lower().startswith(("https://", "http://")):
            errors["web_address"] = "Enter a web address starting with https:// or http://."
        else:
            try:
                URLValidator(schemes=["http", "https"])(web_address)
            except ValidationError:
                errors["web_address"] = "Enter a real web address, like https://www.example.org."
    if order < 0 or order > 32767:
        errors["order"] = "Enter a whole number from 0 to 32767."
    return errors


def support_service_save(
    *,
    partnership: Partnership,
    by: User,
    service: SupportService | None = None,
    name: str,
    purpose: str = "",
    phone: str = "",
    web_address: str = "",
    hours: str = "",
    order: int | None = 0,
) -> SupportService:
    """Add an entry to the directory, or change one (`service`); analysts and admins;
    audited (``support_service.create`` / ``.update``)."""
    require(by, "reports.contacts", partnership)
    if service is not None and service.partnership_id != partnership.pk:
        raise ValidationError("This service belongs to another partnership.")
    values = {
        "name": clean_plain(name),
        "purpose": clean_plain(purpose),
        "phone": " ".join(clean_plain(phone).split()),
        "web_address": clean_plain(web_address),
        "hours": clean_plain(hours),
        "order": order or 0,
    }
    errors = support_service_errors(
        partnership=partnership,
        name=values["name"],
        phone=values["phone"],
        web_address=values["web_address"],
        order=values["order"],
        exclude=service.pk if service is not None else None,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = None
        if service is None:
            service = SupportService(partnership=partnership)
        else:
            service = SupportService.objects.select_for_update().get(pk=service.pk)
            before = snapshot(service, SERVICE_FIELDS)
        for field, value in values.items():
            setattr(service, field, value)
        service.save()
        record_saved(
            actor=by,
            noun="support_service",
            obj=service,
            partnership=partnership,
            before=before,
            after=snapshot(service, SERVICE_FIELDS),
        )
    return service


def support_service_remove(*, service: SupportService, by: User) -> None:
    """Remove an entry from the directory (analysts and admins; audited). Built report
    versions keep the directory as it was when they were built."""
    partnership = service.partnership
    require(by, "reports.contacts", partnership)
    with transaction.atomic():
        service = SupportService.objects.select_for_update().get(pk=service.pk)
        before = snapshot(service, SERVICE_FIELDS)
        record(
            actor=by,
            verb="support_service.remove",
            obj=service,
            partnership=partnership,
            before=before,
        )
        service.delete()
