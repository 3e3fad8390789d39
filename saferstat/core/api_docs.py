"""The API documentation page: a server-rendered list of the endpoints, read from the
OpenAPI schema (docs/decisions/0002-api-docs.md). It replaces Swagger UI, which needs
scripts from a CDN (refused by our Content Security Policy) and fails accessibility checks.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_schema_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {_schema_type(schema.get('items', {}))}"
    return {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "boolean": "yes or no",
    }.get(kind, kind or "value")


def endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per operation: method, path, summary, description, parameters, responses."""
    found = []
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            found.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": {"path": "in the address", "query": "query string"}.get(
                                p.get("in", ""), p.get("in", "")
                            ),
                            "required": p.get("required", False),
                            "type": _schema_type(p.get("schema", {})),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": [
                        (code, r.get("description", ""))
                        for code, r in op.get("responses", {}).items()
                    ],
                    "authenticated": bool(op.get("security")),
                }
            )
    return found


class ApiDocs(DocsBase):
    """Django Ninja docs page rendered with the site's own template (no scripts)."""

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "core/api_docs.html",
            {
                "api_title": schema["info"]["title"],
                "api_version": schema["info"]["version"],
                "api_description": schema["info"].get("description", ""),
                "endpoints": endpoints(schema),
                "openapi_url": self.get_openapi_url(api, kwargs),
            },
        )
