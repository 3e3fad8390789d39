"""The scrutiny pack, the full quarterly report and ward profiles: built from the same
section machinery as the annual report, with charts drawn from their (disclosure-controlled)
tables, and a ward profile's figures from the one analytics path."""

from __future__ import annotations

import io

import pikepdf
import pytest

from saferstat.analytics import measures, stats
from saferstat.analytics import wards as analytic_wards
from saferstat.analytics.disclosure import SUPPRESSED
from saferstat.analytics.periods import parse_period
from saferstat.plan.models import Priority
from saferstat.reports import render, selectors, services
from saferstat.reports.models import ReportKind
from saferstat.reports.sections import REGISTRY, sections_for
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world
from tests.reports.world import build_version

ROTHERHAM = ("E08000018",)
WARD = "Aston & Todwick"
FY = parse_period("2024/25")


@pytest.fixture
def world(rotherham, members):
    plan = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
        value=5,
    )
    Priority.objects.filter(pk=plan["first"].pk).update(name="Child sexual exploitation")
    build_governance(rotherham, members["admin"], owner=members["board"])
    return plan


def _keys(kind):
    return [s.key for s in sections_for(kind)]


def test_the_pack_reuses_every_annual_section_and_adds_its_own():
    annual = _keys(ReportKind.ANNUAL)
    pack = _keys(ReportKind.SCRUTINY)
    assert pack[0] == "summary"
    assert [k for k in pack if k in annual] == annual  # the annual report, in its order
    assert {"neighbours", "data-requests", "last-year"} <= set(pack)
    # One registry entry per section: the pack and the annual report share the builders.
    assert len({s.key for s in REGISTRY}) == len(REGISTRY)
    quarterly = _keys(ReportKind.QUARTERLY)
    assert quarterly[0] == "summary" and {"quarter-dashboard", "crime", "board-actions"} <= set(
        quarterly
    )


@pytest.mark.django_db
def test_the_scrutiny_pack_starts_short_and_honest_with_the_detail_one_click_away(
    client, world, rotherham, members
):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="scrutiny-pack", period="2024/25"
    )
    version = build_version(report, members["analyst"])
    sections = {s["key"]: s for s in version.sections}
    summary = sections["summary"]["data"]
    headings = [p["heading"] for p in summary["parts"]]
    assert headings[:2] == ["What changed", "What is real"]
    asked = summary["parts"][3]
    assert asked["heading"].startswith("What the committee asked last time (06 November 2024)")
    assert any("Report hate crime outcomes" in i["text"] for i in asked["items"])
    # Every summary line points to its detail.
    assert all(i["source"].startswith("#section-") for p in summary["parts"] for i in p["items"])
    # Last year's recommendations (2023/24) and this year's are separate sections.
    assert "No scrutiny meeting was held in 2023/24." in sections["last-year"]["data"]["paragraphs"]
    assert sections["scrutiny"]["data"]["tables"][0]["rows"][0]["label"].startswith("Report hate")
    client.force_login(members["scrutiny"])
    html = client.get(f"/p/rotherham/reports/{report.pk}/").content.decode()
    summary_at = html.index('id="section-summary"')
    assert "<details" not in html[summary_at : html.index('id="section-introduction"')]
    assert html.count('class="govuk-details saferstat-detail"') >= 8


@pytest.mark.django_db
def test_the_quarterly_report_has_the_boards_actions_and_its_summary(world, rotherham, members):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="quarterly", period="2024/25-Q2"
    )
    version = build_version(report, members["analyst"])
    sections = {s["key"]: s for s in version.sections}
    actions = sections["board-actions"]["data"]["tables"][0]["rows"]
    assert [a["label"] for a in actions] == ["Provide a briefing on the priority data"]
    assert actions[0]["cells"][2]["value"] == "overdue"  # due 31 July, still open at the end
    asked = sections["summary"]["data"]["parts"][3]
    assert asked["heading"].startswith("What the Board asked last time (10 June 2024)")
    assert "briefing" in asked["items"][0]["text"]


