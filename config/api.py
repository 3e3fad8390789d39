from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from saferstat.analytics.errors import AnalyticsError, NoDataError
from saferstat.core.api_docs import ApiDocs
from saferstat.intelligence.api import router as crime_router
from saferstat.performance.api import router as performance_router

#: The body of a "no data loaded" answer (see :func:`no_data`), an RFC 9457 problem.
PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "missing_months": {"type": "array", "items": {"type": "string"}},
    },
}


class SaferStatAPI(NinjaAPI):
    """The API, whose schema also documents the problem body (``application/problem+json``)
    that any 404 may be: no data loaded for what was asked (:func:`no_data`)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                found = operation.get("responses", {}).get(404)
                if found is not None:
                    content = found.setdefault("content", {})
                    content["application/problem+json"] = {"schema": PROBLEM_SCHEMA}
        return schema


api = SaferStatAPI(
    title="SaferStat API",
    version="1",
    description="Figures, indicators and quarterly returns. Authenticate with `Authorization: Bearer <token>` "
    "(create one under Your API tokens), or read published partnerships without a token.",
    urls_namespace="api",
    docs=ApiDocs(),
    docs_decorator=require_safe,  # the schema and its page are read, never posted to
)
api.add_router("/", crime_router)


@api.exception_handler(NoDataError)
def no_data(request, exc: NoDataError):
    """No data is loaded for what was asked: 404 with a problem body (RFC 9457), never zeros."""
    body = {
        "type": "about:blank",
        "title": "No data loaded",
        "status": 404,
        "detail": str(exc),
        "missing_months": list(exc.missing_months),
    }
    response = api.create_response(request, body, status=404)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(AnalyticsError)
def analytics_error(request, exc: AnalyticsError):
    """A question the analysis cannot answer as asked: 422 with its message."""
    return api.create_response(request, {"detail": str(exc)}, status=422)


api.add_router("/", performance_router)
