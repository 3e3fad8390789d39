"""Partner dataset pages: list, declare, detail with figures, settings, upload, progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from saferstat.analytics.periods import PeriodError
from saferstat.core.exports import export_response
from saferstat.core.permissions import can
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import partnership_view

from . import figures as partner_figures
from .forms import (
    TYPE_CHOICES,
    ColumnFormSet,
    DatasetDeclareForm,
    DatasetSettingsForm,
    PartnerUploadForm,
)
from .models import DEMO_LABEL
from .selectors import (
    partner_dataset_get,
    partner_dataset_list,
    partner_upload_get,
    partner_upload_list,
)
from .services import partner_dataset_declare, partner_dataset_update, partner_upload_create

TYPE_LABELS = dict(TYPE_CHOICES)


def _apply_errors(exc: ValidationError, form, problems: list[str]) -> None:
    """Put a service's errors on the form's fields, and the rest (schema) in `problems`."""
    if not hasattr(exc, "error_dict"):
        problems.extend(exc.messages)
        return
    for field_name, errors in exc.message_dict.items():
        if field_name in form.fields:
            form.add_error(field_name, errors)
        else:
            problems.extend(errors)


def _context(request, partnership, **extra):
    return {
        "partnership": partnership,
        "demo_label": DEMO_LABEL,
        "can_declare": can(request.user, "datasets.declare", partnership),
        "can_upload": can(request.user, "datasets.upload", partnership),
        **extra,
    }


@partnership_view("datasets.view")
def dataset_list(request, partnership):
    datasets = partner_dataset_list(partnership=partnership, user=request.user)
    return render(
        request,
        "intelligence/datasets/dataset_list.html",
        _context(request, partnership, datasets=datasets),
    )


@partnership_view("datasets.declare", post=True)
def dataset_declare(request, partnership):
    post = request.POST if request.method == "POST" else None
    form = DatasetDeclareForm(post, partnership=partnership)
    columns = ColumnFormSet(post, prefix="columns")
    problems: list[str] = []
    if post is not None and form.is_valid() and columns.is_valid():
        data = form.cleaned_data
        schema = {
            "granularity": data["granularity"],
            "area_level": data["area_level"],
            "columns": [c for c in (f.column() for f in columns.forms) if c is not None],
        }
        try:
            dataset = partner_dataset_declare(
                partnership=partnership,
                by=request.user,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                schema=schema,
                sensitive=data["sensitive"],
                shared_with_scrutiny=data["shared_with_scrutiny"],
                organisation=data["organisation"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form, problems)
        else:
            messages.success(
                request,
                f"The dataset “{dataset.name}” was declared. Analysts can now upload files.",
            )
            return redirect("datasets:detail", slug=partnership.slug, dataset=dataset.slug)
    has_errors = bool(
        form.errors or columns.non_form_errors() or any(f.errors for f in columns.forms) or problems
    )
    return render(
        request,
        "intelligence/datasets/dataset_declare.html",
        _context(
            request,
            partnership,
            form=form,
            columns=columns,
            problems=problems,
            has_errors=has_errors,
        ),
        status=400 if has_errors else 200,
    )


@partnership_view("datasets.view")
def dataset_detail(request, partnership, dataset: str):
    item = partner_dataset_get(partnership=partnership, user=request.user, slug=dataset)
    schema = item.dataset_schema()
    year = None
    if request.GET.get("year"):
        try:
            year = partner_figures.financial_year_of_slug(request.GET["year"])
        except PeriodError:
            raise Http404("Not a financial year") from None
    data = partner_figures.dataset_figures(item, year)
    uploads = (
        partner_upload_list(dataset=item)[:10]
        if can(request.user, "datasets.upload", partnership)
        else []
    )
    return render(
        request,
        "intelligence/datasets/dataset_detail.html",
        _context(
            request,
            partnership,
            dataset=item,
            schema=schema,
            columns=[(c, TYPE_LABELS.get(c.type, c.type)) for c in schema.columns],
            data=data,
            years=[(y.label.replace("/", "-"), y.label) for y in data.years],
            uploads=uploads,
        ),
    )


@partnership_view("datasets.declare", post=True)
def dataset_edit(request, partnership, dataset: str):
    item = partner_dataset_get(partnership=partnership, user=request.user, slug=dataset)
    initial = {
        "name": item.name,
        "description": item.description,
        "organisation": item.organisation,
        "sensitive": item.sensitive,
        "shared_with_scrutiny": item.shared_with_scrutiny,
    }
    post = request.POST if request.method == "POST" else None
    form = DatasetSettingsForm(post, initial=initial, partnership=partnership)
    problems: list[str] = []
    if post is not None and form.is_valid():
        data = form.cleaned_data
        try:
            partner_dataset_update(
                dataset=item,
                by=request.user,
                name=data["name"],
                description=data["description"],
                sensitive=data["sensitive"],
                shared_with_scrutiny=data["shared_with_scrutiny"],
                organisation=data["organisation"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form, problems)
        else:
            messages.success(request, "The dataset's settings were saved.")
            return redirect("datasets:detail", slug=partnership.slug, dataset=item.slug)
    has_errors = bool(form.errors or problems)
    return render(
        request,
        "intelligence/datasets/dataset_edit.html",
        _context(
            request, partnership, dataset=item, form=form, problems=problems, has_errors=has_errors
        ),
        status=400 if has_errors else 200,
    )


@partnership_view("datasets.upload")
def dataset_template(request, partnership, dataset: str):
    """A CSV with the dataset's header row, to fill in.

    Column names are the admin's own text, so they go through the safe export path like any
    other download: a name such as ``=HYPERLINK(...)`` is written as text (``'=...``), and
    uploads accept the header either way (`saferstat.analytics.partner.validate`)."""
    item = partner_dataset_get(partnership=partnership, user=request.user, slug=dataset)
    return export_response(
        "csv", item.dataset_schema().header, [], filename=f"{item.slug}-template"
    )


@accepts_upload
@partnership_view("datasets.upload", post=True)
def upload(request, partnership, dataset: str):
    item = partner_dataset_get(partnership=partnership, user=request.user, slug=dataset)
    posted = request.method == "POST"
    form = PartnerUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            run = partner_upload_create(
                dataset=item, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            # No flash message: the upload's page shows its one state (docs/frontend.md).
            return redirect(
                "datasets:upload_detail", slug=partnership.slug, dataset=item.slug, upload_id=run.pk
            )
    page = Paginator(partner_upload_list(dataset=item), 25).get_page(request.GET.get("page"))
    schema = item.dataset_schema()
    return render(
        request,
        "intelligence/datasets/upload.html",
        _context(
            request,
            partnership,
            dataset=item,
            schema=schema,
            columns=[(c, TYPE_LABELS.get(c.type, c.type)) for c in schema.columns],
            form=form,
            page=page,
        ),
        status=400 if form.errors else 200,
    )


@partnership_view("datasets.upload")
def upload_detail(request, partnership, dataset: str, upload_id: int):
    item = partner_dataset_get(partnership=partnership, user=request.user, slug=dataset)
    run = partner_upload_get(dataset=item, upload_id=upload_id)
    template = (
        "intelligence/datasets/partials/_upload_progress.html"
        if request.htmx
        else "intelligence/datasets/upload_detail.html"
    )
    return render(request, template, _context(request, partnership, dataset=item, run=run))
