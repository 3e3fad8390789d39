"""The explorer: stable URLs, every view with chart and table, downloads, validation."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import openpyxl
import pytest

from saferstat.intelligence.models import DataRequest, SavedView

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
URL = "/p/rotherham/explore/"


def weapons_recount(lad: str, months: list[str]) -> int:
    """Independent: Possession of weapons rows in the LA's LSOA 2021 codes, from the raw files."""
    with open(DEMO / "ons" / "LSOA21_WD24_LAD24_EW_LU.csv", encoding="utf-8-sig", newline="") as f:
        lsoas = {r["LSOA21CD"] for r in csv.DictReader(f) if r["LAD24CD"] == lad}
    total = 0
    for month in months:
        with gzip.open(
            DEMO / "police-uk" / f"{month}-south-yorkshire-street.csv.gz", "rt", encoding="utf-8"
        ) as f:
            total += sum(
                1
                for r in csv.DictReader(f)
                if r["LSOA code"] in lsoas and r["Crime type"] == "Possession of weapons"
            )
    return total


FY = [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["trend", "wards", "compare", "harm"])
def test_every_view_has_a_chart_and_its_table(client, overview_warehouse, rotherham, members, view):
    client.force_login(members["scrutiny"])
    response = client.get(
        URL, {"view": view, "period": "2024/25", "from": "2024-04", "to": "2025-03"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="result-table"' in html and "format=svg" in html
    svg = client.get(
        URL,
        {"view": view, "period": "2024/25", "from": "2024-04", "to": "2025-03", "format": "svg"},
    )
    assert (
        svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    )


@pytest.mark.django_db
def test_comparison_answers_the_knife_crime_question(
    client, overview_warehouse, rotherham, members
):
    """Seed 000: "is knife crime going up, and how do we compare with Barnsley?"."""
    client.force_login(members["analyst"])
    params = {
        "view": "compare",
        "period": "2024/25",
        "crime_type": "Possession of weapons",
        "compare": "E08000038",
    }
    response = client.get(URL, {**params, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    counts = {r["name"]: int(r["count"]) for r in rows}
    assert counts["Rotherham"] == weapons_recount("E08000018", FY)
    assert counts["Barnsley"] == weapons_recount("E08000016", FY)
    page = client.get(URL, params).content.decode()
    assert "group rate" in page and "Byar" in page


@pytest.mark.django_db
def test_trend_has_an_spc_verdict_and_downloads(client, overview_warehouse, rotherham, members):
    client.force_login(members["board"])
    params = {
        "view": "trend",
        "from": "2024-04",
        "to": "2025-03",
        "crime_type": "Possession of weapons",
    }
    page = client.get(URL, params).content.decode()
    assert "SPC verdict" in page
    xlsx = client.get(URL, {**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    counts = [row[header.index("count")] for row in values[1:]]
    assert sum(counts) == weapons_recount("E08000018", FY)
    ods = client.get(URL, {**params, "format": "ods"})
    assert ods.status_code == 200 and ods.content[:2] == b"PK"


@pytest.mark.django_db
def test_a_gap_is_shown_as_a_gap(client, overview_warehouse, rotherham, members):
    client.force_login(members["analyst"])
    page = client.get(URL, {"view": "trend", "from": "2024-01", "to": "2025-03"}).content.decode()
    assert "shown as gaps, never as zero" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,field",
    [
        ({"view": "nonsense"}, "view"),
        ({"view": "trend", "from": "2024-13", "to": "2025-01"}, "from"),
        ({"view": "trend", "from": "2025-03", "to": "2024-04"}, "from"),
        ({"view": "wards", "period": "2024/26"}, "period"),
        ({"crime_type": "Burglarly"}, "crime_type"),
        ({"view": "compare", "compare": "Barnsley"}, "compare"),
        ({"source": "no-such-dataset"}, "source"),
    ],
)
def test_bad_parameters_are_explained(
    client, overview_warehouse, rotherham, members, params, field
):
    client.force_login(members["analyst"])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_format_is_404(client, overview_warehouse, rotherham, members):
    client.force_login(members["analyst"])
    assert client.get(URL, {"format": "exe"}).status_code == 404


@pytest.mark.django_db
def test_canonical_url_round_trips(client, overview_warehouse, rotherham, members):
    client.force_login(members["analyst"])
    page = client.get(
        URL, {"crime_type": "Robbery", "view": "wards", "period": "2024/25"}
    ).content.decode()
    assert "source=police&amp;view=wards&amp;crime_type=Robbery&amp;period=2024%2F25" in page


@pytest.mark.django_db
def test_analyst_saves_a_view_to_a_request(client, overview_warehouse, rotherham, members):
    req = DataRequest.objects.create(
        partnership=rotherham,
        raised_by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date="2030-01-01",
    )
    client.force_login(members["analyst"])
    query = "source=police&view=compare&crime_type=Possession+of+weapons&period=2024%2F25"
    response = client.post(
        URL + "save/", {"query": query, "request": req.pk, "title": "Weapons vs neighbours"}
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.request, view.query, view.title) == (req, query, "Weapons vs neighbours")
    req.refresh_from_db()
    assert req.status == "in_progress"
    client.force_login(members["scrutiny"])
    assert client.post(URL + "save/", {"query": query, "request": req.pk}).status_code == 403


@pytest.mark.django_db
def test_partner_dataset_in_the_explorer_with_spc_and_demo_label(client, overview_warehouse):
    from saferstat.core.demo import demo_install
    from saferstat.core.models import User
    from saferstat.intelligence.datasets.demo import demo_partner_install

    demo_install()
    demo_partner_install(("rotherham",))
    client.force_login(User.objects.get(username="rotherham-analyst"))
    page = client.get(
        URL, {"source": "knife-crime", "view": "trend", "from": "2024-04", "to": "2025-09"}
    )
    assert page.status_code == 200, page.content[-2000:]
    html = page.content.decode()
    assert "SPC verdict" in html and "Demo data: invented values." in html
    wards = client.get(
        URL, {"source": "knife-crime", "view": "wards", "period": "2024/25", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(wards.content.decode("utf-8-sig"))))
    assert len(rows) == 25 and all(int(r["count"]) >= 0 for r in rows)
    client.force_login(User.objects.get(username="rotherham-scrutiny"))
    # CSE/CCE reports are sensitive and not shared with scrutiny: not even its name is accepted.
    assert client.get(URL, {"source": "exploitation-intelligence"}).status_code == 400


@pytest.mark.django_db
def test_many_areas_are_compared_on_a_funnel_plot(
    client, overview_warehouse, rotherham, members, monkeypatch
):
    from saferstat.intelligence.explorer import query as explorer

    client.force_login(members["analyst"])
    few = client.get(URL, {"view": "compare", "period": "2024/25", "format": "svg"})
    assert few.status_code == 200 and b"99.8%" not in few.content
    # Only the 4 South Yorkshire districts have data here: lower the switch to see the funnel.
    monkeypatch.setattr(explorer, "FUNNEL_FROM_AREAS", 3)
    svg = client.get(URL, {"view": "compare", "period": "2024/25", "format": "svg"})
    assert svg.status_code == 200
    assert b"99.8%" in svg.content  # the funnel's outer limit is labelled
    # West Yorkshire districts have no police.uk rows here: refused, never compared as 0
    # (they were drawn as zeros on the funnel before).
    codes = "E08000038,E08000017,E08000039,E08000032,E08000033,E08000034,E08000035"
    page = client.get(URL, {"view": "compare", "period": "2024/25", "compare": codes})
    assert page.status_code == 400 and "outside the loaded data" in page.content.decode()


@pytest.mark.django_db
def test_partner_wards_view_has_a_map_and_the_hotspot_table(client, overview_warehouse):
    from saferstat.core.demo import demo_install
    from saferstat.core.models import User
    from saferstat.intelligence.datasets.demo import demo_partner_install

    demo_install()
    demo_partner_install(("rotherham",))
    client.force_login(User.objects.get(username="rotherham-analyst"))
    params = {"source": "knife-crime", "view": "wards", "period": "2024/25"}
    page = client.get(URL, params).content.decode()
    assert (
        "significantly above the Rotherham rate" in page and "Demo data: invented values." in page
    )
    svg = client.get(URL, {**params, "format": "svg"})
    assert (
        svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    )
    table = client.get(URL, {**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert len(rows) == 25 and {r["code"][:3] for r in rows} == {"E05"}
    assert all(r["significance"] in ("above", "below", "similar") for r in rows)
    # A partnership-level dataset cannot be mapped by ward: the reason is shown.
    youth = client.get(URL, {"source": "first-time-entrants", "view": "wards", "period": "2024/25"})
    assert "recorded for the whole partnership, not by ward" in youth.content.decode()


@pytest.mark.django_db
def test_counts_by_quarter_with_changes_and_significance(
    client, overview_warehouse, rotherham, members
):
    client.force_login(members["analyst"])
    params = {"view": "periods", "kind": "quarter", "from": "2024-04", "to": "2025-03",
              "crime_type": "Possession of weapons", "format": "csv"}  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(client.get(URL, params).content.decode("utf-8-sig"))))
    assert [r["period"] for r in rows] == ["2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4"]
    assert sum(int(r["count"]) for r in rows) == weapons_recount("E08000018", FY)
    quarter_one = weapons_recount("E08000018", ["2024-04", "2024-05", "2024-06"])
    assert int(rows[0]["count"]) == quarter_one
    assert "p_value_vs_last_year" in rows[0]
    page = client.get(URL, {**params, "format": "html"}).content.decode()
    assert "Incomplete periods" not in page
    gap = client.get(
        URL, {**params, "format": "html", "from": "2024-01", "to": "2024-12"}
    ).content.decode()
    assert "Incomplete periods" in gap  # 2023/24-Q4 (January to March 2024) is not loaded
    # A range with no loaded month at all is no data (404), not a table of empty rows.
    none = client.get(URL, {**params, "format": "html", "from": "2023-04", "to": "2024-03"})
    assert none.status_code == 404 and 'id="no-data"' in none.content.decode()
