"""JSON endpoints for indicators and returns. Same permissions and tokens as the pages.

Reading works with a token or the session; submitting a return needs a bearer token (a
partner's system), so that no page can be tricked into posting one for a signed-in user.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from saferstat.core.api_auth import api_user
from saferstat.core.exports import FORMATS, export_response
from saferstat.core.models import Partnership
from saferstat.core.permissions import can
from saferstat.core.selectors import partnership_get
from saferstat.intelligence import figures
from saferstat.intelligence.api import REFUSALS, ErrorOut

from . import selectors
from .services import return_save, return_submit, return_values

router = Router(tags=["performance"])


class SeriesPointOut(Schema):
    period: str
    value: float | None
    status: str


class IndicatorOut(Schema):
    code: str
    name: str
    priority: str
    unit: str
    polarity: str
    source: str
    #: The partner dataset's short name (source ``partner``), else None.
    dataset: str | None = None
    #: Only these values of the dataset's category column are counted (none: every record).
    category_column: str | None = None
    categories: list[str] = []
    frequency: str = "quarterly"
    is_demo: bool
    #: The point `value` is for: the quarter, or a monthly indicator's last month of it.
    value_period: str = ""
    value: float | None
    status: str
    target: float | None
    variation: str | None
    variation_words: str
    assurance: str | None
    assurance_words: str
    rag: str
    rag_reason: str
    rag_rule: str
    change_on_last_year: str | None
    series: list[SeriesPointOut]


class IndicatorsOut(Schema):
    partnership: str
    period: str
    indicators: list[IndicatorOut]


Value = float | int | str | None


class ReturnIn(Schema):
    #: ``{code: value}``; a monthly indicator takes ``{code: {"2024-04": 12, ...}}``, a value
    #: for each month of the return's quarter.
    values: dict[str, Value | dict[str, Value]] = {}
    notes: dict[str, str] = {}
    commentary: str = ""
    submit: bool = True


class ReturnErrorsOut(ErrorOut):
    """A refused return: the service's errors by indicator (``code:2024-05`` for a month's
    value), or, for a body that is not a return at all, only the list of its problems."""

    errors: dict[str, list[str]] = {}


class ReturnOut(Schema):
    id: int
    priority: str
    period: str
    status: str
    #: A monthly indicator's values are ``{month: value}``.
    values: dict[str, float | None | dict[str, float | None]]


def _partnership(request, slug: str, action: str) -> tuple[Partnership, object]:
    try:
        partnership = partnership_get(slug=slug)
    except Http404:
        raise HttpError(404, "No such partnership") from None
    user = api_user(request)
    if not can(user, action, partnership):
        raise HttpError(403 if user.is_authenticated else 401, "Not allowed")
    return partnership, user


def _calendar_period(partnership, label: str | None):
    period = selectors.period_get(partnership=partnership, label=label)
    if period is None:
        raise HttpError(
            422 if label else 404,
            f"{label} is not in the reporting calendar" if label else "No reporting calendar",
        )
    return period


@router.get(
    "/partnerships/{slug}/indicators",
    response={200: IndicatorsOut, **REFUSALS},
    summary="Indicators with their verdicts for a quarter",
)
def partnership_indicators(request, slug: str, period: str | None = None):
    """Every indicator of the partnership at a quarter of its reporting calendar
    (`2024/25-Q4`; default: the latest that has opened): value, target, SPC variation and
    assurance (with their words), RAG with its rule, and the series (a gap has no value)."""
    partnership, user = _partnership(request, slug, "performance.view")
    chosen = _calendar_period(partnership, period)
    rows, key = selectors.indicator_rows_keyed(partnership=partnership, period=chosen, user=user)
    # The answer is made and checked against its schema once per key (and warehouse
    # version), then sent as kept: most of its cost is building and checking it.
    body = figures.cached(
        ("api-indicators", key), lambda: _indicators_json(partnership, chosen, rows)
    )
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _indicators_json(partnership, chosen, rows) -> bytes:
    out = []
    for row in rows:
        v, i = row.verdict, row.indicator
        out.append(
            IndicatorOut(
                code=i.code,
                name=i.name,
                priority=i.priority.name,
                unit=i.unit,
                polarity=i.polarity,
                source=i.source,
                dataset=i.dataset.slug if i.dataset else None,
                category_column=i.category_column or None,
                categories=list(i.categories or []),
                frequency=i.frequency,
                is_demo=i.is_demo,
                value_period=v.period,
                value=v.latest.value if v.latest else None,
                status=v.latest.status if v.latest else "not_in_calendar",
                target=v.target,
                variation=None if v.variation is None else str(v.variation),
                variation_words=v.variation_words,
                assurance=None if v.assurance is None else str(v.assurance),
                assurance_words=v.assurance_words,
                rag=v.rag,
                rag_reason=v.rag_reason,
                rag_rule=v.rag_rule,
                change_on_last_year=v.change.words if v.change else None,
                series=[
                    SeriesPointOut(period=p.period, value=p.value, status=p.status)
                    for p in row.points
                ],
            )
        )
    answer = IndicatorsOut(partnership=partnership.slug, period=chosen.label, indicators=out)
    return answer.model_dump_json().encode()


CSV_TYPE = FORMATS["csv"][0].split(";")[0]  # the media type the CSV answer is sent as


@router.get(
    "/partnerships/{slug}/indicators/{code}/series.csv",
    response=REFUSALS,
    summary="An indicator's series as CSV",
    openapi_extra={
        "responses": {
            "200": {
                "description": "`period,value,status`, a row a period",
                "content": {CSV_TYPE: {"schema": {"type": "string"}}},
            }
        }
    },
)
def indicator_series_csv(request, slug: str, code: str, period: str | None = None):
    """`period,value,status` for every quarter of the calendar up to `period` (every month
    of those quarters, `2024-05`, for a monthly indicator); a gap is an empty value, never
    0."""
    partnership, user = _partnership(request, slug, "performance.view")
    chosen = _calendar_period(partnership, period)
    try:
        indicator = selectors.indicator_get(partnership=partnership, code=code, user=user)
    except Http404:
        raise HttpError(404, "No such indicator") from None
    row = selectors.indicator_rows(partnership=partnership, period=chosen, indicators=[indicator])[
        0
    ]
    return export_response(
        "csv",
        ["period", "value", "status"],
        [[p.period, p.value, p.status] for p in row.points],
        filename=f"{partnership.slug}-{indicator.code}",
    )


@router.post(
    "/partnerships/{slug}/returns/{return_id}",
    response={200: ReturnOut, 400: ErrorOut, **REFUSALS, 422: ReturnErrorsOut},
    summary="Enter (and submit) a quarterly return",
)
def return_submit_api(request, slug: str, return_id: int, payload: ReturnIn):
    """A partner's system enters a return's values with the lead's token, validated exactly
    like the form; `submit: false` saves a draft. A monthly indicator's value is given per
    month of the return's quarter (`{"2024-04": 12, "2024-05": 9, "2024-06": 11}`). Errors:
    422 with `errors` by indicator (`code:2024-05` for a month's value)."""
    if not request.headers.get("Authorization"):
        raise HttpError(401, "Submitting a return needs 'Authorization: Bearer <token>'.")
    partnership, user = _partnership(request, slug, "performance.view")
    try:
        ret = selectors.return_get(partnership=partnership, return_id=return_id)
    except Http404:
        raise HttpError(404, "No such return") from None
    service = return_submit if payload.submit else return_save
    try:
        ret = service(
            ret=ret,
            by=user,
            values=payload.values,
            notes=payload.notes,
            commentary=payload.commentary,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Not allowed") from None
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"return": exc.messages}
        return Status(422, ReturnErrorsOut(detail="The return was not saved.", errors=errors))
    return ReturnOut(
        id=ret.pk,
        priority=ret.priority.name,
        period=ret.period.label,
        status=ret.status,
        values=return_values(ret.lines.select_related("indicator")),
    )
