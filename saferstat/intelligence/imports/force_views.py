"""Force data pages: a force administrator's review of proposed police.uk files.

A police.uk month belongs to the force and every partnership it serves shares it, so these
pages are for force administrators and site administrators only (``FORCE_RULES``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import force_view

from ..fetch import fetch_context
from .forms import ForceReviewForm, PoliceUkUploadForm
from .selectors import (
    force_import_get,
    force_import_list,
    force_import_pending,
    force_month_rows,
    force_partnerships,
)
from .services import (
    ConfirmationRequired,
    change_needs_reason,
    change_text,
    force_import_create,
    import_run_approve,
    import_run_reject,
)


@force_view("force.review")
def force_imports(request, force: str):
    """Files waiting for approval, the force's loads, and an upload form."""
    return _force_imports_page(request, force)


def _force_imports_page(request, force: str, form: PoliceUkUploadForm | None = None):
    page = Paginator(force_import_list(force=force), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/imports/force_imports.html",
        {
            "force": force,
            "partnerships": force_partnerships(force),
            "pending": force_import_pending(force=force),
            "page": page,
            "form": form or PoliceUkUploadForm(),
        }
        | fetch_context(force),
        status=400 if form is not None and form.errors else 200,
    )


@accepts_upload
@force_view("force.replace_month", post=True)
def force_upload(request, force: str):
    """A force administrator uploads a file; it is checked, then they review and approve it."""
    if request.method != "POST":
        return redirect("force:imports", force=force)
    form = PoliceUkUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = force_import_create(
                force=force, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            # No flash message: the run's page shows its one state (docs/frontend.md).
            return redirect("force:import_detail", force=force, run_id=run.pk)
    return _force_imports_page(request, force, form=form)


@force_view("force.review", post=True)
def force_import_detail(request, force: str, run_id: int):
    """One file: its totals before and after, per partnership, and the decision."""
    run = force_import_get(force=force, run_id=run_id)
    form = ForceReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    import_run_approve(
                        run=run,
                        by=request.user,
                        change_reason=data["change_reason"],
                        note=data["note"],
                    )
                else:
                    import_run_reject(run=run, by=request.user, note=data["note"])
            except ConfirmationRequired as exc:
                form.add_error("change_reason", exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("force:import_detail", force=force, run_id=run.pk)
        status = 400
    month_rows_now = force_month_rows(run.force_slug, run.month)
    partnerships = {p.slug: p for p in force_partnerships(force)}
    rows = [
        {"partnership": partnerships.get(slug, slug), "before": pair[0], "after": pair[1]}
        for slug, pair in sorted(run.partnership_rows.items())
    ]
    context = {
        "force": force,
        "run": run,
        "form": form,
        "month_rows_now": month_rows_now,
        "partnership_rows": rows,
        "needs_reason": run.is_waiting
        and change_needs_reason(month_rows_now, run.rows_in_file or 0),
        "change": change_text(month_rows_now, run.rows_in_file or 0) if run.is_waiting else "",
    }
    template = (
        "intelligence/imports/partials/_force_import_summary.html"
        if request.htmx and request.method == "GET"
        else "intelligence/imports/force_import_detail.html"
    )
    return render(request, template, context, status=status)
