"""Report pages: thin. Services write, selectors read, render.py makes PDFs and annexes.

A published report is open to everyone (its public, disclosure-controlled version; those
allowed see the true values); a draft only to members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from saferstat.analytics.disclosure import DEFAULT_POLICY
from saferstat.core.exports import FORMATS
from saferstat.core.permissions import can
from saferstat.core.selectors import partnership_get
from saferstat.core.views_helpers import SAFE_METHODS, partnership_view

from . import render as rendering
from . import selectors, services
from .forms import ReportForm
from .sections import narrative_keys, sections_for

FORMAT_LABELS = [("xlsx", "Excel"), ("ods", "OpenDocument"), ("csv", "CSV")]


def _readable_report(request, slug: str, report_id: int):
    """The partnership and the report if this reader may see it: a published one anyone, a
    draft members (others: sign in, or 403). Then only GET and HEAD are answered."""
    partnership = partnership_get(slug=slug)
    report = selectors.published_list(partnership).filter(pk=report_id).first()
    if report is None:
        if not can(request.user, "reports.view", partnership):
            if not request.user.is_authenticated:
                return None, None, redirect_to_login(request.get_full_path())
            raise PermissionDenied("Not allowed: reports.view")
        report = selectors.report_get(partnership, report_id)
    if request.method not in SAFE_METHODS:
        return None, None, HttpResponseNotAllowed(SAFE_METHODS)
    return partnership, report, None


def _public(request, report) -> bool:
    """Whether to show the public version: always for those who may not see true values;
    on request (``?as=public``) for those who may."""
    return not selectors.sees_true_values(request.user, report) or request.GET.get("as") == "public"


@partnership_view("reports.view", post=True)
def index(request, partnership):
    can_draft = can(request.user, "reports.draft", partnership)
    form = None
    if can_draft:
        form = ReportForm(request.POST if request.method == "POST" else None)
    elif request.method == "POST":
        raise PermissionDenied("Not allowed: reports.draft")
    if form is not None and form.is_bound and form.is_valid():
        try:
            report = services.report_create(
                partnership=partnership, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The report was started.")
            return redirect("reports:detail", slug=partnership.slug, report_id=report.pk)
    return render(
        request,
        "reports/index.html",
        {
            "partnership": partnership,
            "reports": selectors.report_list(partnership),
            "form": form,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def detail(request, slug: str, report_id: int):
    partnership, report, response = _readable_report(request, slug, report_id)
    if response is not None:
        return response
    public = _public(request, report)
    sections = selectors.sections_of(report, public=public)
    return render(
        request,
        "reports/detail.html",
        {
            "partnership": partnership,
            "report": report,
            "sections": sections,
            "narrative": (report.build_info or {}).get("narrative") or report.narrative,
            "public": public,
            "formats": FORMAT_LABELS,
            "can_draft": can(request.user, "reports.draft", partnership),
            "can_publish": can(request.user, "reports.publish", partnership),
            "can_internal": selectors.sees_true_values(request.user, report),
        },
    )


def pdf(request, slug: str, report_id: int):
    partnership, report, response = _readable_report(request, slug, report_id)
    if response is not None:
        return response
    public = _public(request, report)
    content = rendering.pdf_bytes(
        report, selectors.sections_of(report, public=public), public=public
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{slugify(report.title)}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def annex(request, slug: str, report_id: int):
    partnership, report, response = _readable_report(request, slug, report_id)
    if response is not None:
        return response
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404("No such format")
    public = _public(request, report)
    content = rendering.annex(report, selectors.sections_of(report, public=public), fmt)
    content_type, extension = FORMATS[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{slugify(report.title)}-annex.{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@partnership_view("reports.draft", post=True)
def edit(request, partnership, report_id: int):
    report = selectors.report_get(partnership, report_id)
    keys = narrative_keys(report.kind, partnership)
    errors = []
    if request.method == "POST":
        texts = {key: request.POST[key] for key, _ in keys if key in request.POST}
        if not texts:
            errors.append("Nothing was sent: write the narrative in the boxes.")
        else:
            try:
                services.report_narrative_set(report=report, by=request.user, texts=texts)
            except ValidationError as exc:
                errors += exc.messages
            else:
                messages.success(request, "The narrative was saved.")
                return redirect("reports:detail", slug=partnership.slug, report_id=report.pk)
    fields = [(key, label, report.narrative.get(key, "")) for key, label in keys]
    return render(
        request,
        "reports/edit.html",
        {"partnership": partnership, "report": report, "fields": fields, "errors": errors},
        status=400 if errors else 200,
    )


@partnership_view("reports.publish", post=True)
def publish(request, partnership, report_id: int):
    report = selectors.report_get(partnership, report_id)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Confirm to publish.")
            return redirect("reports:publish", slug=partnership.slug, report_id=report.pk)
        try:
            services.report_publish(report=report, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The report is published and open to the public.")
        return redirect("reports:detail", slug=partnership.slug, report_id=report.pk)
    if report.is_published:
        suppressions = (report.build_info or {}).get("suppressions", [])
    else:
        suppressions = selectors.disclose(selectors.build_sections(report))[1]
    return render(
        request,
        "reports/publish.html",
        {
            "partnership": partnership,
            "report": report,
            "suppressions": suppressions,
            "policy": DEFAULT_POLICY.describe(),
            "unavailable": [s.title for s in sections_for(report.kind) if not s.available],
        },
    )


def archive(request, slug: str):
    """Published reports by year: open to everyone once anything is published; until then
    to members only (so it says nothing of a partnership to outsiders)."""
    partnership = partnership_get(slug=slug)
    reports = list(selectors.published_list(partnership).order_by("-period", "kind"))
    if not reports and not can(request.user, "reports.view", partnership):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Not allowed: reports.view")
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    for r in reports:
        r.year = r.period.split("-Q")[0]
    return render(request, "reports/archive.html", {"partnership": partnership, "reports": reports})
