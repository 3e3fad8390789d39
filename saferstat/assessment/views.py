"""Pages of the strategic assessment (thin: forms are read here, the services decide)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from saferstat.analytics import assessment as calc
from saferstat.analytics import figures
from saferstat.analytics.plan_diff import plan_diff
from saferstat.analytics.policeuk import CRIME_TYPES
from saferstat.core.permissions import can, require
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import error_texts, parse_id, partnership_view
from saferstat.intelligence.models import PartnerDataset, SavedView
from saferstat.plan.selectors import plan_current, plan_snapshot

from . import frozen, printing, selectors, services
from .models import Evidence, PlanRefresh, ScoreSheet, TensionReport


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
            errors = error_texts(exc, sep="; ")
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
            errors = error_texts(exc, sep="; ")
        else:
            return redirect("assessment:detail", slug=partnership.slug, pk=assessment.pk)
    ranking = selectors.ranking(assessment)
    limits = selectors.matrix_limits(assessment.scoring)
    return render(
        request,
        "assessment/detail.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "matrix": assessment.scoring,
            "ranking": ranking,
            "priority_rows": selectors.priority_rows(ranking),
            "risk_max": limits[0],
            "capacity_max": limits[1],
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
            elif form == "crime_types":
                require(user, "assessment.manage", partnership)
                services.issue_crime_types_set(
                    issue=issue, by=user, crime_types=request.POST.getlist("crime_type")
                )
                messages.success(request, "The issue's police.uk crime types are saved.")
            elif form == "concern_themes":
                require(user, "assessment.manage", partnership)
                services.issue_concern_themes_set(
                    issue=issue, by=user, themes=request.POST.getlist("concern_theme")
                )
                messages.success(
                    request, "The consultation themes counted for the issue are saved."
                )
            elif form == "propose":
                require(user, "assessment.manage", partnership)
                made, skipped = services.proposals_make(issue=issue, by=user)
                text = (
                    f"{len(made)} score(s) proposed from the data, each citing its frozen figures."
                )
                if skipped:
                    text += " Not proposed: " + " ".join(skipped)
                messages.success(request, text)
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
                    overrides={
                        d.key: request.POST.get(f"override-{d.key}", "") for d in matrix.dimensions
                    },
                    submit=request.POST.get("submit") == "1",
                )
                messages.success(request, "Your scores are saved.")
        except ValidationError as exc:
            errors = error_texts(exc, sep="; ")
        else:
            return redirect("assessment:issue", slug=partnership.slug, pk=pk, issue_pk=issue.pk)
    own = issue.sheets.filter(scorer=user).first() if user.is_authenticated else None
    if own is not None and own.matrix_version != assessment.matrix_version:
        own = None  # scored on an earlier matrix: scored again from blank
    proposals = {p.dimension: p for p in issue.proposals.select_related("evidence")}
    visible = services.sheets_visible(user, issue)
    sheets = selectors.submitted_sheets(issue) if visible else []
    spreads = calc.disagreement([s.values for s in sheets], matrix) if sheets else []
    evidence = list(issue.evidence.select_related("saved_view", "dataset", "frozen_view"))
    matrix_keys = {d.key for d in matrix.dimensions}
    evidence_by_id = {e.pk: e for e in evidence}
    dims = []
    for d in matrix.dimensions:
        proposal = proposals.get(d.key)
        if posted is not None:
            value = posted.get(f"score-{d.key}", "")
            reason = posted.get(f"reason-{d.key}", "")
            override = posted.get(f"override-{d.key}", "")
            cited = {parse_id(v) for v in posted.getlist(f"evidence-{d.key}")}
        else:
            value = str(own.values.get(d.key, "")) if own else ""
            if not value and proposal is not None:
                value = str(proposal.points)
            reason = own.reasons.get(d.key, "") if own else ""
            override = own.overrides.get(d.key, {}).get("reason", "") if own else ""
            cited = set(own.evidence.get(d.key, [])) if own else set()
        dims.append(
            {
                "d": d,
                "points": [(d.low + i, text) for i, text in enumerate(d.scale)]
                or [(v, "") for v in range(d.low, d.high + 1)],
                "value": value,
                "reason": reason,
                "cited": cited,
                "proposal": proposal,
                "override": override,
                "score_error": errors.get(f"score-{d.key}", ""),
                "override_error": errors.get(f"override-{d.key}", ""),
            }
        )
    table = [
        {
            "sheet": s,
            "score": calc.score(s.values, matrix),
            "reasons": [
                (
                    d,
                    s.values.get(d.key),
                    s.reasons.get(d.key, ""),
                    s.evidence.get(d.key, []),
                    s.overrides.get(d.key),
                )
                for d in matrix.dimensions
            ],
        }
        for s in sheets
    ]
    earlier = selectors.earlier_sheets(issue) if visible else []
    earlier_table = [
        {
            "sheet": s,
            "score": calc.score(s.values, services.matrix_of(assessment, s.matrix_version)),
        }
        for s in earlier
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
            "kinds": [(k, label) for k, label in Evidence.Kind.choices if k != Evidence.Kind.DATA],
            "proposals": [(matrix.get(k), p) for k, p in proposals.items() if k in matrix_keys],
            "earlier": earlier_table,
            "crime_types": CRIME_TYPES,
            "concern_themes": services.concern_themes_of(issue),
            "known_themes": selectors.assessment_themes(assessment, also=issue.concern_themes),
            "as_now": {
                e.pk: frozen.explorer_url(partnership.slug, e.frozen_view.query)
                for e in evidence
                if e.frozen_view_id
            },
            "as_frozen": {
                e.pk: frozen.explorer_url(partnership.slug, e.frozen_view.figures["resolved_query"])
                for e in evidence
                if e.frozen_view_id and e.frozen_view.figures
            },
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
    if request.method == "POST" and request.POST.get("form") == "propose_concern":
        require(request.user, "assessment.manage", partnership)
        try:
            made = services.concern_propose_all(assessment=consultation.assessment, by=request.user)
        except ValidationError as exc:
            errors = error_texts(exc, sep="; ")
        else:
            messages.success(
                request,
                f"Public concern proposed for {len(made)} issue(s) from the responses; "
                "scorers accept or override it.",
            )
            return redirect("assessment:consultation", slug=partnership.slug, pk=pk)
    elif request.method == "POST":
        require(request.user, "assessment.manage", partnership)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": "Choose a survey export (CSV or XLSX) to import."})
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                added = services.responses_import(
                    consultation=consultation,
                    by=request.user,
                    path=path,
                    name=Path(upload.name or "responses.csv").name,
                    areas=selectors.ward_names(partnership),
                    themes=[i.name for i in consultation.assessment.issues.all()],
                )
        except ValidationError as exc:
            detail = exc.message_dict.get("file", []) if hasattr(exc, "message_dict") else []
            if len(detail) > 1:
                file_errors = detail
                errors = {"file": f"The file has {len(detail)} problems: nothing was imported."}
            else:
                errors = error_texts(exc, sep="; ")
        else:
            messages.success(request, f"{added:,} responses imported.")
            return redirect("assessment:consultation", slug=partnership.slug, pk=pk)
    groups, message = selectors.coverage(consultation)
    themes = calc.counts_by(consultation.responses.values("concern_theme"), "concern_theme")
    weight_by = [d for d in request.GET.getlist("weight_by") if d in calc.COVERAGE_GROUPS]
    reweighted = selectors.reweighted(consultation, weight_by or selectors.WEIGHT_BY_DEFAULT)
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
            "tagged": selectors.theme_counts(consultation),
            "with_free_text": selectors.free_text_responses(consultation).count(),
            "reweighted": reweighted,
            "weight_choices": list(calc.DIMENSION_LABELS.items()),
            "can_free_text": can(request.user, "assessment.free_text", partnership),
            "can_manage": can(request.user, "assessment.manage", partnership),
            "errors": errors,
            "file_errors": file_errors,
        },
        status=400 if errors else 200,
    )


RESPONSES_PER_PAGE = 25


@partnership_view("assessment.free_text", post=True)
def responses(request, partnership, pk: int):
    """The responses' free text, tagged by theme (analysts and admins only: personal data,
    never published)."""
    consultation = selectors.consultation_get(partnership=partnership, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.POST.get("form")
        try:
            if form == "themes":
                services.consultation_themes_set(
                    consultation=consultation,
                    by=request.user,
                    themes=request.POST.get("themes", "").splitlines(),
                )
                messages.success(request, "The consultation's themes are saved.")
            elif form == "tag":
                response = selectors.response_get(
                    consultation=consultation, pk=parse_id(request.POST.get("response")) or 0
                )
                services.response_tag(
                    response=response, by=request.user, tags=request.POST.getlist("tag")
                )
                messages.success(request, f"Response {response.pk} is tagged.")
            else:
                raise _unknown_form()
        except ValidationError as exc:
            errors = error_texts(exc, sep="; ")
        else:
            return redirect(request.get_full_path())
    untagged = request.GET.get("untagged") == "1"
    page = Paginator(
        selectors.free_text_responses(consultation, untagged=untagged), RESPONSES_PER_PAGE
    ).get_page(request.GET.get("page"))
    themes = selectors.themes_for(consultation)
    return render(
        request,
        "assessment/responses.html",
        {
            "partnership": partnership,
            "assessment": consultation.assessment,
            "consultation": consultation,
            "page": page,
            "untagged": untagged,
            "themes": themes,
            "own_themes": bool(consultation.themes),
            "themes_text": "\n".join(consultation.themes),
            "tagged": selectors.theme_counts(consultation),
            "errors": errors,
            "form": request.POST if errors else {},
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
            errors = error_texts(exc, sep="; ")
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
            errors = error_texts(exc, sep="; ")
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
            errors = error_texts(exc, sep="; ")
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


# --- the assessment document ----------------------------------------------------------------


@partnership_view("assessment.view", post=True)
def document(request, partnership, pk: int):
    """The strategic assessment as a document: sections of text, each embedding explorer
    views (chart, table, method notes) that are frozen at sign-off."""
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    user = request.user
    errors: dict[str, str] = {}
    sign_off_errors: list[str] = []
    if request.method == "POST":
        form = request.POST.get("form")
        require(
            user, "assessment.sign_off" if form == "sign_off" else "assessment.manage", partnership
        )
        try:
            if form == "text":
                services.section_text_set(
                    assessment=assessment,
                    by=user,
                    key=request.POST.get("section", ""),
                    text=request.POST.get("text", ""),
                )
                messages.success(request, "The section's text is saved.")
            elif form == "embed":
                services.view_embed(
                    assessment=assessment,
                    by=user,
                    key=request.POST.get("section", ""),
                    title=request.POST.get("title", ""),
                    query=request.POST.get("query", ""),
                )
                messages.success(
                    request, "The view is embedded; it shows today's figures until sign-off."
                )
            elif form == "remove":
                view = selectors.document_view_get(
                    assessment=assessment, pk=parse_id(request.POST.get("view")) or 0
                )
                services.view_remove(view=view, by=user)
                messages.success(request, "The view is removed from the document.")
            elif form == "sign_off":
                services.sign_off(assessment=assessment, by=user)
                messages.success(request, "The document is signed off: its figures are frozen.")
            else:
                raise _unknown_form()
        except ValidationError as exc:
            detail = exc.message_dict.get("form", []) if hasattr(exc, "message_dict") else []
            if form == "sign_off" and detail:
                sign_off_errors = detail
                errors = {"form": "Some views cannot be frozen: nothing was signed off."}
            else:
                section = request.POST.get("section", "")
                errors = {
                    (f"{k}-{section}" if k in ("title", "query", "text") else k): v
                    for k, v in error_texts(exc, sep="; ").items()
                }
        else:
            return redirect("assessment:document", slug=partnership.slug, pk=pk)
    return render(
        request,
        "assessment/document.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "sections": selectors.document(assessment),
            "can_manage": can(user, "assessment.manage", partnership)
            and not assessment.is_signed_off,
            "can_sign_off": can(user, "assessment.sign_off", partnership)
            and not assessment.is_signed_off,
            "errors": errors,
            "sign_off_errors": sign_off_errors,
            "form": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@partnership_view("assessment.view")
def document_chart(request, partnership, pk: int, view_pk: int):
    """An embedded view's chart as SVG: the frozen one once signed off, today's before."""
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    view = selectors.document_view_get(assessment=assessment, pk=view_pk)
    figures, message = frozen.figures_of(view)
    if figures is None or not figures.get("chart"):
        raise Http404(message or "This view has no chart")
    response = HttpResponse(figures["chart"]["svg"], content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@partnership_view("assessment.view")
def document_pdf(request, partnership, pk: int):
    """The signed document as a tagged PDF with an annex of the frozen tables."""
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    if not assessment.is_signed_off:
        raise Http404("The document is not signed off yet: its PDF comes with the sign-off.")
    content = printing.pdf_bytes(
        assessment,
        site=request.build_absolute_uri("/"),
        sections=selectors.document(assessment),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{slugify(assessment.title)}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@partnership_view("assessment.view")
def priority_chart(request, partnership, pk: int):
    """The priority matrix chart (risk against capacity gap) as SVG."""
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    rows = selectors.priority_rows(selectors.ranking(assessment))
    if not rows:
        raise Http404("No issue has been scored yet")
    risk_max, capacity_max = selectors.matrix_limits(assessment.scoring)
    figure = figures.priority_matrix_chart(rows, risk_max=risk_max, capacity_max=capacity_max)
    response = HttpResponse(figure.svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- the scoring matrix ---------------------------------------------------------------------

MATRIX_NEW_ROWS = 1


def _matrix_from_post(post, current: calc.Matrix) -> tuple[dict, dict[str, str]]:
    """The matrix the form describes, and the fields it could not read."""
    errors: dict[str, str] = {}
    dims = []
    keys = [d.key for d in current.dimensions]
    for i in range(len(keys) + MATRIX_NEW_ROWS):
        label = post.get(f"label-{i}", "").strip()
        if i >= len(keys) and not label:
            continue  # the blank row for a new dimension, left blank
        if post.get(f"remove-{i}") == "1":
            continue
        key = keys[i] if i < len(keys) else re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        scale = [line.strip() for line in post.get(f"scale-{i}", "").splitlines() if line.strip()]
        try:
            weight = float(post.get(f"weight-{i}", "").strip())
        except ValueError:
            errors[f"weight-{i}"] = (
                f"{label or 'The new dimension'}: give the weight as a number, for example 1 or 1.5."
            )
            continue
        if not label:
            errors[f"label-{i}"] = "Name the dimension."
            continue
        if len(scale) < 2:
            errors[f"scale-{i}"] = (
                f"{label}: describe at least two points of the scale, one a line."
            )
            continue
        dims.append(
            {
                "key": key[:40] or "dimension",
                "label": label[:200],
                "group": post.get(f"group-{i}", ""),
                "low": 1,
                "high": len(scale),
                "weight": weight,
                "scale": [s[:200] for s in scale],
            }
        )
    raw = post.get("disagreement", "").strip()
    if not raw.isdigit():
        errors["disagreement"] = "Give the disagreement threshold as a whole number of points."
    return {"dimensions": dims, "disagreement": int(raw) if raw.isdigit() else 0}, errors


@partnership_view("assessment.view", post=True)
def matrix(request, partnership, pk: int):
    """The scoring matrix: its dimensions, scales and weights (edited by the partnership's
    admin; each edit is a new version, and scores keep the version they were given on)."""
    assessment = selectors.assessment_get(partnership=partnership, pk=pk)
    current = assessment.scoring
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "assessment.matrix_edit", partnership)
        data, errors = _matrix_from_post(request.POST, current)
        if not errors:
            try:
                version = services.matrix_set(
                    assessment=assessment,
                    by=request.user,
                    data=data,
                    note=request.POST.get("note", ""),
                )
            except ValidationError as exc:
                errors = error_texts(exc, sep="; ")
            else:
                messages.success(request, f"The matrix is now version {version.number}.")
                return redirect("assessment:matrix", slug=partnership.slug, pk=pk)
    posted = request.POST if errors else None
    rows = []
    for i, d in enumerate([*current.dimensions, *([None] * MATRIX_NEW_ROWS)]):
        rows.append(
            {
                "i": i,
                "d": d,
                "label": posted.get(f"label-{i}", "") if posted else (d.label if d else ""),
                "group": posted.get(f"group-{i}", "") if posted else (d.group if d else "harm"),
                "weight": posted.get(f"weight-{i}", "")
                if posted
                else (f"{d.weight:g}" if d else "1"),
                "scale": posted.get(f"scale-{i}", "")
                if posted
                else ("\n".join(d.scale) if d else ""),
                "remove": bool(posted and posted.get(f"remove-{i}") == "1"),
            }
        )
    versions = list(assessment.matrix_versions.select_related("created_by"))
    return render(
        request,
        "assessment/matrix.html",
        {
            "partnership": partnership,
            "assessment": assessment,
            "matrix": current,
            "rows": rows,
            "groups": calc.GROUPS,
            "versions": versions,
            "scored": ScoreSheet.objects.filter(issue__assessment=assessment).exists(),
            "can_edit": can(request.user, "assessment.matrix_edit", partnership),
            "disagreement": posted.get("disagreement", "") if posted else current.disagreement,
            "note": posted.get("note", "") if posted else "",
            "errors": errors,
        },
        status=400 if errors else 200,
    )
