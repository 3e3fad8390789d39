"""Writes for funding streams, projects, grants, measures, monitoring returns,
communications and training and engagement. Each checks its permission
(`saferstat.core.permissions`) and is audited inside its transaction.

Money is whole pence (`money.parse_pounds` turns what people type into pence): no floats.
Monitoring returns go through the shared return life cycle (`performance.workflow`) on the
shared reporting calendar (`performance.ReportingPeriod`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from saferstat.analytics.periods import add_months
from saferstat.core import audit, documents
from saferstat.core.models import Membership, Organisation, Partnership, User
from saferstat.core.permissions import can_correct_project, can_submit_project, require
from saferstat.core.sanitise import clean_plain
from saferstat.intelligence.files import upload_kept
from saferstat.performance import workflow
from saferstat.performance.models import Indicator, ReportingPeriod
from saferstat.performance.services import rich_commentary
from saferstat.plan.models import Objective, Priority

from .models import (
    EXPORT_COLUMNS,
    Activity,
    Communication,
    FundingStream,
    Grant,
    Measure,
    MeasureKind,
    MonitoringEvent,
    MonitoringLine,
    MonitoringReturn,
    Project,
    ProjectStatus,
)
from .money import pounds

ERR_PENCE = "Money is held in whole pence: give an integer number of pence."
ERR_OVER = (
    "This award takes the stream over its total: {left} is left of {total}. Give a reason "
    "to award more than is left."
)
ERR_WHOLE = "Enter a whole number from 0 to 999,999,999."
ERR_REQUIRED = "Enter a value before submitting (or save a draft)."
ERR_NOT_LEAD = "Only the project's lead can enter and submit its monitoring return."
ERR_OTHER = "It belongs to another partnership."
ERR_NAME_USED = "Another project is called {name}: choose another name."
ERR_MEASURE_HAS_VALUES = (
    "{name} has figures in {n} monitoring return{s}: it cannot be removed (the returns keep "
    "their history). Change its planned value instead."
)
#: Where files attached to communications are kept, under MEDIA_ROOT (never swept by
#: `purge_uploads`).
COMMUNICATIONS_FOLDER = "communications"


def _pence(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({"amount": ERR_PENCE})
    return value


def _same(partnership: Partnership, obj, field: str) -> None:
    owner = getattr(obj, "partnership", None)
    if obj is not None and (owner is None or owner.pk != partnership.pk):
        raise ValidationError({field: ERR_OTHER})


# --- funding streams, projects, grants, measures ---------------------------------------------


def _stream_fields(
    name, funder, financial_year, amount_pence, export_columns, conditions, reporting_schedule
) -> dict:
    """A funding stream's fields as given, checked and cleaned, by model field name."""
    amount_pence = _pence(amount_pence)
    name, funder = clean_plain(name)[:200], clean_plain(funder)[:200]
    if not name or not funder:
        raise ValidationError({"name": "Name the stream and its funder."})
    year = clean_plain(financial_year)
    if len(year) != 7 or year[4] != "/" or not (year[:4] + year[5:]).isdigit():
        raise ValidationError({"financial_year": "Write the financial year as 2024/25."})
    columns = list(export_columns or [])
    unknown = [c for c in columns if c not in EXPORT_COLUMNS]
    if unknown:
        raise ValidationError({"export_columns": f"Unknown columns: {', '.join(unknown)}"})
    return {
        "name": name,
        "funder": funder,
        "financial_year": year,
        "amount_pence": amount_pence,
        "conditions": clean_plain(conditions),
        "reporting_schedule": clean_plain(reporting_schedule)[:200],
        "export_columns": columns,
    }


def _check_not_below_awarded(stream: FundingStream, amount_pence: int) -> None:
    awarded = stream.grants.aggregate(t=Sum("amount_pence"))["t"] or 0
    if amount_pence < awarded:
        raise ValidationError(
            {
                "amount": f"{pounds(awarded)} is already awarded from this stream: the amount "
                "cannot be less (change or remove awards first)."
            }
        )


def _stream_save(
    stream: FundingStream, fields: dict, *, partnership: Partnership, by: User, before: dict | None
) -> FundingStream:
    """Fill in a stream's checked `fields` (from `_stream_fields`), save it and audit it
    (created when there is no `before`, else changed)."""
    for name, value in fields.items():
        setattr(stream, name, value)
    stream.save()
    audit.record_saved(
        actor=by, noun="funding_stream", obj=stream, partnership=partnership, before=before
    )
    return stream


