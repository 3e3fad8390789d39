"""Pages of the strategic assessment (thin: forms are read here, the services decide)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from saferstat.analytics import assessment as calc
from saferstat.analytics.plan_diff import plan_diff
from saferstat.core.permissions import can, require
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import parse_id, partnership_view
from saferstat.intelligence.models import PartnerDataset, SavedView
from saferstat.plan.selectors import plan_current, plan_snapshot

from . import selectors, services
from .models import Evidence, PlanRefresh, TensionReport


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "message_dict"):
        return {k: "; ".join(v) for k, v in exc.message_dict.items()}
    return {"form": "; ".join(exc.messages)}


def _date(text: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError({field: "Give a date as YYYY-MM-DD."}) from None


def _unknown_form() -> ValidationError:
    return ValidationError({"form": "Nothing was sent: fill in one of the forms."})


@partnership_view("assessment.view", post=True)
def index(request, partnership):
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "assessment.manage", partnership)
        try:
            assessment = services.assessment_create(
                partnership=partnership,
                by=request.user,
                year=request.POST.get("year", "").strip(),
                title=request.POST.get("title", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:detail", slug=partnership.slug, pk=assessment.pk)
    return render(
        request,
        "assessment/index.html",
        {
            "partnership": partnership,
            "assessments": selectors.assessment_list(partnership=partnership),
            "can_manage": can(request.user, "assessment.manage", partnership),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("assessment.view", post=True)
def detail(request, partnership, pk: int):
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "assessment.manage", partnership)
        form = request.POST.get("form")
        try:
            if form == "issue":
                services.issue_add(
                    assessment=assessment,
                    by=request.user,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                )
                messages.success(request, "The issue is a candidate; add its evidence next.")
            elif form == "choose":
                chosen = set(request.POST.getlist("chosen"))
                for issue in assessment.issues.all():
                    if (str(issue.pk) in chosen) != issue.chosen:
                        services.issue_choose(
                            issue=issue, by=request.user, chosen=str(issue.pk) in chosen
                        )
                messages.success(request, "The chosen priorities are saved.")
            elif form == "consultation":
                consultation = services.consultation_create(
                    assessment=assessment,
                    by=request.user,
                    title=request.POST.get("title", ""),
                    starts_on=_date(request.POST.get("starts_on"), "starts_on"),
                    ends_on=_date(request.POST.get("ends_on"), "ends_on"),
                    methods=request.POST.get("methods", ""),
                )
                return redirect(
                    "assessment:consultation", slug=partnership.slug, pk=consultation.pk
                )
            else:
                raise _unknown_form()
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:detail", slug=partnership.slug, pk=assessment.pk)
    return render(
        request,
        "assessment/detail.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "matrix": assessment.scoring,
            "ranking": selectors.ranking(assessment),
            "consultations": list(assessment.consultations.all()),
            "refreshes": list(assessment.refreshes.all()),
            "can_manage": can(request.user, "assessment.manage", partnership),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("assessment.view", post=True)
def issue(request, partnership, pk: int, issue_pk: int):
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    issue = selectors.issue_get(assessment=assessment, pk=issue_pk)
    matrix = assessment.scoring
    user = request.user
    errors: dict[str, str] = {}
    posted = None
    if request.method == "POST":
        form = request.POST.get("form")
        try:
            if form == "evidence":
                require(user, "assessment.manage", partnership)
                view_id = parse_id(request.POST.get("saved_view"))
                dataset_id = parse_id(request.POST.get("dataset"))
                services.evidence_add(
                    issue=issue,
                    by=user,
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    saved_view=SavedView.objects.filter(
                        partnership=partnership, pk=view_id
                    ).first(),
                    dataset=PartnerDataset.objects.filter(
                        partnership=partnership, pk=dataset_id
                    ).first(),
                    url=request.POST.get("url", "").strip(),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, "The evidence is linked to the issue.")
            else:
                require(user, "assessment.score", partnership)
                if form != "score":
                    raise _unknown_form()
                posted = request.POST
                values = {}
                for d in matrix.dimensions:
                    raw = request.POST.get(f"score-{d.key}", "").strip()
                    values[d.key] = int(raw) if raw.isdigit() and len(raw) < 4 else None
                services.sheet_save(
                    issue=issue,
                    by=user,
                    values=values,
                    reasons={
                        d.key: request.POST.get(f"reason-{d.key}", "") for d in matrix.dimensions
                    },
                    evidence={
                        d.key: [
                            n
                            for n in (
                                parse_id(v) for v in request.POST.getlist(f"evidence-{d.key}")
                            )
                            if n is not None
                        ]
                        for d in matrix.dimensions
                    },
                    submit=request.POST.get("submit") == "1",
                )
                messages.success(request, "Your scores are saved.")
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:issue", slug=partnership.slug, pk=pk, issue_pk=issue.pk)
    own = issue.sheets.filter(scorer=user).first() if user.is_authenticated else None
    visible = services.sheets_visible(user, issue)
    sheets = selectors.submitted_sheets(issue) if visible else []
    spreads = calc.disagreement([s.values for s in sheets], matrix) if sheets else []
    evidence = list(issue.evidence.select_related("saved_view", "dataset"))
    evidence_by_id = {e.pk: e for e in evidence}
    dims = []
    for d in matrix.dimensions:
        if posted is not None:
            value = posted.get(f"score-{d.key}", "")
            reason = posted.get(f"reason-{d.key}", "")
            cited = {parse_id(v) for v in posted.getlist(f"evidence-{d.key}")}
        else:
            value = str(own.values.get(d.key, "")) if own else ""
            reason = own.reasons.get(d.key, "") if own else ""
            cited = set(own.evidence.get(d.key, [])) if own else set()
        dims.append(
            {
                "d": d,
                "points": [(d.low + i, text) for i, text in enumerate(d.scale)]
                or [(v, "") for v in range(d.low, d.high + 1)],
                "value": value,
                "reason": reason,
                "cited": cited,
            }
        )
    table = [
        {
            "sheet": s,
            "score": calc.score(s.values, matrix),
            "reasons": [
                (d, s.values.get(d.key), s.reasons.get(d.key, ""), s.evidence.get(d.key, []))
                for d in matrix.dimensions
            ],
        }
        for s in sheets
    ]
    return render(
        request,
        "assessment/issue.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "issue": issue,
            "matrix": matrix,
            "dims": dims,
            "own": own,
            "visible": visible,
            "table": table,
            "spreads": spreads,
            "evidence": evidence,
            "evidence_by_id": evidence_by_id,
            "saved_views": list(SavedView.objects.filter(partnership=partnership)),
            "datasets": list(PartnerDataset.objects.filter(partnership=partnership)),
            "kinds": Evidence.Kind.choices,
            "can_manage": can(user, "assessment.manage", partnership),
            "can_score": can(user, "assessment.score", partnership),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@accepts_upload
@partnership_view("assessment.view", post=True)
def consultation(request, partnership, pk: int):
    consultation = selectors.consultation_get(partnership=partnership, pk=pk)
    errors: dict[str, str] = {}
    file_errors: list[str] = []
    if request.method == "POST":
        require(request.user, "assessment.manage", partnership)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": "Choose a survey export (CSV) to import."})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    {"file": "The file is not UTF-8 text (save it as CSV UTF-8)."}
                ) from None
            added = services.responses_import(
                consultation=consultation,
                by=request.user,
                text=text,
                areas=selectors.ward_names(partnership),
                themes=[i.name for i in consultation.assessment.issues.all()],
            )
        except ValidationError as exc:
            detail = exc.message_dict.get("file", []) if hasattr(exc, "message_dict") else []
            if len(detail) > 1:
                file_errors = detail
                errors = {"file": f"The file has {len(detail)} problems: nothing was imported."}
            else:
                errors = _errors(exc)
        else:
            messages.success(request, f"{added:,} responses imported.")
            return redirect("assessment:consultation", slug=partnership.slug, pk=pk)
    groups, message = selectors.coverage(consultation)
    themes = calc.counts_by(consultation.responses.values("concern_theme"), "concern_theme")
    return render(
        request,
        "assessment/consultation.html",
        {
            "partnership": partnership,
            "assessment": consultation.assessment,
            "consultation": consultation,
            "total": consultation.responses.count(),
            "groups": groups,
            "census_message": message,
            "themes": sorted(themes.items(), key=lambda kv: -kv[1]),
            "can_manage": can(request.user, "assessment.manage", partnership),
            "errors": errors,
            "file_errors": file_errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("tension.summary", post=True)
def tension(request, partnership):
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "tension.record", partnership)
        try:
            report = services.tension_report_create(
                partnership=partnership,
                by=request.user,
                reported_on=_date(request.POST.get("reported_on"), "reported_on"),
                area=request.POST.get("area", ""),
                community=request.POST.get("community", ""),
                source=request.POST.get("source", ""),
                description=request.POST.get("description", ""),
                level=request.POST.get("level", ""),
                reasons=request.POST.get("reasons", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:tension_detail", slug=partnership.slug, pk=report.pk)
    can_view = can(request.user, "tension.view", partnership)
    return render(
        request,
        "assessment/tension.html",
        {
            "partnership": partnership,
            "summary": selectors.tension_summary(partnership=partnership),
            "levels": calc.TENSION_LEVELS,
            "reports": selectors.tension_list(partnership=partnership) if can_view else [],
            "can_view": can_view,
            "can_record": can(request.user, "tension.record", partnership),
            "level_choices": TensionReport.LEVELS,
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@partnership_view("tension.view", post=True)
def tension_detail(request, partnership, pk: int):
    report = selectors.tension_get(partnership=partnership, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "tension.record", partnership)
        try:
            services.tension_action_add(
                report=report,
                by=request.user,
                text=request.POST.get("text", ""),
                owner_role=request.POST.get("owner_role", ""),
                review_on=_date(request.POST.get("review_on"), "review_on"),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:tension_detail", slug=partnership.slug, pk=pk)
    else:
        services.tension_report_read(report=report, by=request.user)
    return render(
        request,
        "assessment/tension_detail.html",
        {
            "partnership": partnership,
            "report": report,
            "actions": list(report.actions.all()),
            "can_record": can(request.user, "tension.record", partnership),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("assessment.view", post=True)
def refresh(request, partnership, pk: int):
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    plan = plan_current(partnership=partnership)
    pending = assessment.refreshes.filter(status=PlanRefresh.Status.PROPOSED).first()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "review":
            require(request.user, "assessment.approve_refresh", partnership)
        else:
            require(request.user, "assessment.manage", partnership)
        try:
            if form == "propose":
                if plan is None:
                    raise ValidationError({"label": "There is no plan to refresh yet."})
                ranked = {
                    r.issue.key: r.ranked.rank for r in selectors.ranking(assessment) if r.ranked
                }
                services.refresh_propose(
                    assessment=assessment,
                    plan=plan,
                    by=request.user,
                    label=request.POST.get("label", ""),
                    ranked=ranked,
                )
                messages.success(request, "The refresh is proposed; an admin reviews it next.")
            elif form == "review" and pending is not None:
                decision = request.POST.get("decision")
                if decision not in ("apply", "return"):
                    raise ValidationError({"decision": "Apply it or send it back."})
                services.refresh_review(
                    refresh=pending,
                    by=request.user,
                    approve=decision == "apply",
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request,
                    "The plan has a new version from the assessment."
                    if decision == "apply"
                    else "The proposal is sent back.",
                )
            else:
                raise _unknown_form()
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("assessment:refresh", slug=partnership.slug, pk=pk)
    changes = plan_diff(plan_snapshot(plan), pending.proposal) if pending and plan else []
    return render(
        request,
        "assessment/refresh.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "plan": plan,
            "pending": pending,
            "changes": changes,
            "chosen": list(assessment.issues.filter(chosen=True)),
            "history": list(assessment.refreshes.select_related("proposed_by", "reviewed_by")),
            "can_propose": can(request.user, "assessment.manage", partnership),
            "can_review": can(request.user, "assessment.approve_refresh", partnership)
            and pending is not None
            and pending.proposed_by_id != request.user.pk,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
