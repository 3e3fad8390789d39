"""Choropleth maps of wards or LSOAs as Vega-Lite (Altair geoshape), rendered to SVG.

Boundaries come from a GeoJSON file passed in (``demo_data/boundaries/*.geojson``: ONS
generalised clipped boundaries in WGS84 longitude/latitude); they are not in the warehouse.
The code property is found from the features (``WD24CD``/``WD25CD``... for wards,
``LSOA21CD`` for LSOAs), only the features of the areas mapped are kept, coordinates are
rounded to 5 decimals (about 1 m) and rings are rewound to the orientation Vega's d3-geo
expects (exterior clockwise), so a file in RFC 7946 order still draws the right way.

Every map is a :class:`saferstat.analytics.figures.Figure`: the spec, its title and text
description, and the data table (code, name, value) to show beside it. The colour scheme is
sequential and colour-blind safe (viridis by default), with a legend.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt

from saferstat.analytics.errors import QueryError
from saferstat.analytics.figures import Figure, finish_chart

if TYPE_CHECKING:
    from saferstat.analytics.hotspots import Hotspots

#: Properties tried, in order, to find a feature's area code.
CODE_PROPERTIES = ("LSOA21CD", "WD24CD", "WD25CD", "WD23CD", "WD22CD", "LSOA11CD", "LAD24CD")
NAME_PROPERTIES = ("LSOA21NM", "WD24NM", "WD25NM", "WD23NM", "WD22NM", "LSOA11NM", "LAD24NM")
#: Colour-blind-safe sequential schemes accepted (Vega names).
SCHEMES = ("viridis", "cividis", "blues", "greens", "purples", "oranges", "yellowgreenblue")
NO_DATA_COLOUR = "#d9d9d9"

#: measure -> (Hotspots row attribute, legend title, wording in titles).
MEASURES = {
    "count": ("count", "Records", "records"),
    "rate": ("rate_per_1000", "Rate per 1,000 residents", "rate per 1,000 residents"),
    "harm": ("harm_days", "Harm estimate (CCHI days)", "harm estimate (CCHI days)"),
    "harm_rate": (
        "harm_per_1000",
        "Harm per 1,000 residents (CCHI days)",
        "harm per 1,000 residents (CCHI days)",
    ),
}


class BoundaryError(ValueError):
    """A boundary file that cannot be used (not GeoJSON, no code property...)."""


@dataclass(frozen=True)
class MapValue:
    """One area on a map: its code, name and value (``None`` = no data)."""

    code: str
    name: str
    value: float | None


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8-sig") as handle:
        data = json.load(handle)
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise BoundaryError(f"{path}: not a GeoJSON FeatureCollection")
    return data


def load_boundaries(path: str | os.PathLike) -> dict[str, Any]:
    """Read a GeoJSON FeatureCollection (cached while the file is unchanged)."""
    path = Path(path)
    return _read(str(path.resolve()), path.stat().st_mtime)


def code_property(features: Sequence[dict[str, Any]]) -> str:
    """The property that holds the area code (the first of :data:`CODE_PROPERTIES` found)."""
    if not features:
        raise BoundaryError("the boundary file has no features")
    properties = features[0].get("properties") or {}
    for name in CODE_PROPERTIES:
        if name in properties:
            return name
    raise BoundaryError(
        f"no area code property in the boundaries (looked for {', '.join(CODE_PROPERTIES)})"
    )


def _ring(ring: list, clockwise: bool) -> list:
    ring = [[round(x, 5), round(y, 5)] for x, y, *_ in ring]
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))
    is_clockwise = area < 0
    return ring if is_clockwise == clockwise else ring[::-1]


def _polygon(rings: list) -> list:
    return [_ring(r, clockwise=(i == 0)) for i, r in enumerate(rings)]


def prepare_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """Round coordinates and rewind rings for d3-geo (exterior clockwise, holes anticlockwise)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_polygon(p) for p in geometry["coordinates"]]}
    raise BoundaryError(f"unsupported geometry type {kind!r}: expected Polygon or MultiPolygon")


#: Areas are named on the map when there are at most this many (wards, not LSOAs).
LABEL_AT_MOST = 40


