"""Personal-data pages: thin. The declaration and retention periods (admins set them), and
one person's data: find, export (subject access) or erase on request. Only the casework
roles (admins, named case reviewers: `permissions.can_handle_personal_data`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from saferstat.core.permissions import can, require_personal_data
from saferstat.core.views_helpers import form_save, form_status, partnership_view

from . import forms, selectors, services
from .declaration import NOT_PERSONAL, RECORD_TYPES


@partnership_view("personaldata.view", post=True)
def index(request, partnership):
    require_personal_data(request.user, partnership, "personaldata.view")
    may_set = can(request.user, "personaldata.retention", partnership)
    form = forms.RetentionForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        if not may_set:
            raise PermissionDenied("Only the partnership's admins set retention periods")
        if form_save(
            request,
            form,
            lambda d: services.retention_set(partnership=partnership, by=request.user, **d),
            "The retention period was saved. The next daily run applies it.",
        ):
            return redirect("dataprotection:index", slug=partnership.slug)
    return render(
        request,
        "dataprotection/index.html",
        {
            "partnership": partnership,
            "record_types": RECORD_TYPES,
            "rows": selectors.retention_rows(partnership),
            "runs": selectors.retention_runs(partnership),
            "form": form if may_set else None,
            "not_personal": len(NOT_PERSONAL),
        },
        status=form_status(form),
    )


@partnership_view("personaldata.requests", post=True)
def requests_page(request, partnership):
    require_personal_data(request.user, partnership)
    me = request.user
    search = forms.SearchForm(request.GET if "q" in request.GET else None)
    matches = None
    if search.is_bound and search.is_valid():
        matches = services.search(partnership=partnership, by=me, term=search.cleaned_data["q"])
    form = forms.RequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        if form.is_valid():
            d = form.cleaned_data
            if d["action"] == "export":
                exported = []
                if form_save(
                    request,
                    form,
                    lambda d: exported.append(
                        services.subject_export(
                            partnership=partnership,
                            by=me,
                            reference=d["reference"],
                            refs=d["records"],
                        )
                    ),
                    "The export was made.",
                ):
                    req, body = exported[0]
                    response = HttpResponse(body, content_type="application/json; charset=utf-8")
                    response["Content-Disposition"] = content_disposition_header(
                        True, f"subject-access-{partnership.slug}-{req.pk}.json"
                    )
                    response["Cache-Control"] = "no-store"
                    return response
            else:
                done = []
                if form_save(
                    request,
                    form,
                    lambda d: done.append(
                        services.subject_erase(
                            partnership=partnership,
                            by=me,
                            reference=d["reference"],
                            refs=d["records"],
                            note=d["note"],
                        )
                    ),
                    "The request was handled.",
                ):
                    req = done[0]
                    messages.info(
                        request,
                        f"{len(req.records)} record(s) erased, {len(req.refused)} refused.",
                    )
                    return redirect("dataprotection:requests", slug=partnership.slug)
    rows = None
    if matches is not None:
        rows = [(m, services.erasure_refusal(m)) for m in matches]
    return render(
        request,
        "dataprotection/requests.html",
        {
            "partnership": partnership,
            "search": search,
            "rows": rows,
            "form": form,
            "requests": selectors.requests(partnership)[:50],
        },
        status=form_status(search, form),
    )
