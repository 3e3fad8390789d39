"""Explorer views frozen with the warehouse version they came from.

The figures are the explorer's own (`intelligence.explorer.query.parse_query` and `build`):
nothing is computed here, only stored. A view's ``query`` is what was asked, which may leave
the months open ("the latest"); its frozen ``figures`` hold the explorer's answer, including
the resolved query (the exact months), so the frozen figures can be checked by reopening
that query, while "as now" reopens the query as asked, with today's data.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.http import QueryDict

from saferstat.analytics.errors import AnalyticsError, NoDataError
from saferstat.analytics.warehouse.manifest import read_manifest
from saferstat.core.models import Partnership
from saferstat.intelligence import figures as bridge
from saferstat.intelligence.datasets.models import PartnerDataset
from saferstat.intelligence.explorer import query as explorer

#: How many times a freeze retries when a load publishes while it computes.
RETRIES = 3


def clean_query(text: str) -> str:
    """The query string of an explorer address or query ("https://.../explorer/?view=trend",
    "?view=trend" or "view=trend"), without ``format``; '' if there is none."""
    text = (text or "").strip()
    if "?" in text:
        text = (
            urlsplit(text).query if "://" in text or text.startswith("/") else text.split("?", 1)[1]
        )
    pairs = [(k, v) for k, v in parse_qsl(text, keep_blank_values=False) if k != "format"]
    return urlencode(pairs)[:1000]


def warehouse_version(partnership: Partnership) -> dict[str, Any] | None:
    """The warehouse's manifest generation (it rises at every load), when it was written and
    the partnership's latest loaded month; None with no warehouse."""
    if not bridge.warehouse_is_ready():
        return None
    manifest = read_manifest(bridge.warehouse_root())
    months = bridge.loaded_months(partnership)
    return {
        "generation": int(manifest.get("generation") or 0),
        "updated_at": manifest.get("updated_at"),
        "latest_month": months[-1] if months else None,
    }


def _json(value: Any) -> Any:
    """A table cell as JSON (dates as ISO text, a missing or infinite number as None)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json(value.item())
    return str(value)


def _datasets(partnership: Partnership) -> list[PartnerDataset]:
    return list(PartnerDataset.objects.filter(partnership=partnership))


def query_errors(partnership: Partnership, query: str) -> str:
    """What the explorer would refuse in ``query`` ('' when it accepts it)."""
    q = explorer.parse_query(QueryDict(query), partnership, _datasets(partnership))
    return "; ".join(q.errors.values())


def compute(partnership: Partnership, query: str) -> dict[str, Any]:
    """The explorer's answer to ``query`` as JSON-safe data: {resolved_query, title,
    verdicts, columns, rows, notes, warnings, chart: {svg, description} or None, facts}.

    Raises:
        ValidationError: the query is not one the explorer accepts.
        NoDataError: the data it asks about is not loaded.
        AnalyticsError: the analysis cannot answer it.
    """
    if not bridge.warehouse_is_ready():
        raise NoDataError("No data is loaded yet.")
    datasets = _datasets(partnership)
    q = explorer.parse_query(QueryDict(query), partnership, datasets)
    if q.errors:
        raise ValidationError({"query": "; ".join(q.errors.values())})
    result = explorer.build(q, partnership, datasets)
    return {
        "resolved_query": q.querystring(),
        "title": result.title,
        "verdicts": list(result.verdicts),
        "columns": list(result.columns),
        "rows": [{c: _json(row.get(c)) for c in result.columns} for row in result.rows],
        "notes": list(result.notes),
        "warnings": list(result.warnings),
        "chart": (
            {"svg": result.figure.svg(), "description": result.figure.description}
            if result.figure is not None
            else None
        ),
        "facts": {k: _json(v) for k, v in result.facts.items()},
    }


def compute_versioned(partnership: Partnership, query: str) -> tuple[dict, dict | None]:
    """``compute`` with the warehouse version the figures came from: the version is read
    before and after, and the figures computed again if a load published in between."""
    for _ in range(RETRIES):
        before = warehouse_version(partnership)
        figures = compute(partnership, query)
        after = warehouse_version(partnership)
        if before == after:
            return figures, after
    raise AnalyticsError("Data kept loading while the figures were frozen: try again.")


def figures_of(view) -> tuple[dict | None, str]:
    """What a view shows: its frozen figures, or today's if it is not frozen (with a
    message instead when there are none)."""
    if view.figures is not None:
        return view.figures, ""
    try:
        return compute(view.partnership, view.query), ""
    except ValidationError as exc:
        return None, "; ".join(exc.messages)
    except AnalyticsError as exc:
        return None, str(exc)


def explorer_url(slug: str, query: str) -> str:
    from django.urls import reverse

    return f"{reverse('explorer:page', args=[slug])}?{query}"
