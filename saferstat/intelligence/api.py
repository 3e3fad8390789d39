"""Read-only JSON endpoints for the crime figures. Same permissions as the pages."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from saferstat.core.api_auth import api_user
from saferstat.core.models import Partnership
from saferstat.core.permissions import can
from saferstat.core.selectors import partnership_get

from . import figures

router = Router(tags=["crime"])

_YEAR = "(19[0-9]{2}|2[0-9]{3})"
_MONTH = f"{_YEAR}-(0[1-9]|1[0-2])"
#: What a period looks like (`saferstat.analytics.periods.parse_period` has the last word:
#: in `2024/26` the second year does not follow the first, so it is refused with 422 too).
PERIOD_PATTERN = f"^({_MONTH}|{_YEAR}/[0-9]{{2}}(-[Qq][1-4])?|[Rr]12-{_MONTH})$"
MONTH_PATTERN = f"^{_MONTH}$"
PERIOD = Query(
    ...,
    pattern=PERIOD_PATTERN,
    description="`2024/25` (financial year), `2024/25-Q1`, `2024-05` or `R12-2025-09`; "
    "years 1900 to 2999",
    examples=["2024/25"],
)


def _month(example: str):
    return Query(..., pattern=MONTH_PATTERN, description="A month, YYYY-MM", examples=[example])


class ErrorOut(Schema):
    """A refusal: a message, or (a parameter of the wrong form) a list of the problems."""

    detail: str | list[dict[str, Any]]


#: Every refusal an endpoint may answer with, so the OpenAPI schema documents them all:
#: 401 bad or revoked token (or none, for an unpublished partnership), 403 not allowed,
#: 404 no such partnership, 422 a parameter that is not valid, 503 no data loaded yet.
REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 503: ErrorOut}


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


#: The API's parameter names -> the analysis query's (the explorer's) names.
_PARAM_NAMES = {"start": "from", "end": "to", "with_codes": "compare"}


def _query(partnership: Partnership, analysis: str, **params):
    """The analysis query of an API call, read by the one parser. A refusal
    (``InvalidQuery``) and any other analysis error are answered 422 with the same message
    the explorer and the CLI show, no data 404 (``config/api.py``)."""
    given = {_PARAM_NAMES.get(k, k): v for k, v in params.items() if v is not None}
    return figures.analysis_query(partnership, analysis, given)


@router.get(
    "/partnerships",
    response={200: list[PartnershipOut], 401: ErrorOut},
    summary="Partnerships you can read",
)
def partnership_list(request):
    user = api_user(request)
    visible = [
        p for p in Partnership.objects.prefetch_related("areas") if can(user, "overview.view", p)
    ]
    return [
        PartnershipOut(
            slug=p.slug, name=p.name, lad_codes=p.lad_codes, overview_published=p.overview_published
        )
        for p in visible
    ]


@router.get(
    "/partnerships/{slug}/counts",
    response={200: CountsOut, **REFUSALS},
    summary="Counts of police.uk records",
)
def partnership_counts(
    request,
    slug: str,
    period: str = PERIOD,
    by: Literal["crime_type", "ward", "month"] = "crime_type",
):
    """Counts for the partnership's area and a period (`2024/25`, `2024/25-Q1` or `2024-05`),
    by crime type, ward (2024 wards) or month. Missing months are listed, never counted as 0."""
    partnership = _partnership_for(request, slug, "overview.view")
    q = _query(partnership, "counts", period=period, by=by)
    _ready()
    result = figures.run(q)
    p = q.period
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


@router.get(
    "/partnerships/{slug}/overview",
    response={200: dict[str, Any], **REFUSALS},
    summary="The crime overview figures",
)
def partnership_overview(request, slug: str, period: str = PERIOD):
    """Everything on the crime overview page, as JSON, for a financial year or other period."""
    partnership = _partnership_for(request, slug, "overview.view")
    q = _query(partnership, "overview", period=period)
    _ready()
    data = figures.run(q)
    p = q.period
    out = dataclasses.asdict(data)
    out["period"] = p.label
    out["comparison_period"] = data.comparison_period.label
    # What the comparison counts cover: "Jan-Mar 2024" when season-matched (docs/analytics.md).
    out["comparison_label"] = data.comparison_label
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


def _ready() -> None:
    if not figures.warehouse_is_ready():
        raise HttpError(503, "No data has been loaded yet")


@router.get(
    "/partnerships/{slug}/spc",
    response={200: dict[str, Any], **REFUSALS},
    summary="SPC (XmR) chart of monthly counts",
)
def partnership_spc(
    request,
    slug: str,
    start: str = _month("2022-04"),
    end: str = _month("2025-03"),
    crime_type: list[str] = Query(None),
    polarity: Literal["decrease", "increase", "neutral"] = "decrease",
):
    """Making Data Count XmR chart of the partnership's monthly counts from `start` to `end`
    (YYYY-MM), one segment per unbroken run of loaded months; per-point flags and icons."""
    partnership = _partnership_for(request, slug, "explorer.view")
    q = _query(partnership, "spc", start=start, end=end, crime_type=crime_type, polarity=polarity)
    _ready()
    series = figures.run(q)
    return _json_safe(
        {
            "partnership": partnership.slug,
            "label": series.label,
            "polarity": str(series.polarity),
            "missing_months": list(series.missing_months),
            "variation_icon": None if series.variation_icon is None else str(series.variation_icon),
            "assurance_icon": None if series.assurance_icon is None else str(series.assurance_icon),
            "warnings": list(series.warnings),
            "points": series.table(),
        }
    )


@router.get(
    "/partnerships/{slug}/compare",
    response={200: dict[str, Any], **REFUSALS},
    summary="Rates against neighbours, Byar 95% intervals",
)
def partnership_compare(
    request,
    slug: str,
    period: str = PERIOD,
    crime_type: list[str] = Query(None),
    with_codes: str | None = None,
):
    """The partnership's rate per 1,000 against its neighbour group (set by its admin; default: the other South
    Yorkshire partnerships) or `with_codes` (comma-separated LA codes)."""
    partnership = _partnership_for(request, slug, "explorer.view")
    _ready()
    q = _query(partnership, "compare", period=period, crime_type=crime_type, with_codes=with_codes)
    result = figures.run(q)
    p = q.period
    return _json_safe(
        {
            "partnership": partnership.slug,
            "period": p.label,
            "group_rate_per_1000": result.group_rate_per_1000,
            "missing_months": list(result.missing_months),
            "areas": result.table(),
            "notes": list(result.notes),
        }
    )


@router.get(
    "/partnerships/{slug}/hotspots",
    response={200: dict[str, Any], **REFUSALS},
    summary="Wards or LSOAs ranked by count, rate or harm",
)
def partnership_hotspots(
    request,
    slug: str,
    period: str = PERIOD,
    level: Literal["ward", "lsoa"] = "ward",
    rank: Literal["count", "rate", "harm", "harm_rate"] = "rate",
    crime_type: list[str] = Query(None),
):
    """Hotspots of the partnership's area, flagged against the partnership rate (Byar 95%)."""
    partnership = _partnership_for(request, slug, "explorer.view")
    _ready()
    q = _query(
        partnership, "hotspots", period=period, level=level, rank=rank, crime_type=crime_type
    )
    result = figures.run(q)
    p = q.period
    return _json_safe(
        {
            "partnership": partnership.slug,
            "period": p.label,
            "level": level,
            "rate_per_1000": result.rate_per_1000,
            "missing_months": list(result.missing_months),
            "rows": result.table(),
            "notes": list(result.notes),
        }
    )
