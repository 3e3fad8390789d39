"""Choropleth maps (saferstat.analytics.maps) from the demo boundary files."""

from __future__ import annotations

import json

import pytest

from saferstat.analytics.hotspots import hotspots
from saferstat.analytics.maps import (
    BoundaryError,
    MapValue,
    choropleth,
    code_property,
    hotspot_map,
    load_boundaries,
    prepare_geometry,
)
from saferstat.analytics.periods import parse_period
from tests.analytics.independent import BARNSLEY, BOUNDARIES, ROTHERHAM, count_by

ROTHERHAM_WARDS = BOUNDARIES / "rotherham_E08000018_wards.geojson"
SY_WARDS = BOUNDARIES / "south_yorkshire_E47000002_wards.geojson"
SY_LSOA21 = BOUNDARIES / "south_yorkshire_E47000002_lsoa21.geojson"


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


def features_of(spec: dict) -> list[dict]:
    """The drawn areas (GeoJSON features) of a map's spec, whichever layer holds them."""
    pools = list(spec.get("datasets", {}).values())
    pools += [layer["data"]["values"] for layer in spec.get("layer", []) if "data" in layer]
    if "data" in spec and "values" in spec["data"]:
        pools.append(spec["data"]["values"])
    (features,) = [p for p in pools if p and "geometry" in p[0]]
    return features


def labels_of(spec: dict) -> list[dict]:
    """The names written on a map (its label layer's points), or [] without labels."""
    pools = list(spec.get("datasets", {}).values())
    pools += [layer["data"]["values"] for layer in spec.get("layer", []) if "data" in layer]
    return next((p for p in pools if p and "lon" in p[0]), [])


def test_ward_rate_map_of_rotherham(con):
    period = parse_period("2024/25")
    result = hotspots(con, area_codes=[ROTHERHAM], period=period, level="ward")
    figure = hotspot_map(result, ROTHERHAM_WARDS, measure="rate")
    features = features_of(figure.spec)
    assert len(features) == 25
    by_code = {r.code: r for r in result.rows}
    recount = count_by([ROTHERHAM], period.months, 3)
    for feature in features:
        props = feature["properties"]
        assert props["value"] == pytest.approx(by_code[props["code"]].rate_per_1000)
        assert by_code[props["code"]].count == recount[props["code"]]
    assert figure.rows == tuple(result.table())  # the data table beside the map
    assert not any("no boundary" in n for n in figure.notes)
    assert set(result.notes) <= set(figure.notes)
    shapes = figure.spec.get("layer", [figure.spec])[0]  # names are layered over the shapes
    colour = shapes["encoding"]["color"]["condition"]
    assert colour["scale"]["scheme"] == "viridis"
    assert colour["title"] == "Rate per 1,000 residents" and "legend" in colour
    assert "Boston Castle" in figure.description and "Significantly above" in figure.description
    svg = figure.svg()
    assert svg.count("<path") >= 25
    assert "<title>" in svg and "<desc>" in svg and "Rate per 1,000 residents" in svg


def test_lsoa_harm_map_and_missing_boundaries(con):
    period = parse_period("2024/25-Q4")
    lsoas = hotspots(con, area_codes=[ROTHERHAM], period=period, level="lsoa", rank_by="harm")
    figure = hotspot_map(lsoas, SY_LSOA21, measure="harm", scheme="cividis")
    assert len(features_of(figure.spec)) == 170
    assert "All crime (excluding ASB)" in figure.title and "harm" in figure.title
    assert figure.rows[0]["rank"] == 1
    assert lsoas.harm.source in figure.notes and lsoas.harm.method in figure.notes
    # Barnsley: one 2024 ward was recoded by the 2025 boundary change, so it has no shape
    wards = hotspots(con, area_codes=[BARNSLEY], period=period, level="ward")
    barnsley = hotspot_map(wards, SY_WARDS)
    assert len(features_of(barnsley.spec)) == len(wards.rows) - 1
    assert "no boundary" in barnsley.notes[0] and "E05000989" in barnsley.notes[0]