@transaction.atomic
def stream_upsert(
    *,
    partnership: Partnership,
    by: User,
    name: str,
    funder: str,
    financial_year: str,
    amount_pence: int,
    conditions: str = "",
    reporting_schedule: str = "Quarterly",
    export_columns: Iterable[str] | None = None,
    is_demo: bool = False,
) -> FundingStream:
    """Record a funding stream (or change it: the same name and year)."""
    require(by, "delivery.manage", partnership)
    fields = _stream_fields(
        name, funder, financial_year, amount_pence, export_columns, conditions, reporting_schedule
    )
    name, year = fields["name"], fields["financial_year"]
    stream = FundingStream.objects.filter(
        partnership=partnership, name=name, financial_year=year
    ).first()
    before = audit.snapshot(stream) if stream else None
    if stream is not None:
        _check_not_below_awarded(stream, fields["amount_pence"])
    stream = stream or FundingStream(partnership=partnership, name=name, financial_year=year)
    stream.is_demo = is_demo
    return _stream_save(stream, fields, partnership=partnership, by=by, before=before)


@transaction.atomic
def stream_update(
    *,
    stream: FundingStream,
    by: User,
    name: str,
    funder: str,
    financial_year: str,
    amount_pence: int,
    conditions: str = "",
    reporting_schedule: str = "",
    export_columns: Iterable[str] | None = None,
) -> FundingStream:
    """Change a funding stream: its name, funder, year, amount (never below what is already
    awarded), conditions, reporting schedule and the columns of its funder return."""
    partnership = stream.partnership
    require(by, "delivery.manage", partnership)
    fields = _stream_fields(
        name, funder, financial_year, amount_pence, export_columns, conditions, reporting_schedule
    )
    name, year = fields["name"], fields["financial_year"]
    stream = FundingStream.objects.select_for_update().get(pk=stream.pk)
    if (
        FundingStream.objects.filter(partnership=partnership, name=name, financial_year=year)
        .exclude(pk=stream.pk)
        .exists()
    ):
        raise ValidationError({"name": f"There is already a {name} stream for {year}."})
    _check_not_below_awarded(stream, fields["amount_pence"])
    before = audit.snapshot(stream)
    return _stream_save(stream, fields, partnership=partnership, by=by, before=before)


ERR_PRIORITIES = "Choose at least one priority of this partnership's plan."
ERR_OBJECTIVE = "Choose objectives of the priorities the project serves."


def _project_state(project: Project) -> dict:
    return {
        **audit.snapshot(project),
        "priorities": sorted(project.priorities.values_list("pk", flat=True)),
        "objectives": sorted(project.objectives.values_list("pk", flat=True)),
    }


