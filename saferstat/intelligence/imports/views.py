from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import PeriodError
from saferstat.core.permissions import can
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import audit_history_url, partnership_view

from . import figures
from .forms import PoliceUkUploadForm
from .selectors import import_run_get, import_run_list
from .services import import_run_create


@partnership_view("overview.view")
def overview(request, partnership, fy: str | None = None):
    """The crime overview of a partnership for a financial year (public once published)."""
    years = figures.financial_years(partnership) if figures.warehouse_is_ready() else []
    if fy is None:
        period = figures.default_financial_year(partnership) if years else None
        if period is not None:
            return redirect("overview", slug=partnership.slug, fy=figures.fy_slug(period))
        return render(
            request, "intelligence/overview_empty.html", {"partnership": partnership}, status=200
        )
    try:
        period = figures.parse_fy_slug(fy)
    except PeriodError:
        raise Http404("Not a financial year") from None
    try:
        figures_html = figures.overview_html(partnership, period)
    except NoDataError as exc:
        # A year with no loaded month is not a year of zeros (docs/analytics.md).
        return render(
            request,
            "intelligence/overview_empty.html",
            {"partnership": partnership, "period": period, "message": str(exc)},
            status=404,
        )
    context = {
        "partnership": partnership,
        "period": period,
        "figures_html": figures_html,
        "can_upload": can(request.user, "data.upload", partnership),
    }
    return render(request, "intelligence/overview.html", context)


@partnership_view("imports.view")
def import_list(request, partnership):
    return _import_list_page(request, partnership)


def _import_list_page(request, partnership, form: PoliceUkUploadForm | None = None):
    page = Paginator(import_run_list(partnership=partnership), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/import_list.html",
        {"partnership": partnership, "page": page, "form": form or PoliceUkUploadForm()},
        status=400 if form is not None and form.errors else 200,
    )


@accepts_upload
@partnership_view("data.upload", post=True)
def import_upload(request, partnership):
    if request.method != "POST":
        return redirect("import_list", slug=partnership.slug)
    form = PoliceUkUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            run = import_run_create(
                partnership=partnership, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request,
                f"{run.original_name} was uploaded and is being checked. It is not loaded yet: "
                f"a {run.force_slug} force administrator must approve it, as it replaces the "
                "month for every partnership the force serves.",
            )
            return redirect("import_detail", slug=partnership.slug, run_id=run.pk)
    return _import_list_page(request, partnership, form=form)


@partnership_view("imports.view")
def import_detail(request, partnership, run_id: int):
    run = import_run_get(partnership=partnership, run_id=run_id)
    template = (
        "intelligence/partials/_import_progress.html"
        if request.htmx
        else "intelligence/import_detail.html"
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


@partnership_view("overview.view")
def overview_trend_svg(request, partnership, fy: str):
    """The monthly trend chart as an SVG image (its data table is on the overview page)."""
    try:
        period = figures.parse_fy_slug(fy)
    except PeriodError:
        raise Http404("Not a financial year") from None
    try:
        svg = figures.overview_trend_svg(partnership, period)
    except NoDataError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response