def label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """Where an area's name goes: the area-weighted centroid of its largest polygon's outer
    ring (shoelace formula), or the mean of its points for a degenerate ring."""
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else list(geometry["coordinates"])
    )

    def ring_area_centroid(ring: list) -> tuple[float, float, float]:
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        return area / 2, cx, cy

    best = max((ring_area_centroid(p[0]) + (p[0],) for p in polygons), key=lambda r: abs(r[0]))
    area, cx, cy, ring = best
    if abs(area) < 1e-12:
        return (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    return (cx / (6 * area), cy / (6 * area))


def _format(value: float, spec: str) -> str:
    """``value`` in a d3 format that Python shares (``,.1f``); plain ``str`` otherwise."""
    try:
        return format(value, spec)
    except ValueError:
        return str(value)


def choropleth(
    boundaries: str | os.PathLike | dict[str, Any],
    values: Sequence[MapValue],
    *,
    title: str,
    value_title: str,
    description: str | None = None,
    value_format: str = ",.1f",
    scheme: str = "viridis",
    code_field: str | None = None,
    width: int = 520,
    height: int = 420,
    labels: bool | None = None,
) -> Figure:
    """A choropleth of ``values`` over the matching boundary features.

    Args:
        boundaries: path of a GeoJSON FeatureCollection, or the loaded dict.
        values: one :class:`MapValue` per area to draw; only these areas are drawn.
        title, value_title: chart title and legend title (e.g. "Rate per 1,000 residents").
        description: text description (a default one is written from the values).
        value_format: d3 format of the values in the legend and tooltips.
        scheme: a colour-blind-safe sequential scheme, one of :data:`SCHEMES`.
        code_field: the code property (default: found by :func:`code_property`).
        labels: write each area's name on the map (default: when at most
            :data:`LABEL_AT_MOST` areas are drawn, as for wards).

    Returns:
        :class:`Figure` whose rows are ``code, name, value, has_boundary`` in the order given;
        its notes list the areas with no boundary in the file.
    """
    if scheme not in SCHEMES:
        raise QueryError(f"scheme must be one of {', '.join(SCHEMES)} (colour-blind safe)")
    collection = boundaries if isinstance(boundaries, dict) else load_boundaries(boundaries)
    features = collection["features"]
    field = code_field or code_property(features)
    wanted = {v.code: v for v in values}
    drawn = []
    for feature in features:
        code = (feature.get("properties") or {}).get(field)
        if code not in wanted:
            continue
        item = wanted[code]
        drawn.append(
            {
                "type": "Feature",
                "geometry": prepare_geometry(feature["geometry"]),
                "properties": {"code": code, "name": item.name, "value": item.value},
            }
        )
    found = {f["properties"]["code"] for f in drawn}
    missing = [v for v in values if v.code not in found]
    known = [v for v in values if v.value is not None and not math.isnan(v.value)]
    if description is None:
        description = f"Choropleth map: {value_title.lower()} for {len(values)} areas."
        if known:
            top = max(known, key=lambda v: v.value)
            low = min(known, key=lambda v: v.value)
            description += (
                f" Highest {top.name} ({_format(top.value, value_format)}), lowest "
                f"{low.name} ({_format(low.value, value_format)}); darker is higher."
            )
    notes = []
    if missing:
        notes.append(
            f"{len(missing)} areas have no boundary in the file and are not drawn: "
            + ", ".join(f"{v.name} ({v.code})" for v in missing)
        )
    data = alt.Data(values=drawn, format=alt.DataFormat(type="json"))
    shapes = (
        alt.Chart(data)
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.condition(
                "datum.properties.value !== null",
                alt.Color(
                    "properties.value:Q",
                    title=value_title,
                    scale=alt.Scale(scheme=scheme, reverse=scheme == "viridis"),
                    legend=alt.Legend(format=value_format, orient="right"),
                ),
                alt.value(NO_DATA_COLOUR),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Area"),
                alt.Tooltip("properties.code:N", title="Code"),
                alt.Tooltip("properties.value:Q", title=value_title, format=value_format),
            ],
        )
    )
    if labels is None:
        labels = len(drawn) <= LABEL_AT_MOST
    chart = shapes
    if labels and drawn:
        points = []
        for feature in drawn:
            lon, lat = label_point(feature["geometry"])
            points.append({"lon": lon, "lat": lat, "name": feature["properties"]["name"]})
        names = (
            alt.Chart(alt.Data(values=points))
            .mark_text(
                fontSize=11, color="#0b0c0c", stroke="white", strokeWidth=3, strokeOpacity=0.8
            )
            .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
        )
        # The white halo first, the ink on top, so a name reads on dark and light areas.
        ink = (
            alt.Chart(alt.Data(values=points))
            .mark_text(fontSize=11, color="#0b0c0c")
            .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
        )
        chart = alt.layer(shapes, names, ink)
    chart = chart.project(type="mercator")
    spec = finish_chart(chart, title, description, width=width, height=height)
    rows = tuple(
        {"code": v.code, "name": v.name, "value": v.value, "has_boundary": v.code in found}
        for v in values
    )
    return Figure(
        spec, title, description, ("code", "name", "value", "has_boundary"), rows, tuple(notes)
    )


def hotspot_map(
    hotspots: Hotspots,
    boundaries: str | os.PathLike | dict[str, Any],
    *,
    measure: str = "rate",
    scheme: str = "viridis",
    width: int = 520,
    height: int = 420,
) -> Figure:
    """Map of a :class:`~saferstat.analytics.hotspots.Hotspots` result (one value per unit).

    ``measure`` is ``'count'``, ``'rate'``, ``'harm'`` or ``'harm_rate'``. The data table is the
    full hotspot table (rank, count, rate and interval, significance, harm) in rank order.
    """
    if measure not in MEASURES:
        raise QueryError(f"measure must be one of {', '.join(MEASURES)}")
    attribute, value_title, wording = MEASURES[measure]
    h = hotspots
    level = "ward" if h.level == "ward" else "LSOA"
    label = h.label
    if measure.startswith("harm") and h.crime_types is None:
        label = "All crime (excluding ASB)"
    title = f"{label}: {wording} by {level}, {h.area_name}, {h.period.label}"
    values = [MapValue(r.code, r.name, getattr(r, attribute)) for r in h.rows]
    figure = choropleth(
        boundaries,
        values,
        title=title,
        value_title=value_title,
        value_format=",.0f" if measure in ("count", "harm") else ",.1f",
        scheme=scheme,
        width=width,
        height=height,
    )
    geography = "2024 wards" if h.level == "ward" else "2021 LSOAs"
    description = (
        f"Map of {h.area_name} by {level} ({geography}), {h.period.title}: "
        f"{wording}, {label}. {figure.description}"
    )
    above = [r.name for r in h.above]
    if measure == "rate" and above:
        description += f" Significantly above the {h.area_name} rate: {', '.join(above[:10])}" + (
            f" and {len(above) - 10} more." if len(above) > 10 else "."
        )
    spec = {**figure.spec, "description": description}
    rows = tuple(h.table())
    columns = tuple(rows[0]) if rows else ()
    notes = (*figure.notes, *h.notes)
    if measure.startswith("harm"):
        notes = (*notes, h.harm.source)
    return Figure(spec, title, description, columns, rows, notes)
