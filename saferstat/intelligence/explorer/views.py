"""The explorer page, its chart image, its downloads, and saving a view to a request."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from saferstat.analytics.errors import AnalyticsError, NoDataError
from saferstat.analytics.policeuk import CRIME_TYPES
from saferstat.core.exports import export_response
from saferstat.core.permissions import can
from saferstat.core.views_helpers import partnership_view

from .. import figures
from ..datasets.selectors import partner_dataset_list
from ..requests.selectors import request_get, request_open_list
from ..requests.services import saved_view_create
from . import query as explorer

DOWNLOADS = ("csv", "xlsx", "ods")


@partnership_view("explorer.view")
def explorer_page(request, partnership):
    datasets = list(partner_dataset_list(partnership=partnership, user=request.user))
    q = explorer.parse_query(request.GET, partnership, datasets)
    fmt = request.GET.get("format", "html")
    result = None
    # An analysis that cannot answer: a bad question is an error summary (400); a question
    # about data that is not loaded says so (404), never a table of zeros (docs/analytics.md).
    analysis_errors: dict[str, str] = {}
    no_data_message = ""
    if figures.warehouse_is_ready() and not q.errors:
        try:
            result = explorer.build(q, partnership, datasets)
        except NoDataError as exc:
            no_data_message = str(exc)
        except AnalyticsError as exc:
            analysis_errors = {explorer.error_field(q): str(exc)}
    if analysis_errors and fmt != "html":
        return HttpResponse(
            next(iter(analysis_errors.values())), status=400, content_type="text/plain"
        )
    if no_data_message and fmt != "html":
        raise Http404(no_data_message)
    if fmt == "svg":
        if result is None or result.figure is None:
            raise Http404("This view has no chart")
        response = HttpResponse(result.figure.svg(), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=60"
        return response
    if fmt in DOWNLOADS:
        if result is None:
            raise Http404("Nothing to download")
        name = slugify(f"{partnership.slug} {result.title}")[:80] or "saferstat"
        return export_response(
            fmt,
            result.columns,
            [[row.get(c) for c in result.columns] for row in result.rows],
            filename=name,
        )
    if fmt != "html":
        raise Http404("Unknown format")
    can_save = can(request.user, "requests.answer", partnership)
    open_requests = request_open_list(partnership=partnership) if can_save else []
    query = q.querystring()
    return render(
        request,
        "intelligence/explorer/explorer.html",
        {
            "partnership": partnership,
            "q": q,
            "result": result,
            "query": query,
            "datasets": datasets,
            "crime_types": CRIME_TYPES,
            "views": explorer.VIEWS if q.source == explorer.POLICE else explorer.PARTNER_VIEWS,
            "polarities": explorer.POLARITIES,
            "period_kinds": explorer.PERIOD_KINDS,
            "downloads": DOWNLOADS,
            "open_requests": open_requests,
            "can_save": can_save,
            "no_data": not figures.warehouse_is_ready(),
            "analysis_errors": analysis_errors,
            "no_data_message": no_data_message,
        },
        status=400 if q.errors or analysis_errors else 404 if no_data_message else 200,
    )


@partnership_view("requests.answer", post=True)
def explorer_save(request, partnership):
    """Save the current explorer view to a members' data request (POST only)."""
    if request.method != "POST":
        return redirect("explorer:page", slug=partnership.slug)
    query = request.POST.get("query", "")[:1000]
    try:
        data_request = request_get(partnership=partnership, request_id=request.POST.get("request"))
    except Http404:
        messages.error(request, "Choose the data request to save this view to.")
        return redirect(f"{reverse('explorer:page', args=[partnership.slug])}?{query}")
    try:
        saved_view_create(
            partnership=partnership,
            by=request.user,
            title=request.POST.get("title", ""),
            query=query,
            request=data_request,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('explorer:page', args=[partnership.slug])}?{query}")
    messages.success(request, "The view was saved to the request.")
    return redirect("requests:detail", slug=partnership.slug, request_id=data_request.pk)