@transaction.atomic
def project_upsert(
    *,
    partnership: Partnership,
    by: User,
    name: str,
    organisation: Organisation,
    start_date: dt.date,
    end_date: dt.date,
    priorities: Iterable[Priority] | None = None,
    priority: Priority | None = None,
    objectives: Iterable[Objective] | None = None,
    lead: User | None = None,
    lead_role: str = "",
    status: str = ProjectStatus.ACTIVE,
    summary: str = "",
    is_demo: bool = False,
) -> Project:
    """Record a project (or change it: the same name). Every project serves one or more
    priorities of the partnership's plan (``priorities``; ``priority`` is shorthand for
    one), optionally some of their objectives, and is delivered by one of its
    organisations; its lead (a member with the priority lead role) enters its monitoring
    returns. ``objectives=None`` keeps a changed project's objectives (those still under
    its priorities)."""
    require(by, "delivery.manage", partnership)
    _same(partnership, organisation, "organisation")
    chosen = list(priorities or []) + ([priority] if priority is not None else [])
    chosen = list({p.pk: p for p in chosen}.values())
    if not chosen or any(p.partnership.pk != partnership.pk for p in chosen):
        raise ValidationError({"priorities": ERR_PRIORITIES})
    if (
        lead is not None
        and not Membership.objects.filter(user=lead, partnership=partnership, role="lead").exists()
    ):
        raise ValidationError({"lead": "The lead must be a priority lead of this partnership."})
    if end_date < start_date:
        raise ValidationError({"end_date": "The project must end on or after it starts."})
    if status not in ProjectStatus.values:
        raise ValidationError({"status": "Choose a status."})
    name = clean_plain(name)[:200]
    if not name:
        raise ValidationError({"name": "Name the project."})
    project = Project.objects.filter(partnership=partnership, name=name).first()
    before = _project_state(project) if project else None
    priority_ids = {p.pk for p in chosen}
    if objectives is None:
        kept = project.objectives.filter(priority_id__in=priority_ids) if project else []
        objectives = list(kept)
    objectives = list(objectives)
    if any(o.priority_id not in priority_ids for o in objectives):
        raise ValidationError({"objectives": ERR_OBJECTIVE})
    project = project or Project(partnership=partnership, name=name)
    project.organisation = organisation
    project.start_date, project.end_date = start_date, end_date
    project.lead, project.lead_role = lead, clean_plain(lead_role)[:200]
    project.status, project.summary, project.is_demo = status, clean_plain(summary), is_demo
    project.save()
    project.priorities.set(chosen)
    project.objectives.set(objectives)
    audit.record_saved(
        actor=by,
        noun="project",
        obj=project,
        partnership=partnership,
        before=before,
        after=_project_state(project),
    )
    monitoring_returns_open(partnership=partnership, projects=[project])
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    by: User,
    name: str,
    organisation: Organisation,
    start_date: dt.date,
    end_date: dt.date,
    lead: User | None,
    lead_role: str = "",
    summary: str | None = None,
) -> Project:
    """Change a project's name, delivering organisation, lead and dates (its priorities,
    objectives and status are kept; `project_upsert` changes those). Returns open for the
    quarters its new dates reach; those already opened stay, with their history."""
    partnership = project.partnership
    require(by, "delivery.manage", partnership)
    _same(partnership, organisation, "organisation")
    if (
        lead is not None
        and not Membership.objects.filter(user=lead, partnership=partnership, role="lead").exists()
    ):
        raise ValidationError({"lead": "The lead must be a priority lead of this partnership."})
    if end_date < start_date:
        raise ValidationError({"end_date": "The project must end on or after it starts."})
    name = clean_plain(name)[:200]
    if not name:
        raise ValidationError({"name": "Name the project."})
    if Project.objects.filter(partnership=partnership, name=name).exclude(pk=project.pk).exists():
        raise ValidationError({"name": ERR_NAME_USED.format(name=name)})
    before = _project_state(project)
    project.name, project.organisation = name, organisation
    project.start_date, project.end_date = start_date, end_date
    project.lead, project.lead_role = lead, clean_plain(lead_role)[:200]
    if summary is not None:
        project.summary = clean_plain(summary)
    project.save()
    audit.record(
        actor=by,
        verb="project.update",
        obj=project,
        partnership=partnership,
        before=before,
        after=_project_state(project),
    )
    monitoring_returns_open(partnership=partnership, projects=[project])
    return project


def stream_left(stream: FundingStream, *, without: Project | None = None) -> int:
    """Pence of the stream not yet awarded (negative when over-allocated)."""
    grants = stream.grants.all()
    if without is not None:
        grants = grants.exclude(project=without)
    return stream.amount_pence - (grants.aggregate(t=Sum("amount_pence"))["t"] or 0)


@transaction.atomic
def grant_set(
    *, project: Project, stream: FundingStream, by: User, amount_pence: int, reason: str = ""
) -> Grant:
    """Award a project money from a stream (or change the award). An award over what the
    stream has left needs a reason; it is then shown as over-allocated."""
    partnership = project.partnership
    require(by, "delivery.manage", partnership)
    _same(partnership, stream, "stream")
    amount_pence = _pence(amount_pence)
    FundingStream.objects.select_for_update().filter(pk=stream.pk).first()
    left = stream_left(stream, without=project)
    reason = clean_plain(reason)
    if amount_pence > left and not reason:
        raise ValidationError(
            {
                "reason": ERR_OVER.format(
                    left=pounds(max(left, 0)), total=pounds(stream.amount_pence)
                )
            }
        )
    grant = Grant.objects.filter(project=project, stream=stream).first()
    before = audit.snapshot(grant) if grant else None
    grant = grant or Grant(project=project, stream=stream)
    grant.amount_pence = amount_pence
    grant.over_reason = reason if amount_pence > left else ""
    grant.save()
    audit.record(
        actor=by,
        verb="grant.set",
        obj=grant,
        partnership=partnership,
        before=before,
        after=audit.snapshot(grant),
    )
    return grant


