"""A partnership's police.uk pages: its imports, proposing a file, one import's progress."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import audit_history_url, partnership_view

from ..fetch import fetch_context
from .forms import PoliceUkUploadForm
from .selectors import import_run_get, import_run_list
from .services import import_run_create


@partnership_view("imports.view")
def import_list(request, partnership):
    return _import_list_page(request, partnership)


def _import_list_page(request, partnership, form: PoliceUkUploadForm | None = None):
    page = Paginator(import_run_list(partnership=partnership), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/imports/import_list.html",
        {"partnership": partnership, "page": page, "form": form or PoliceUkUploadForm()}
        | fetch_context(partnership.force_slug),
        status=400 if form is not None and form.errors else 200,
    )


@accepts_upload
@partnership_view("data.upload", post=True)
def import_upload(request, partnership):
    if request.method != "POST":
        return redirect("imports:list", slug=partnership.slug)
    form = PoliceUkUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = import_run_create(
                partnership=partnership, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            # No flash message: the run's page shows its one state (docs/frontend.md).
            return redirect("imports:detail", slug=partnership.slug, run_id=run.pk)
    return _import_list_page(request, partnership, form=form)


@partnership_view("imports.view")
def import_detail(request, partnership, run_id: int):
    run = import_run_get(partnership=partnership, run_id=run_id)
    template = (
        "intelligence/imports/partials/_import_progress.html"
        if request.htmx
        else "intelligence/imports/import_detail.html"
    )
    return render(
        request,
        template,
        {
            "partnership": partnership,
            "run": run,
            "history_url": audit_history_url(request.user, partnership, run),
            "partnership_pair": (run.partnership_rows or {}).get(partnership.slug),
        },
    )