def test_a_public_report_under_twelve_months_withholds_sensitive_counts():
    table = {
        "key": "t",
        "caption": "Records",
        "columns": ["Type", "Records"],
        "totals": True,
        "total": 140,
        "rows": [
            {
                "label": "Violence and sexual offences",
                "cells": [{"value": 40, "unit": "count", "sensitive": True}],
            },
            {"label": "Burglary", "cells": [{"value": 60, "unit": "count"}]},
            {"label": "Shoplifting", "cells": [{"value": 40, "unit": "count"}]},
        ],
    }
    sections = [{"key": "crime", "title": "Crime", "data": {"tables": [table]}}]
    year, _ = selectors.disclose(sections, months=12)
    quarter, log = selectors.disclose(sections, months=3)
    assert [r["cells"][0]["value"] for r in year[0]["data"]["tables"][0]["rows"]] == [40, 60, 40]
    shown = [r["cells"][0]["value"] for r in quarter[0]["data"]["tables"][0]["rows"]]
    # Withheld, and a second cell hidden so the total does not give it away.
    assert shown == [SUPPRESSED, 60, SUPPRESSED]
    assert any("less than 12 months" in s["reason"] for s in log)
    assert any(s["reason"].startswith("secondary") for s in log)


def test_ward_profile_figures_match_the_overview_and_the_interval(demo_warehouse_con):
    profile = analytic_wards.ward_profile(
        demo_warehouse_con,
        area_codes=ROTHERHAM,
        ward=WARD,
        period=FY,
        force_slugs=["south-yorkshire"],
    )
    overview = measures.overview(
        demo_warehouse_con, area_codes=ROTHERHAM, period=FY, force_slugs=["south-yorkshire"]
    )
    row = next(w for w in overview.wards if w.ward_name == WARD)
    assert profile.count == row.count and profile.population == row.population
    assert sum(m.count for m in profile.monthly) == profile.count
    assert sum(n for _t, n in profile.crime_types) == profile.count
    assert profile.area_count == overview.total.count
    expected = stats.rate_ci(row.count, row.population)
    assert profile.rate.lower == pytest.approx(expected.lower)
    assert profile.rate.upper == pytest.approx(expected.upper)
    assert profile.compared == expected.compare_to(profile.area_rate_per_1000)
    assert profile.harm.crime_count == profile.count - profile.asb_count
    with pytest.raises(Exception, match="not a ward"):
        analytic_wards.ward_profile(
            demo_warehouse_con, area_codes=ROTHERHAM, ward="Atlantis", period=FY
        )


@pytest.mark.slow
@pytest.mark.django_db
def test_a_ward_profile_builds_with_charts_and_its_public_pdf_hides_sensitive_counts(
    world, rotherham, members, demo_warehouse, settings, tmp_path
):
    settings.SAFERSTAT_WAREHOUSE = demo_warehouse
    report = services.report_create(
        partnership=rotherham,
        by=members["analyst"],
        kind="ward-profile",
        period="2024/25",
        ward=WARD.upper(),
    )
    assert report.ward == WARD and WARD in report.title
    version = build_version(report, members["analyst"])
    assert version.is_built, version.error
    internal = {s["key"]: s for s in version.sections}
    public = {s["key"]: s for s in version.public_sections}
    types = internal["ward-types"]["data"]["tables"][0]
    vso = next(r for r in types["rows"] if r["label"] == "Violence and sexual offences")
    assert vso["cells"][0]["sensitive"] and vso["cells"][0]["value"] > 0
    public_types = public["ward-types"]["data"]["tables"][0]
    for row in public_types["rows"]:
        value = row["cells"][0]["value"]
        assert value == SUPPRESSED or value % 5 == 0, row  # rounded, or hidden
    # The public chart is drawn from the public table: no more than it shows.
    spec = render.chart_spec(public_types)
    values = spec["data"]["values"] if "data" in spec else spec["datasets"]
    drawn = {v["label"]: v["value"] for v in (values if isinstance(values, list) else [])}
    for row in public_types["rows"][: render.CHART_BARS]:
        shown = row["cells"][0]["value"]
        assert drawn.get(row["label"]) == (None if shown == SUPPRESSED else shown)
    pdf = render.pdf_bytes(report, version.public_sections, public=True, version=version)
    doc = pikepdf.open(io.BytesIO(pdf))
    assert "/StructTreeRoot" in doc.Root
    images = [pikepdf.PdfImage(img) for page in doc.pages for img in page.get_images().values()]
    assert len(images) >= 2  # the trend and the crime types charts
    for image in images:
        lightest_darkest = image.as_pil_image().convert("L").getextrema()
        assert lightest_darkest[0] < 128 < lightest_darkest[1], "a chart is blank"
    # Each chart is a tagged figure with its alternative text.
    figures = [
        n
        for n in _struct_nodes(doc.Root.StructTreeRoot)
        if n.get("/S") == "/Figure" and "/Alt" in n
    ]
    assert len(figures) >= 2 and "table below" in str(figures[0].Alt)


def _struct_nodes(node, depth=0):
    if depth > 60:
        return
    kids = node.get("/K")
    if kids is None:
        return
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _struct_nodes(kid, depth + 1)
