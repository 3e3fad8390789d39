"""The one WHERE clause of the analyses: dataset, area, months, forces, crime types.

Every count of ``street_crimes`` or ``partner_records`` filters the same way, so it is
written once here: :func:`record_filter` returns the SQL (with ``?`` placeholders) and its
parameters, in one fixed order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def marks(values: Collection[object]) -> str:
    """``?, ?, ?``: one placeholder per value (for ``IN (...)``)."""
    return ", ".join("?" for _ in values)


def in_list(column: str, values: Sequence[object]) -> tuple[str, list[object]]:
    """``column IN (?, ...)`` and its parameters."""
    return f"{column} IN ({marks(values)})", list(values)


def record_filter(
    *,
    dataset: str | None = None,
    lad_codes: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    force_slugs: Sequence[str] | None = None,
    crime_types: Sequence[str] | None = None,
    alias: str = "",
) -> tuple[str, list[object]]:
    """A WHERE clause (without ``WHERE``) for records of these areas, months and forces.

    Args:
        dataset: ``dataset = ?`` (partner records).
        lad_codes: local authority codes, already expanded
            (:func:`saferstat.analytics.measures.expand_area_codes`).
        start, end: months ``YYYY-MM``, inclusive; both or neither.
        force_slugs: only these forces' records (None or empty: every force).
        crime_types: only these crime types (None or empty: every type).
        alias: a table alias to prefix every column with (``"s"`` -> ``s.month``).

    Returns:
        ``(sql, params)``: the conditions joined with AND (``"true"`` if none), and the
        parameters in the order of their placeholders.
    """
    prefix = f"{alias}." if alias else ""
    parts: list[str] = []
    params: list[object] = []
    if dataset is not None:
        parts.append(f"{prefix}dataset = ?")
        params.append(dataset)
    if lad_codes is not None:
        sql, values = in_list(f"{prefix}lad_code", lad_codes)
        parts.append(sql)
        params += values
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither")
    if start is not None:
        parts.append(f"{prefix}month BETWEEN ? AND ?")
        params += [start, end]
    if force_slugs:
        sql, values = in_list(f"{prefix}force_slug", force_slugs)
        parts.append(sql)
        params += values
    if crime_types:
        sql, values = in_list(f"{prefix}crime_type", crime_types)
        parts.append(sql)
        params += values
    return (" AND ".join(parts) or "true"), params


def count_of(crime_types: Sequence[str] | None) -> tuple[str, list[object]]:
    """``count(*)`` of every record (``crime_types`` None), or of these crime types only
    (``count(*) FILTER (WHERE crime_type IN (...))``), and its parameters."""
    if crime_types is None:
        return "count(*)", []
    in_types, params = in_list("crime_type", crime_types)
    return f"count(*) FILTER (WHERE {in_types})", params
