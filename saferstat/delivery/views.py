"""Pages of the delivery module: funding streams (and the funder return), what a stream's
money bought, projects with their outputs and outcomes, monitoring returns, late returns,
and the communications and training and engagement logs. Thin: services write, selectors
read."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from saferstat.core import documents
from saferstat.core.exports import export_response
from saferstat.core.models import Membership, Organisation
from saferstat.core.permissions import can, can_correct_project, can_submit_project, require
from saferstat.core.uploads import accepts_upload, size_text
from saferstat.core.views_helpers import audit_history_url, error_texts, parse_id, partnership_view
from saferstat.performance import workflow
from saferstat.performance.models import ReturnStatus
from saferstat.performance.selectors import indicator_list
from saferstat.plan.selectors import priority_list

from . import selectors, services
from .models import EXPORT_COLUMNS, Activity, Communication, MeasureKind, ProjectStatus
from .money import parse_pounds, pounds

EXPORTS = {"csv", "xlsx", "ods"}


def _money(text: str, field: str = "amount") -> int:
    try:
        return parse_pounds(text)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError({field: "Enter a date as 2024-04-01."}) from None


def _whole(text: str, field: str) -> int | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValidationError({field: "Enter a whole number from 0 to 999,999,999."})
    return int(text)


def _pick_many(rows, pk_texts: list[str], field: str) -> list:
    return [_pick(rows, text, field) for text in pk_texts if text]


def _objectives(priorities) -> list:
    return [o for p in priorities for o in p.objectives.all()]


def _pick(rows, pk_text: str, field: str):
    pk = parse_id(pk_text)
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise ValidationError({field: "Choose one from the list."})
    return found


# --- funding streams -------------------------------------------------------------------------


def _stream_posted(request) -> dict:
    """A funding stream's name, funder, year, amount (pounds, as pence) and conditions, as
    posted."""
    return {
        "name": request.POST.get("name", ""),
        "funder": request.POST.get("funder", ""),
        "financial_year": request.POST.get("financial_year", ""),
        "amount_pence": _money(request.POST.get("amount", "")),
        "conditions": request.POST.get("conditions", ""),
    }


@partnership_view("delivery.view", post=True)
def index(request, partnership):
    """Funding streams with what is awarded and left; funding by priority and organisation.
    Analysts record a new stream here."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            stream = services.stream_upsert(
                partnership=partnership,
                by=request.user,
                **_stream_posted(request),
                reporting_schedule=request.POST.get("reporting_schedule", "") or "Quarterly",
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, f"Funding stream {stream} recorded.")
            return redirect("delivery:stream_detail", slug=partnership.slug, stream_id=stream.pk)
    return render(
        request,
        "delivery/index.html",
        {
            "partnership": partnership,
            "streams": selectors.stream_rows(partnership=partnership),
            "by_priority": selectors.funding_by(partnership=partnership, by="priority"),
            "split_rule": selectors.SPLIT_RULE,
            "multi_priority": selectors.multi_priority_projects(partnership=partnership),
            "by_organisation": selectors.funding_by(partnership=partnership, by="organisation"),
            "can_manage": can(request.user, "delivery.manage", partnership),
            "can_approve": can(request.user, "delivery.approve", partnership),
            "owed": selectors.returns_owed(partnership=partnership, user=request.user),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


def _funder_return(stream, rows):
    """One row per output or outcome of each project (or one row for a project without
    any), in the columns the stream declares."""
    columns = stream.columns
    table = []
    for row in rows:
        base = {
            "project": row.project.name,
            "organisation": row.project.organisation.name,
            "priority": row.project.priority_names,
            "start": row.project.start_date.isoformat(),
            "end": row.project.end_date.isoformat(),
            "status": row.project.get_status_display(),
            "award_gbp": pounds(row.award),
            "spend_gbp": pounds(row.spend),
        }
        measures = row.outputs + row.outcomes
        for m in measures or [None]:
            line = dict(base)
            if m is not None:
                line |= {
                    "measure": m.measure.name,
                    "kind": m.measure.get_kind_display(),
                    "unit": m.measure.unit,
                    "planned": m.measure.planned,
                    "actual": m.actual,
                    "evidence": "; ".join(f"{q}: {t}" for q, t in m.evidence),
                }
            table.append([line.get(c) for c in columns])
    return [EXPORT_COLUMNS[c] for c in columns], table


@partnership_view("delivery.view", post=True)
def stream_detail(request, partnership, stream_id: int):
    stream = selectors.stream_get(partnership=partnership, stream_id=stream_id)
    rows = selectors.project_rows(partnership=partnership, stream=stream)
    if request.GET.get("format") in EXPORTS:
        header, table = _funder_return(stream, rows)
        return export_response(
            request.GET["format"],
            header,
            table,
            filename=f"{partnership.slug}-funder-return-{stream.financial_year.replace('/', '-')}",
            sheet_name="Funder return",
        )
    projects = list(partnership.projects.order_by("name"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            grant = services.grant_set(
                project=_pick(projects, request.POST.get("project"), "project"),
                stream=stream,
                by=request.user,
                amount_pence=_money(request.POST.get("amount", "")),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            note = " (over what was left: reason recorded)" if grant.over_reason else ""
            messages.success(request, f"Award to {grant.project} saved{note}.")
            return redirect("delivery:stream_detail", slug=partnership.slug, stream_id=stream.pk)
    awarded = sum(g.amount_pence for g in stream.grants.all())
    return render(
        request,
        "delivery/stream_detail.html",
        {
            "partnership": partnership,
            "stream": stream,
            "rows": rows,
            "grants": list(stream.grants.select_related("project", "project__organisation")),
            "awarded": awarded,
            "left": stream.amount_pence - awarded,
            "spent": sum(r.spend or 0 for r in rows),
            "projects": projects,
            "can_manage": can(request.user, "delivery.manage", partnership),
            "errors": errors,
            "posted": request.POST if errors else {},
            "history_url": audit_history_url(request.user, partnership, stream),
        },
        status=400 if errors else 200,
    )


@partnership_view("delivery.view")
def stream_achieved(request, partnership, stream_id: int):
    """What did the stream's money buy? Pounds, projects, outputs against plan, outcomes
    with evidence and verdicts, and the gaps shown as gaps."""
    stream = selectors.stream_get(partnership=partnership, stream_id=stream_id)
    return render(
        request,
        "delivery/stream_achieved.html",
        {
            "partnership": partnership,
            "stream": stream,
            "summary": selectors.achieved(partnership=partnership, stream=stream),
        },
    )


# --- projects --------------------------------------------------------------------------------


def _leads(partnership):
    return [
        m.user
        for m in Membership.objects.filter(partnership=partnership, role="lead").select_related(
            "user"
        )
    ]


@partnership_view("delivery.view", post=True)
def project_list(request, partnership):
    """Projects with their award, spend and outputs against plan; analysts add one."""
    rows = selectors.project_rows(partnership=partnership)
    if request.GET.get("format") in EXPORTS:
        header = ["project", "organisation", "priority", "status", "award_gbp", "spend_gbp",
                  "returns_approved", "returns_opened", "gaps"]  # fmt: skip
        table = [
            [
                r.project.name,
                r.project.organisation.name,
                r.project.priority_names,
                r.project.get_status_display(),
                pounds(r.award),
                pounds(r.spend),
                r.signed_off,
                len(r.returns),
                "; ".join(r.gaps),
            ]  # fmt: skip
            for r in rows
        ]
        return export_response(
            request.GET["format"], header, table, filename=f"{partnership.slug}-projects",
            sheet_name="Projects",
        )  # fmt: skip
    organisations = list(Organisation.objects.filter(partnership=partnership))
    priorities = priority_list(partnership=partnership)
    leads = _leads(partnership)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            lead_id = request.POST.get("lead", "")
            project = services.project_upsert(
                partnership=partnership,
                by=request.user,
                name=request.POST.get("name", ""),
                organisation=_pick(organisations, request.POST.get("organisation"), "organisation"),
                priorities=_pick_many(priorities, request.POST.getlist("priorities"), "priorities"),
                objectives=_pick_many(
                    _objectives(priorities), request.POST.getlist("objectives"), "objectives"
                ),
                start_date=_date(request.POST.get("start_date", ""), "start_date"),
                end_date=_date(request.POST.get("end_date", ""), "end_date"),
                lead=_pick(leads, lead_id, "lead") if lead_id else None,
                lead_role=request.POST.get("lead_role", ""),
                summary=request.POST.get("summary", ""),
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, f"Project {project} recorded.")
            return redirect("delivery:project_detail", slug=partnership.slug, project_id=project.pk)
    return render(
        request,
        "delivery/project_list.html",
        {
            "partnership": partnership,
            "rows": rows,
            "organisations": organisations,
            "priorities": priorities,
            "leads": leads,
            "chosen_priorities": {parse_id(t) for t in request.POST.getlist("priorities")},
            "chosen_objectives": {parse_id(t) for t in request.POST.getlist("objectives")},
            "can_manage": can(request.user, "delivery.manage", partnership),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@partnership_view("delivery.view", post=True)
def project_detail(request, partnership, project_id: int):
    project = selectors.project_get(partnership=partnership, project_id=project_id)
    priorities = priority_list(partnership=partnership)
    errors: dict[str, str] = {}
    form = request.POST.get("form", "")
    organisations = list(Organisation.objects.filter(partnership=partnership))
    leads = _leads(partnership)
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            if form == "details":
                done = _save_details(request, project, organisations, leads)
            elif form == "remove_measure":
                measure = next(
                    (
                        m
                        for m in project.measures.all()
                        if m.pk == parse_id(request.POST.get("measure"))
                    ),
                    None,
                )
                if measure is None:
                    raise Http404("No such measure in this project")
                if request.POST.get("confirm") != "yes":
                    raise ValidationError(
                        {
                            "remove": f"Tick the box to confirm that {measure.name} should be removed."
                        }
                    )
                services.measure_remove(measure=measure, by=request.user)
                done = f"{measure.name} was removed."
            elif form == "measure":
                indicator_code = request.POST.get("indicator", "")
                indicators = indicator_list(partnership=partnership)
                indicator = None
                if indicator_code:
                    indicator = next((i for i in indicators if i.code == indicator_code), None)
                    if indicator is None:
                        raise ValidationError({"indicator": "Choose one from the list."})
                services.measure_upsert(
                    project=project,
                    by=request.user,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""),
                    unit=request.POST.get("unit", ""),
                    planned=_whole(request.POST.get("planned", ""), "planned"),
                    indicator=indicator,
                )
                done = "Measure saved."
            elif form == "priorities":
                chosen = _pick_many(priorities, request.POST.getlist("priorities"), "priorities")
                services.project_upsert(
                    partnership=partnership,
                    by=request.user,
                    name=project.name,
                    organisation=project.organisation,
                    priorities=chosen,
                    objectives=_pick_many(
                        _objectives(priorities), request.POST.getlist("objectives"), "objectives"
                    ),
                    start_date=project.start_date,
                    end_date=project.end_date,
                    lead=project.lead,
                    lead_role=project.lead_role,
                    summary=project.summary,
                    is_demo=project.is_demo,
                    status=project.status,
                )
                done = "Priorities and objectives saved."
            elif form == "status":
                services.project_upsert(
                    partnership=partnership,
                    by=request.user,
                    name=project.name,
                    organisation=project.organisation,
                    priorities=list(project.priorities.all()),
                    start_date=project.start_date,
                    end_date=project.end_date,
                    lead=project.lead,
                    lead_role=project.lead_role,
                    summary=project.summary,
                    is_demo=project.is_demo,
                    status=request.POST.get("status", ""),
                )
                done = "Status saved."
            else:
                raise ValidationError("Choose what to record.")
        except ValidationError as exc:
            errors = error_texts(exc)
            if form == "details":  # the details form's fields are named project_<field>
                errors = {f"project_{k}" if k in DETAILS else k: v for k, v in errors.items()}
        else:
            messages.success(request, done)
            return redirect("delivery:project_detail", slug=partnership.slug, project_id=project.pk)
        project.refresh_from_db()  # a refused change may have touched it: show what is stored
    row = selectors.project_rows(partnership=partnership, projects=[project])[0]
    return render(
        request,
        "delivery/project_detail.html",
        {
            "partnership": partnership,
            "project": project,
            "row": row,
            "grants": list(project.grants.select_related("stream")),
            "can_manage": can(request.user, "delivery.manage", partnership),
            "kinds": MeasureKind.choices,
            "statuses": ProjectStatus.choices,
            "priorities": priorities,
            "chosen_priorities": {p.pk for p in project.priorities.all()},
            "chosen_objectives": {o.pk for o in project.objectives.all()},
            "indicators": indicator_list(partnership=partnership),
            "organisations": organisations,
            "leads": leads,
            "removable": _removable(project),
            "details": (
                {k: request.POST.get(f"project_{k}", "") for k in DETAILS}
                if form == "details" and errors
                else {
                    "name": project.name,
                    "organisation": str(project.organisation_id),
                    "lead": str(project.lead_id or ""),
                    "lead_role": project.lead_role,
                    "start_date": project.start_date.isoformat(),
                    "end_date": project.end_date.isoformat(),
                    "summary": project.summary,
                }
            ),
            "errors": errors,
            "posted": request.POST if errors else {},
            "form": form,
            "history_url": audit_history_url(request.user, partnership, project),
        },
        status=400 if errors else 200,
    )


#: The fields of the project details form (posted as project_<field>).
DETAILS = ("name", "organisation", "lead", "lead_role", "start_date", "end_date", "summary")


def _save_details(request, project, organisations, leads) -> str:
    def posted(field: str) -> str:
        return request.POST.get(f"project_{field}", "")

    services.project_update(
        project=project,
        by=request.user,
        name=posted("name"),
        organisation=_pick(organisations, posted("organisation"), "organisation"),
        lead=_pick(leads, posted("lead"), "lead") if posted("lead") else None,
        lead_role=posted("lead_role"),
        start_date=_date(posted("start_date"), "start_date"),
        end_date=_date(posted("end_date"), "end_date"),
        summary=posted("summary"),
    )
    return "Project details saved."


def _removable(project) -> list:
    """Each measure, and whether a return holds a figure for it (then it stays)."""
    held = set(project.measures.filter(lines__value__isnull=False).values_list("pk", flat=True))
    return [(m, m.pk in held) for m in project.measures.all()]


# --- monitoring returns ----------------------------------------------------------------------


@partnership_view("delivery.view", post=True)
def return_detail(request, partnership, return_id: int):
    ret = selectors.return_get(partnership=partnership, return_id=return_id)
    project = ret.project
    measures = list(project.measures.all())
    lines = {line.measure_id: line for line in ret.lines.all()}
    is_lead = can_submit_project(request.user, project)
    can_approve = can(request.user, "delivery.approve", partnership)
    may_correct = can_correct_project(request.user, project) and ret.is_signed_off
    errors: dict[str, str] = {}
    posted = None
    if request.method == "POST":
        if not (is_lead or can_approve):
            raise PermissionDenied("Only the project's lead and the analysts act on a return.")
        action = request.POST.get("action")
        values = {m.pk: request.POST.get(f"value-{m.pk}", "") for m in measures}
        evidence = {m.pk: request.POST.get(f"evidence-{m.pk}", "") for m in measures}
        posted = {
            "values": values,
            "evidence": evidence,
            "spend": request.POST.get("spend", ""),
            "narrative": request.POST.get("narrative", ""),
        }
        try:
            if action in {"save", "submit"}:
                if not is_lead:
                    raise PermissionDenied("Only the project's lead can enter its return.")
                spend = posted["spend"].strip()
                service = (
                    services.monitoring_submit if action == "submit" else services.monitoring_save
                )
                service(
                    ret=ret,
                    by=request.user,
                    values=values,
                    evidence=evidence,
                    spend_pence=_money(spend, "spend") if spend else None,
                    narrative=posted["narrative"],
                )
                done = "Return submitted to the analyst." if action == "submit" else "Draft saved."
            elif action == "approve":
                services.monitoring_approve(
                    ret=ret, by=request.user, comment=request.POST.get("comment", "")
                )
                done = "Return approved: its figures now count towards the project's outputs."
            elif action == "return":
                services.monitoring_send_back(
                    ret=ret, by=request.user, comment=request.POST.get("comment", "")
                )
                done = "Return sent back to the project lead with your comment."
            elif action == "correct":
                services.monitoring_correct(
                    ret=ret, by=request.user, values=values, reason=request.POST.get("reason", "")
                )
                done = "Correction saved; the earlier figures are kept in the history."
            else:
                raise ValidationError("Choose what to do with the return.")
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, done)
            return redirect("delivery:return_detail", slug=partnership.slug, return_id=ret.pk)
    editable = is_lead and ret.status in workflow.EDITABLE
    rows = []
    for m in measures:
        line = lines.get(m.pk)
        value = "" if line is None or line.value is None else str(line.value)
        evidence = "" if line is None else line.evidence
        if posted is not None:
            value, evidence = posted["values"][m.pk], posted["evidence"][m.pk]
        rows.append(
            {"measure": m, "value": value, "evidence": evidence,
             "error": errors.get(f"value-{m.pk}", "")}
        )  # fmt: skip
    spend = "" if ret.spend_pence is None else pounds(ret.spend_pence).lstrip("£")
    return render(
        request,
        "delivery/return_detail.html",
        {
            "partnership": partnership,
            "ret": ret,
            "project": project,
            "rows": rows,
            "spend": posted["spend"] if posted else spend,
            "narrative": posted["narrative"] if posted else ret.narrative,
            "editable": editable,
            "can_decide": can_approve and ret.status == ReturnStatus.SUBMITTED,
            "may_correct": may_correct,
            "events": list(ret.events.select_related("actor")),
            "errors": errors,
            "history_url": audit_history_url(request.user, partnership, ret),
        },
        status=400 if errors else 200,
    )


@partnership_view("delivery.approve")
def late(request, partnership):
    return render(
        request,
        "delivery/late.html",
        {
            "partnership": partnership,
            "late": selectors.returns_late(partnership=partnership),
            "awaiting": selectors.returns_awaiting(partnership=partnership),
            "submitted_late": selectors.returns_submitted_late(partnership=partnership),
        },
    )


# --- communications, training and engagement -------------------------------------------------


@accepts_upload(action="delivery.manage")
@partnership_view("delivery.view", post=True)
def communications(request, partnership):
    rows = selectors.communications(partnership=partnership)
    if request.GET.get("format") in EXPORTS:
        return export_response(
            request.GET["format"],
            ["date", "kind", "title", "audience", "priority", "reach", "link"],
            [[r.date.isoformat(), r.get_kind_display(), r.title, r.audience,
              r.priority.name if r.priority else "", r.reach, r.link] for r in rows],
            filename=f"{partnership.slug}-communications",
            sheet_name="Communications",
        )  # fmt: skip
    priorities = priority_list(partnership=partnership)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            priority_id = request.POST.get("priority", "")
            services.communication_add(
                partnership=partnership,
                by=request.user,
                kind=request.POST.get("kind", "") or Communication.Kind.BULLETIN,
                date=_date(request.POST.get("date", ""), "date"),
                title=request.POST.get("title", ""),
                audience=request.POST.get("audience", ""),
                reach=_whole(request.POST.get("reach", ""), "reach"),
                priority=_pick(priorities, priority_id, "priority") if priority_id else None,
                link=request.POST.get("link", "").strip(),
                upload=request.FILES.get("file"),
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, "Added to the communications log.")
            return redirect("delivery:communications", slug=partnership.slug)
    return render(
        request,
        "delivery/communications.html",
        {
            "partnership": partnership,
            "rows": rows,
            "reach": selectors.reach_total(rows),
            "priorities": priorities,
            "kinds": Communication.Kind.choices,
            "max_file": size_text(documents.max_bytes()),
            "can_manage": can(request.user, "delivery.manage", partnership),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@partnership_view("delivery.view")
def communication_file(request, partnership, communication_id: int):
    """The file attached to a communication, as a download (attachment, its checked type,
    nosniff: `core.documents.download_response`, as meeting papers are served)."""
    row = selectors.communication_get(partnership=partnership, communication_id=communication_id)
    if not row.file_path:
        raise Http404("No file is attached")
    return documents.download_response(row.file_path, name=row.file_name, kind_key=row.file_kind)


@partnership_view("delivery.view", post=True)
def engagement(request, partnership):
    rows = selectors.activities(partnership=partnership)
    if request.GET.get("format") in EXPORTS:
        return export_response(
            request.GET["format"],
            ["date", "kind", "title", "provider", "audience", "sessions", "people",
             "organisations", "priority"],
            [[r.date.isoformat(), r.get_kind_display(), r.title, r.provider, r.audience,
              r.sessions, r.people, r.organisations, r.priority.name if r.priority else ""]
             for r in rows],
            filename=f"{partnership.slug}-training-engagement",
            sheet_name="Training and engagement",
        )  # fmt: skip
    priorities = priority_list(partnership=partnership)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "delivery.manage", partnership)
        try:
            kind = request.POST.get("kind", "")
            if kind not in Activity.Kind.values:
                raise ValidationError({"kind": "Choose training or engagement."})
            priority_id = request.POST.get("priority", "")
            services.activity_add(
                partnership=partnership,
                by=request.user,
                kind=kind,
                date=_date(request.POST.get("date", ""), "date"),
                title=request.POST.get("title", ""),
                provider=request.POST.get("provider", ""),
                audience=request.POST.get("audience", ""),
                sessions=_whole(request.POST.get("sessions", ""), "sessions"),
                people=_whole(request.POST.get("people", ""), "people"),
                organisations=request.POST.get("organisations", ""),
                priority=_pick(priorities, priority_id, "priority") if priority_id else None,
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, "Added to the training and engagement log.")
            return redirect("delivery:engagement", slug=partnership.slug)
    return render(
        request,
        "delivery/engagement.html",
        {
            "partnership": partnership,
            "training": [r for r in rows if r.kind == Activity.Kind.TRAINING],
            "engagement": [r for r in rows if r.kind == Activity.Kind.ENGAGEMENT],
            "priorities": priorities,
            "kinds": Activity.Kind.choices,
            "can_manage": can(request.user, "delivery.manage", partnership),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


# --- editing streams and awards --------------------------------------------------------------


@partnership_view("delivery.manage", post=True)
def stream_edit(request, partnership, stream_id: int):
    """Change a funding stream: name, funder, year, amount, conditions, reporting schedule
    and the columns of its funder return."""
    stream = selectors.stream_get(partnership=partnership, stream_id=stream_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            stream = services.stream_update(
                stream=stream,
                by=request.user,
                **_stream_posted(request),
                reporting_schedule=request.POST.get("reporting_schedule", ""),
                export_columns=request.POST.getlist("export_columns"),
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, f"Funding stream {stream} saved.")
            return redirect("delivery:stream_detail", slug=partnership.slug, stream_id=stream.pk)
    if errors:
        values = request.POST
        columns = request.POST.getlist("export_columns")
    else:
        values = {
            "name": stream.name,
            "funder": stream.funder,
            "financial_year": stream.financial_year,
            "amount": pounds(stream.amount_pence).lstrip("£"),
            "conditions": stream.conditions,
            "reporting_schedule": stream.reporting_schedule,
        }
        columns = stream.columns
    return render(
        request,
        "delivery/stream_edit.html",
        {
            "partnership": partnership,
            "stream": stream,
            "values": values,
            "columns": [(key, label, key in columns) for key, label in EXPORT_COLUMNS.items()],
            "amount_hint": "In pounds; at least what is already awarded: "
            f"{pounds(sum(g.amount_pence for g in stream.grants.all()))}.",
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("delivery.manage", post=True)
def grant_remove(request, partnership, grant_id: int):
    """Withdraw an award, after confirmation (confirm=yes)."""
    grant = selectors.grant_get(partnership=partnership, grant_id=grant_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            errors = {"confirm": "Tick the box to confirm the award is withdrawn."}
        else:
            stream_id = grant.stream_id
            services.grant_remove(grant=grant, by=request.user)
            messages.success(request, f"The award to {grant.project} was withdrawn.")
            return redirect("delivery:stream_detail", slug=partnership.slug, stream_id=stream_id)
    return render(
        request,
        "delivery/grant_remove.html",
        {"partnership": partnership, "grant": grant, "errors": errors},
        status=400 if errors else 200,
    )
