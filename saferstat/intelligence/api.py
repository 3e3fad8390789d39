"""Read-only JSON endpoints for the crime figures. Same permissions as the pages."""

from __future__ import annotations

import dataclasses
from typing import Literal

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from saferstat.analytics import measures, warehouse
from saferstat.analytics.periods import parse_period
from saferstat.core.api_auth import api_user
from saferstat.core.models import Partnership
from saferstat.core.permissions import can
from saferstat.core.selectors import partnership_get

from . import figures

router = Router(tags=["crime"])


class PartnershipOut(Schema):
    slug: str
    name: str
    lad_codes: list[str]
    overview_published: bool


class CountRow(Schema):
    key: str
    count: int


class CountsOut(Schema):
    partnership: str
    period: str
    by: str
    rows: list[CountRow]
    total: int
    months_loaded: list[str]
    missing_months: list[str]
    is_complete: bool


def _partnership_for(request, slug: str, action: str) -> Partnership:
    try:
        partnership = partnership_get(slug=slug)
    except Http404:
        raise HttpError(404, "No such partnership") from None
    user = api_user(request)
    if not can(user, action, partnership):
        # Same answer whether it exists or not would hide names, but partnership names are public.
        raise HttpError(403 if user.is_authenticated else 401, "Not allowed")
    return partnership


def _period(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/partnerships", response=list[PartnershipOut], summary="Partnerships you can read")
def partnership_list(request):
    user = api_user(request)
    visible = [p for p in Partnership.objects.prefetch_related("areas") if can(user, "overview.view", p)]
    return [
        PartnershipOut(slug=p.slug, name=p.name, lad_codes=p.lad_codes, overview_published=p.overview_published)
        for p in visible
    ]


@router.get("/partnerships/{slug}/counts", response=CountsOut, summary="Counts of police.uk records")
def partnership_counts(
    request, slug: str, period: str, by: Literal["crime_type", "ward", "month"] = "crime_type"
):
    """Counts for the partnership's area and a period (`2024/25`, `2024/25-Q1` or `2024-05`),
    by crime type, ward (2024 wards) or month. Missing months are listed, never counted as 0."""
    partnership = _partnership_for(request, slug, "overview.view")
    p = _period(period)
    if not figures.warehouse_is_ready():
        raise HttpError(503, "No data has been loaded yet")
    with warehouse.connect(figures.warehouse_root()) as con:
        result = measures.counts(con, area_codes=partnership.lad_codes, period=p, by=by,
                                 force_slugs=[partnership.force_slug])
    return CountsOut(
        partnership=partnership.slug,
        period=p.label,
        by=by,
        rows=[CountRow(key=k, count=c) for k, c in result.rows],
        total=result.total,
        months_loaded=result.months_loaded,
        missing_months=result.missing_months,
        is_complete=result.is_complete,
    )


@router.get("/partnerships/{slug}/overview", summary="The crime overview figures")
def partnership_overview(request, slug: str, period: str):
    """Everything on the crime overview page, as JSON, for a financial year or other period."""
    partnership = _partnership_for(request, slug, "overview.view")
    p = _period(period)
    if not figures.warehouse_is_ready():
        raise HttpError(503, "No data has been loaded yet")
    data = figures.overview(partnership, p)
    out = dataclasses.asdict(data)
    out["period"] = p.label
    out["comparison_period"] = data.comparison_period.label
    return _json_safe(out)


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None if value != value else ("Infinity" if value > 0 else "-Infinity")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
