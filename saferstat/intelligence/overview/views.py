"""The crime overview pages: a partnership's figures for a financial year, and its trend
chart. Reads go through :mod:`saferstat.intelligence.figures` (cached on the warehouse)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import PeriodError
from saferstat.core.permissions import can
from saferstat.core.views_helpers import partnership_view

from .. import figures


@partnership_view("overview.view")
def overview(request, partnership, fy: str | None = None):
    """The crime overview of a partnership for a financial year (public once published)."""
    years = figures.financial_years(partnership) if figures.warehouse_is_ready() else []
    if fy is None:
        period = figures.default_financial_year(partnership) if years else None
        if period is not None:
            return redirect("overview:year", slug=partnership.slug, fy=figures.fy_slug(period))
        return render(
            request,
            "intelligence/overview/overview_empty.html",
            {"partnership": partnership},
            status=200,
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
            "intelligence/overview/overview_empty.html",
            {"partnership": partnership, "period": period, "message": str(exc)},
            status=404,
        )
    context = {
        "partnership": partnership,
        "period": period,
        "figures_html": figures_html,
        "can_upload": can(request.user, "data.upload", partnership),
    }
    return render(request, "intelligence/overview/overview.html", context)


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