@transaction.atomic
def grant_remove(*, grant: Grant, by: User) -> None:
    """Withdraw an award: the money goes back to what the stream has left. The project and
    its returns stay."""
    partnership = grant.project.partnership
    require(by, "delivery.manage", partnership)
    audit.record(
        actor=by,
        verb="grant.remove",
        obj=grant,
        partnership=partnership,
        before=audit.snapshot(grant),
    )
    grant.delete()


@transaction.atomic
def measure_upsert(
    *,
    project: Project,
    by: User,
    kind: str,
    name: str,
    unit: str,
    planned: int | None,
    indicator: Indicator | None = None,
    order: int = 0,
) -> Measure:
    """Declare an output or outcome of a project with its unit and planned value (or change
    it: the same kind and name)."""
    partnership = project.partnership
    require(by, "delivery.manage", partnership)
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": "Choose output or outcome."})
    _same(partnership, indicator, "indicator")
    name, unit = clean_plain(name)[:200], clean_plain(unit)[:60]
    if not name or not unit:
        raise ValidationError({"name": "Name the measure and its unit (e.g. young people)."})
    if planned is not None and (
        isinstance(planned, bool) or int(planned) != planned or planned < 0
    ):
        raise ValidationError({"planned": ERR_WHOLE})
    measure = Measure.objects.filter(project=project, kind=kind, name=name).first()
    before = audit.snapshot(measure) if measure else None
    measure = measure or Measure(project=project, kind=kind, name=name)
    measure.unit, measure.planned, measure.indicator, measure.order = (
        unit,
        planned,
        indicator,
        order,
    )
    measure.save()
    audit.record_saved(
        actor=by,
        noun="measure",
        obj=measure,
        partnership=partnership,
        before=before,
    )
    return measure


@transaction.atomic
def measure_remove(*, measure: Measure, by: User) -> None:
    """Remove a declared output or outcome, refused once any monitoring return holds a
    figure for it; its empty lines in returns not yet filled in go with it."""
    partnership = measure.project.partnership
    require(by, "delivery.manage", partnership)
    held = measure.lines.exclude(value__isnull=True).values("ret").distinct().count()
    if held:
        raise ValidationError(
            ERR_MEASURE_HAS_VALUES.format(name=measure.name, n=held, s="s" if held != 1 else "")
        )
    audit.record(
        actor=by,
        verb="measure.remove",
        obj=measure,
        partnership=partnership,
        before=audit.snapshot(measure),
    )
    measure.delete()


# --- monitoring returns ----------------------------------------------------------------------


def _quarter_dates(period: ReportingPeriod) -> tuple[dt.date, dt.date]:
    year, month = (int(x) for x in period.start_month.split("-"))
    first = dt.date(year, month, 1)
    y, m = (int(x) for x in add_months(period.start_month, 3).split("-"))
    return first, dt.date(y, m, 1) - dt.timedelta(days=1)


def monitoring_returns_open(
    *,
    partnership: Partnership,
    periods: Iterable[ReportingPeriod] | None = None,
    projects: Iterable[Project] | None = None,
) -> list[MonitoringReturn]:
    """Open a monitoring return (not started) for every project and calendar quarter it
    delivers in, where none exists. Called when a project is recorded and when the calendar
    gets a quarter (``signals``); opening is part of those audited writes."""
    periods = list(periods if periods is not None else partnership.reporting_periods.all())
    projects = list(
        projects
        if projects is not None
        else Project.objects.filter(partnership=partnership).exclude(status=ProjectStatus.PLANNED)
    )
    opened = []
    for period in periods:
        first, last = _quarter_dates(period)
        for project in projects:
            if project.status == ProjectStatus.PLANNED:
                continue
            if project.start_date <= last and project.end_date >= first:
                ret, created = MonitoringReturn.objects.get_or_create(
                    partnership=partnership, project=project, period=period
                )
                if created:
                    opened.append(ret)
    return opened