def test_choropleth_from_values_and_ring_order(tmp_path):
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # RFC 7946 exterior (anticlockwise)
    hole_cw = [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.4, 0.2], [0.2, 0.2]]
    geometry = prepare_geometry({"type": "Polygon", "coordinates": [ccw, hole_cw]})
    exterior, hole = geometry["coordinates"]
    assert exterior == ccw[::-1]  # d3-geo wants the exterior clockwise
    assert hole == hole_cw[::-1]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"WD24CD": "E0500000A", "WD24NM": "A"},
             "geometry": {"type": "Polygon", "coordinates": [ccw]}},
            {"type": "Feature", "properties": {"WD24CD": "E0500000B", "WD24NM": "B"},
             "geometry": {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 0]]]}},
        ],
    }  # fmt: skip
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    assert code_property(load_boundaries(path)["features"]) == "WD24CD"
    figure = choropleth(
        path,
        [MapValue("E0500000A", "A", 3.0), MapValue("E0500000B", "B", None),
         MapValue("E0500000C", "C", 1.0)],
        title="Test", value_title="Rate",
    )  # fmt: skip
    assert [f["properties"]["code"] for f in features_of(figure.spec)] == ["E0500000A", "E0500000B"]
    assert [r["has_boundary"] for r in figure.rows] == [True, True, False]
    assert "C (E0500000C)" in figure.notes[0]
    assert "Highest A" in figure.description
    with pytest.raises(ValueError, match="colour-blind"):
        choropleth(path, [], title="t", value_title="v", scheme="rainbow")
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(BoundaryError, match="FeatureCollection"):
        load_boundaries(bad)
    with pytest.raises(BoundaryError, match="code property"):
        code_property([{"properties": {"NAME": "x"}}])


def test_wards_are_named_on_the_map_inside_their_own_area(con):
    """Each ward's name is written on the map at its own polygon's centroid (inside its
    bounding box), and shows in the drawn SVG."""
    result = hotspots(con, area_codes=[ROTHERHAM], period=parse_period("2024/25"), level="ward")
    figure = hotspot_map(result, ROTHERHAM_WARDS, measure="rate")
    spec, features = figure.spec, features_of(figure.spec)
    assert ">Boston Castle<" in figure.svg()
    labels = labels_of(spec)
    assert {label["name"] for label in labels} == {f["properties"]["name"] for f in features}
    for label in labels:
        (feature,) = [f for f in features if f["properties"]["name"] == label["name"]]
        ring = feature["geometry"]["coordinates"][0]
        if feature["geometry"]["type"] == "MultiPolygon":
            ring = max((p[0] for p in feature["geometry"]["coordinates"]), key=len)
        xs, ys = [x for x, _ in ring], [y for _, y in ring]
        assert min(xs) <= label["lon"] <= max(xs) and min(ys) <= label["lat"] <= max(ys)


def test_many_areas_are_not_labelled():
    from saferstat.analytics.maps import LABEL_AT_MOST, MapValue, choropleth

    square = lambda i: {  # noqa: E731
        "type": "Feature",
        "properties": {"WD24CD": f"E0{i:07d}"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]],
        },
    }
    n = LABEL_AT_MOST + 1
    boundaries = {"type": "FeatureCollection", "features": [square(i) for i in range(n)]}
    values = [MapValue(f"E0{i:07d}", f"Area {i}", float(i)) for i in range(n)]
    crowded = choropleth(boundaries, values, title="t", value_title="v")
    assert labels_of(crowded.spec) == []
    few = choropleth(boundaries, values[:3], title="t", value_title="v")
    assert [label["name"] for label in labels_of(few.spec)] == ["Area 0", "Area 1", "Area 2"]
    assert labels_of(few.spec)[0]["lon"] == pytest.approx(0.5)
