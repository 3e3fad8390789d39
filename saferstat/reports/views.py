"""Report pages: thin. Services write, selectors read, render.py makes PDFs and annexes.

A published report is open to everyone (its public, disclosure-controlled version; those
allowed see the true values); a draft only to members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from saferstat.analytics.disclosure import BASES, MAX_THRESHOLD, MIN_THRESHOLD
from saferstat.core.exports import FORMATS
from saferstat.core.permissions import can
from saferstat.core.selectors import partnership_get
from saferstat.core.views_helpers import (
    SAFE_METHODS,
    audit_history_url,
    form_save,
    form_status,
    partnership_view,
    run_confirmed,
)

from . import render as rendering
from . import selectors, services
from .forms import PolicyForm, ReportForm, SupportServiceForm
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


def _reading(request, report):
    """What this reader reads: ``(version, sections, public)``. Outsiders read the published
    version only, in its public form. Members read ``?version=N`` or the latest built
    version; with none built yet, a preview built now (``version`` None)."""
    public = _public(request, report)
    if not can(request.user, "reports.view", report.partnership):
        version = report.published_version
        return version, selectors.version_sections(version, public=True), True
    number = request.GET.get("version")
    if number:
        version = selectors.version_get(report, number)
        if not version.is_built:
            raise Http404("This version is not built")
    else:
        version = selectors.latest_built(report)
    if version is None:
        return None, selectors.draft_sections(report, public=public), public
    return version, selectors.version_sections(version, public=public), public


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
            "can_contacts": can(request.user, "reports.contacts", partnership),
            "wards": selectors.ward_names(partnership) if form is not None else [],
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def detail(request, slug: str, report_id: int):
    partnership, report, response = _readable_report(request, slug, report_id)
    if response is not None:
        return response
    version, sections, public = _reading(request, report)
    member = can(request.user, "reports.view", partnership)
    return render(
        request,
        "reports/detail.html",
        {
            "partnership": partnership,
            "report": report,
            "version": version,
            "sections": sections,
            "narrative": version.narrative if version else report.narrative,
            "policy": selectors.version_policy(version)
            if version
            else selectors.policy_for(partnership),
            "public": public,
            "member": member,
            "building": selectors.version_building(report) if member else None,
            "formats": FORMAT_LABELS,
            "can_draft": can(request.user, "reports.draft", partnership),
            "can_publish": can(request.user, "reports.publish", partnership),
            "can_internal": selectors.sees_true_values(request.user, report),
            "query": _version_query(version, public),
        },
    )


def _version_query(version, public: bool) -> str:
    parts = []
    if version is not None:
        parts.append(f"version={version.number}")
    if public:
        parts.append("as=public")
    return "&".join(parts)


def pdf(request, slug: str, report_id: int):
    partnership, report, response = _readable_report(request, slug, report_id)
    if response is not None:
        return response
    version, sections, public = _reading(request, report)
    content = rendering.pdf_bytes(report, sections, public=public, version=version)
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
    version, sections, public = _reading(request, report)
    content = rendering.annex(report, sections, fmt, version=version)
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
    """The pre-publication check of a built version (default: the latest): every
    suppression and why; then publish it (it replaces the published one)."""
    report = selectors.report_get(partnership, report_id)
    number = request.POST.get("version") or request.GET.get("version")
    version = selectors.version_get(report, number) if number else selectors.latest_built(report)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes" or version is None:
            messages.error(request, "Confirm to publish.")
            return redirect("reports:publish", slug=partnership.slug, report_id=report.pk)
        try:
            services.report_publish(report=report, by=request.user, version=version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Version {version.number} is published and open to the public."
            )
        return redirect("reports:detail", slug=partnership.slug, report_id=report.pk)
    return render(
        request,
        "reports/publish.html",
        {
            "partnership": partnership,
            "report": report,
            "version": version if version is not None and version.is_built else None,
            "suppressions": version.suppressions if version is not None else [],
            "policy": selectors.version_policy(version).describe() if version else "",
            "unavailable": [s.title for s in sections_for(report.kind) if not s.available],
        },
    )


@partnership_view("reports.view", post=True)
def versions(request, partnership, report_id: int):
    """Every version of a report (who built it, when, from which warehouse), and building a
    new one (analysts and admins)."""
    report = selectors.report_get(partnership, report_id)
    if request.method == "POST":
        if not can(request.user, "reports.draft", partnership):
            raise PermissionDenied("Not allowed: reports.draft")
        if selectors.version_building(report) is not None:
            messages.error(request, "A version is being built already: wait for it to finish.")
            return redirect("reports:versions", slug=partnership.slug, report_id=report.pk)
        version = services.report_build(report=report, by=request.user)
        messages.success(request, f"Version {version.number} is being built.")
        return redirect(
            "reports:version", slug=partnership.slug, report_id=report.pk, number=version.number
        )
    return render(
        request,
        "reports/versions.html",
        {
            "partnership": partnership,
            "report": report,
            "versions": selectors.version_list(report),
            "can_draft": can(request.user, "reports.draft", partnership),
            "can_publish": can(request.user, "reports.publish", partnership),
        },
    )


@partnership_view("reports.view")
def version(request, partnership, report_id: int, number: int):
    """One version: its build's progress (the page polls itself while it builds), what it
    was built from, and its differences from another version (default: the one before)."""
    report = selectors.report_get(partnership, report_id)
    this = selectors.version_get(report, number)
    other = None
    differences = None
    if this.is_built:
        against = request.GET.get("against")
        built = selectors.version_list(report).filter(status=this.status)
        other = (
            selectors.version_get(report, against)
            if against
            else built.filter(number__lt=this.number).first()
        )
        if other is not None and other.is_built and other.pk != this.pk:
            differences = selectors.version_diff(other, this)
        else:
            other = None
    context = {
        "partnership": partnership,
        "report": report,
        "version": this,
        "other": other,
        "differences": differences,
        "others": selectors.version_list(report).exclude(pk=this.pk).filter(status=this.status),
    }
    if request.headers.get("HX-Request"):
        return render(request, "reports/partials/_version_progress.html", context)
    return render(request, "reports/version.html", context)


@partnership_view("reports.view", post=True)
def disclosure(request, partnership):
    """The partnership's disclosure rule: read by members, set by admins (audited)."""
    can_edit = can(request.user, "reports.disclosure", partnership)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Not allowed: reports.disclosure")
    policy = selectors.policy_for(partnership)
    form = None
    if can_edit:
        initial = {"threshold": policy.threshold, "base": policy.base}
        form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_bound and form.is_valid():
            try:
                services.disclosure_policy_set(
                    partnership=partnership, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "The disclosure rule was saved.")
                return redirect("reports:disclosure", slug=partnership.slug)
    return render(
        request,
        "reports/disclosure.html",
        {
            "partnership": partnership,
            "policy": policy,
            "row": selectors.policy_row(partnership),
            "form": form,
            "bases": BASES,
            "min_threshold": MIN_THRESHOLD,
            "max_threshold": MAX_THRESHOLD,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
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


def feed(request, slug: str):
    """An Atom feed of the partnership's publications (the archive's readers may read it)."""
    from django.utils.feedgenerator import Atom1Feed

    partnership = partnership_get(slug=slug)
    reports = list(selectors.published_list(partnership).order_by("-published_at"))
    if not reports and not can(request.user, "reports.view", partnership):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Not allowed: reports.view")
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    archive_url = request.build_absolute_uri(reverse("reports:archive", args=[partnership.slug]))
    atom = Atom1Feed(
        title=f"{partnership.name}: published reports",
        link=archive_url,
        description=f"Reports published by {partnership.name}",
        language="en-GB",
        feed_url=request.build_absolute_uri(),
    )
    for r in reports:
        link = request.build_absolute_uri(reverse("reports:detail", args=[partnership.slug, r.pk]))
        atom.add_item(
            title=r.title,
            link=link,
            unique_id=f"{link}#version-{r.published_version.number}",
            description=f"{r.get_kind_display()}, {r.period}: version "
            f"{r.published_version.number}, published {r.published_at:%d %B %Y}.",
            updateddate=r.published_at,
            pubdate=r.published_at,
        )
    return HttpResponse(atom.writeString("utf-8"), content_type="application/atom+xml")


# ------------------------------------------------- contacts and support services directory


def _service_save(request, partnership, form, service=None) -> bool:
    return form_save(
        request,
        form,
        lambda data: services.support_service_save(
            partnership=partnership, by=request.user, service=service, **data
        ),
        f"“{form.cleaned_data.get('name', '')}” was saved in the directory."
        if form.is_valid()
        else "",
    )


@partnership_view("reports.contacts", post=True)
def contacts(request, partnership):
    """The contacts and support services directory (printed in the annual report): the
    entries in their order, and a form to add one (analysts and admins)."""
    form = SupportServiceForm(request.POST if request.method == "POST" else None)
    if form.is_bound and _service_save(request, partnership, form):
        return redirect("reports:contacts", slug=partnership.slug)
    return render(
        request,
        "reports/contacts.html",
        {
            "partnership": partnership,
            "services": selectors.support_service_list(partnership),
            "form": form,
        },
        status=form_status(form),
    )


@partnership_view("reports.contacts", post=True)
def contact_edit(request, partnership, service_id: int):
    service = selectors.support_service_get(partnership, service_id)
    initial = {f: getattr(service, f) for f in services.SERVICE_FIELDS}
    form = SupportServiceForm(request.POST if request.method == "POST" else None, initial=initial)
    back = reverse("reports:contacts", args=[partnership.slug])
    if form.is_bound and _service_save(request, partnership, form, service):
        return redirect(back)
    return render(
        request,
        "governance/edit.html",
        {
            "partnership": partnership,
            "form": form,
            "title": f"Change “{service.name}”",
            "caption": "contacts and support services",
            "back_url": back,
            "remove_url": reverse("reports:contact_remove", args=[partnership.slug, service.pk]),
            "history_url": audit_history_url(request.user, partnership, service),
        },
        status=form_status(form),
    )


@partnership_view("reports.contacts", post=True)
def contact_remove(request, partnership, service_id: int):
    """Confirm, then remove a directory entry (audited)."""
    service = selectors.support_service_get(partnership, service_id)
    back = reverse("reports:contacts", args=[partnership.slug])
    error = ""
    if request.method == "POST":
        error = run_confirmed(
            request,
            lambda: services.support_service_remove(service=service, by=request.user),
            "Tick the box to confirm the removal.",
        )
        if not error:
            messages.success(request, f"“{service.name}” was removed from the directory.")
            return redirect(back)
    return render(
        request,
        "governance/confirm_remove.html",
        {
            "partnership": partnership,
            "what": f"“{service.name}” from the directory",
            "caption": "Reports",
            "consequences": [
                "Reports built from now on no longer list it; built versions keep it."
            ],
            "back_url": back,
            "error": error,
        },
        status=400 if error else 200,
    )