def clean_counts(
    measures: list[Measure], values: Mapping[str, object], *, required: bool
) -> tuple[dict[int, int | None], dict[str, str]]:
    """Check the quarter's values typed for each measure (whole numbers of 0 or more).
    ``values`` are keyed by measure id (as text or int). Returns (values by measure id,
    errors by ``value-<id>``); blank is None (an error when ``required``)."""
    by_id = {m.pk: m for m in measures}
    cleaned: dict[int, int | None] = {}
    errors: dict[str, str] = {}
    for key in values:
        if str(key) not in {str(k) for k in by_id}:
            errors[f"value-{key}"] = "Not a measure of this project."
    for pk in by_id:
        raw = values.get(pk, values.get(str(pk)))
        text = "" if raw is None else str(raw).strip().replace(",", "")
        if text == "":
            cleaned[pk] = None
            if required:
                errors[f"value-{pk}"] = ERR_REQUIRED
        elif not (text.isascii() and text.isdigit()) or len(text) > 9:
            errors[f"value-{pk}"] = ERR_WHOLE
        else:
            cleaned[pk] = int(text)
    return cleaned, errors


def _state(ret: MonitoringReturn) -> dict:
    return {
        "status": ret.status,
        "spend_pence": ret.spend_pence,
        "values": {str(line.measure_id): line.value for line in ret.lines.all()},
    }


def _finish(ret: MonitoringReturn, by: User | None, verb: str, before: dict, comment: str = ""):
    return workflow.record_step(
        ret,
        events=MonitoringEvent,
        audit_prefix="monitoring_return",
        by=by,
        verb=verb,
        before=before,
        after=_state(ret),
        comment=comment,
    )


def _write(ret: MonitoringReturn, values, evidence: Mapping) -> None:
    for measure in ret.project.measures.all():
        line, _ = MonitoringLine.objects.get_or_create(ret=ret, measure=measure)
        if measure.pk in values:
            line.value = values[measure.pk]
        text = evidence.get(measure.pk, evidence.get(str(measure.pk)))
        if text is not None:
            line.evidence = clean_plain(text)[:2000]
        line.save()


def _enter(ret, by, values, evidence, spend_pence, narrative, *, submit: bool):
    ret = MonitoringReturn.objects.select_for_update().select_related("project").get(pk=ret.pk)
    if not can_submit_project(by, ret.project):
        raise PermissionDenied(ERR_NOT_LEAD)
    workflow.check_status(ret, workflow.EDITABLE, "submitted" if submit else "changed")
    cleaned, errors = clean_counts(list(ret.project.measures.all()), values, required=submit)
    if spend_pence is not None:
        try:
            _pence(spend_pence)
        except ValidationError:
            errors["spend"] = ERR_PENCE
    elif submit:
        errors["spend"] = "Enter the quarter's spend (0 if none)."
    if errors:
        raise ValidationError(errors)
    before = _state(ret)
    _write(ret, cleaned, evidence or {})
    ret.spend_pence, ret.narrative = spend_pence, rich_commentary(narrative)
    if submit:
        workflow.mark_submitted(ret, by)
    else:
        workflow.mark_draft(ret)
    ret.save()
    return _finish(ret, by, "submit" if submit else "save", before)


@transaction.atomic
def monitoring_save(
    *,
    ret: MonitoringReturn,
    by: User,
    values: Mapping,
    evidence: Mapping | None = None,
    spend_pence: int | None = None,
    narrative: str = "",
) -> MonitoringReturn:
    """The project lead saves the quarter's figures as a draft (blanks allowed)."""
    return _enter(ret, by, values, evidence, spend_pence, narrative, submit=False)


@transaction.atomic
def monitoring_submit(
    *,
    ret: MonitoringReturn,
    by: User,
    values: Mapping,
    evidence: Mapping | None = None,
    spend_pence: int | None = None,
    narrative: str = "",
) -> MonitoringReturn:
    """The project lead submits the quarter's figures, spend and narrative to the analyst:
    every measure needs a value."""
    return _enter(ret, by, values, evidence, spend_pence, narrative, submit=True)


@transaction.atomic
def monitoring_approve(*, ret: MonitoringReturn, by: User, comment: str = "") -> MonitoringReturn:
    """The analyst signs the return off: its figures count towards the project's outputs."""
    ret = MonitoringReturn.objects.select_for_update().get(pk=ret.pk)
    require(by, "delivery.approve", ret.partnership)
    before = _state(ret)
    comment = workflow.mark_approved(ret, by, comment)
    ret.save()
    return _finish(ret, by, "approve", before, comment)


