"""Monthly trend chart: a gap stays a gap, the chart is labelled, and it renders to SVG."""

import re

import pytest

from saferstat.analytics.charts import FONT, monthly_trend_chart, render_svg
from saferstat.analytics.measures import Freshness, MonthValue, Overview
from saferstat.analytics.periods import parse_period


def _overview(period_text="2019/20", gap="2019-07"):
    period = parse_period(period_text)
    monthly = [
        MonthValue(m, None if m == gap else 2000 + 10 * i) for i, m in enumerate(period.months)
    ]
    return Overview(
        area_codes=("E08000018",),
        area_name="Rotherham",
        period=period,
        comparison_period=period.previous(),
        population=265_791,
        total=None,
        total_excluding_asb=None,
        crime_types=[],
        monthly=monthly,
        wards=[],
        months_loaded=[m.month for m in monthly if m.count is not None],
        missing_months=[m.month for m in monthly if m.count is None],
        comparison_months_loaded=[],
        comparison_missing_months=[],
        records_from_lsoa11=0,
        records_ward_approximate=0,
        unknown_location={},
        freshness=Freshness(None, None, None),
    )


@pytest.fixture(scope="module")
def spec():
    return monthly_trend_chart(_overview())


def test_gap_is_null_not_zero(spec):
    values = {v["month"]: v["count"] for v in spec["data"]["values"]}
    assert len(values) == 12
    assert values["2019-07-01"] is None
    assert values["2019-06-01"] == 2020
    assert 0 not in values.values()


def test_line_and_points(spec):
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["line", "point", "text"]
    assert spec["layer"][0]["mark"]["invalid"] == "break-paths-show-path-domains"
    assert spec["layer"][2]["encoding"]["text"] == {"value": "no data"}


def test_accessible_title_description_and_font(spec):
    assert spec["title"]["text"] == ("Police-recorded crime and ASB per month, Rotherham, 2019/20")
    assert "No data for July 2019: shown as a gap in the line." in spec["description"]
    assert "from 2,000 to 2,110" in spec["description"]
    assert spec["config"]["font"] == FONT == "Liberation Sans"


def test_svg_has_a_broken_line_and_no_point_for_the_gap(spec):
    svg = render_svg(spec)
    assert svg.startswith("<svg")
    line = re.search(r'aria-roledescription="line mark"[^>]*\bd="([^"]*)"', svg)
    assert line, "no line path in the SVG"
    # Two sub-paths (two "M" move-to commands): April-June, then August-March.
    assert line.group(1).count("M") == 2
    assert svg.count('aria-roledescription="point"') == 11
    assert "<title>Police-recorded crime and ASB per month, Rotherham, 2019/20</title>" in svg
    assert "<desc>Line chart of police.uk" in svg
    assert 'font-family="Liberation Sans"' in svg
    assert svg.count(">no data</text>") == 1


def test_complete_period_draws_one_line():
    svg = render_svg(monthly_trend_chart(_overview("2024/25", gap=None)))
    line = re.search(r'aria-roledescription="line mark"[^>]*\bd="([^"]*)"', svg)
    assert line.group(1).count("M") == 1
    assert svg.count('aria-roledescription="point"') == 12
    assert "no data" not in svg


def test_render_escapes_text():
    spec = monthly_trend_chart(_overview())
    spec["description"] = "a < b & c"
    assert "<desc>a &lt; b &amp; c</desc>" in render_svg(spec)