@transaction.atomic
def monitoring_send_back(*, ret: MonitoringReturn, by: User, comment: str) -> MonitoringReturn:
    """The analyst returns the submitted return to the project lead with a comment."""
    ret = MonitoringReturn.objects.select_for_update().get(pk=ret.pk)
    require(by, "delivery.approve", ret.partnership)
    before = _state(ret)
    comment = workflow.mark_returned(ret, by, comment)
    ret.save()
    return _finish(ret, by, "return", before, comment)


@transaction.atomic
def monitoring_correct(
    *, ret: MonitoringReturn, by: User, values: Mapping, reason: str
) -> MonitoringReturn:
    """Correct figures of a signed-off return with a reason (kept in its history)."""
    ret = MonitoringReturn.objects.select_for_update().select_related("project").get(pk=ret.pk)
    if not can_correct_project(by, ret.project):
        raise PermissionDenied("Only the project's lead or an analyst can correct a return.")
    given = {k: v for k, v in values.items() if str(v if v is not None else "").strip() != ""}
    cleaned, errors = clean_counts(list(ret.project.measures.all()), given, required=False)
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in cleaned.items() if v is not None}
    before = _state(ret)
    reason = workflow.mark_corrected(ret, reason)
    if not changed:
        raise ValidationError({"values": "Enter at least one corrected value."})
    _write(ret, changed, {})
    ret.save()
    return _finish(ret, by, "correct", before, reason)


# --- communications, training and engagement -------------------------------------------------


def communication_add(
    *,
    partnership: Partnership,
    by: User,
    date: dt.date,
    title: str,
    audience: str,
    kind: str = Communication.Kind.BULLETIN,
    reach: int | None = None,
    priority: Priority | None = None,
    link: str = "",
    upload=None,
    is_demo: bool = False,
) -> Communication:
    """Log an e-bulletin or campaign, optionally with its file (the bulletin, a leaflet):
    checked by its content and size like a meeting's papers (`core.documents.check_document`)
    and kept under MEDIA_ROOT/communications/ with its row, or neither.

    Raises:
        ValidationError: on "title", "priority", "link" or "file" (empty, too large, a kind
            not accepted, or not what its name says).
    """
    require(by, "delivery.manage", partnership)
    if priority is not None and priority.partnership.pk != partnership.pk:
        raise ValidationError({"priority": ERR_OTHER})
    row = Communication(
        partnership=partnership,
        kind=kind,
        date=date,
        title=clean_plain(title)[:200],
        audience=clean_plain(audience)[:200],
        reach=reach,
        priority=priority,
        link=link,
        is_demo=is_demo,
    )
    if not row.title or not row.audience:
        raise ValidationError({"title": "Give the title and the audience."})
    row.full_clean()

    def save() -> Communication:
        with transaction.atomic():
            row.save()
            audit.record(
                actor=by,
                verb="communication.add",
                obj=row,
                partnership=partnership,
                after=audit.snapshot(
                    row, [f.name for f in row._meta.fields if f.name != "file_path"]
                ),
            )
        return row

    if upload is None:
        return save()
    name, kind_ = documents.check_document(upload)
    with upload_kept(upload=upload, name=name, folder=COMMUNICATIONS_FOLDER) as kept:
        row.file_name, row.file_kind = name, kind_.key
        row.file_path, row.file_size, row.file_sha256 = str(kept.path), kept.size, kept.sha256
        return save()


@transaction.atomic
def activity_add(
    *,
    partnership: Partnership,
    by: User,
    kind: str,
    date: dt.date,
    title: str,
    provider: str = "",
    audience: str = "",
    sessions: int | None = None,
    people: int | None = None,
    organisations: str = "",
    priority: Priority | None = None,
    is_demo: bool = False,
) -> Activity:
    """Log training delivered or an engagement activity."""
    require(by, "delivery.manage", partnership)
    if priority is not None and priority.partnership.pk != partnership.pk:
        raise ValidationError({"priority": ERR_OTHER})
    row = Activity(
        partnership=partnership,
        kind=kind,
        date=date,
        title=clean_plain(title)[:200],
        provider=clean_plain(provider)[:200],
        audience=clean_plain(audience)[:200],
        sessions=sessions,
        people=people,
        organisations=clean_plain(organisations)[:300],
        priority=priority,
        is_demo=is_demo,
    )
    if not row.title:
        raise ValidationError({"title": "Give the topic or activity."})
    row.full_clean()
    row.save()
    audit.record(
        actor=by, verb="activity.add", obj=row, partnership=partnership, after=audit.snapshot(row)
    )
    return row
