"""The ward map of case review applications: for the analysts and case reviewers only,
exact counts (internal), every ward of the area from the ONS lookup, a chart with its data
table and downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from saferstat.analytics.casereview import ward_counts
from saferstat.casereviews import services

D = dt.date


@pytest.fixture(scope="module")
def reference_warehouse(tmp_path_factory):
    """A warehouse holding only the ONS reference tables (the ward lookup), built once."""
    from pathlib import Path

    from saferstat.analytics.reference import load_reference

    root = tmp_path_factory.mktemp("wards") / "warehouse"
    load_reference(root, Path(__file__).resolve().parents[2] / "demo_data" / "ons")
    return root


@pytest.fixture
def wards_loaded(reference_warehouse, settings):
    settings.SAFERSTAT_WAREHOUSE = reference_warehouse


def _case(partnership, admin, received, ward):
    return services.application_create(
        partnership=partnership,
        by=admin,
        received_on=received,
        applicant_type="victim",
        applicant_name="VICTIMMARK Applicant",
        ward_code=ward,
    )


def test_ward_counts_by_hand():
    wards = [("E1", "North"), ("E2", "South"), ("E3", "East")]
    counts = ward_counts(["E1", "e1 ", "E2", "", "X9", "X9"], wards)
    assert counts.rows == (("E1", "North", 2), ("E2", "South", 1), ("E3", "East", 0))
    assert counts.no_ward == 1 and counts.elsewhere == (("X9", 2),) and counts.total == 6


@pytest.mark.django_db
def test_the_map_page_for_the_analyst(client, rotherham, members, wards_loaded):
    admin = members["admin"]
    for received, ward in [
        (D(2024, 5, 1), "E05013010"),  # Rotherham East
        (D(2024, 6, 1), "E05013010"),
        (D(2024, 7, 1), "E05013016"),  # Wath
        (D(2024, 8, 1), ""),
        (D(2023, 8, 1), "E05013016"),  # 2023/24: not in 2024/25
    ]:
        _case(rotherham, admin, received, ward)
    client.force_login(members["analyst"])  # an analyst, not named as a case reviewer
    url = "/p/rotherham/case-reviews/map/"
    html = client.get(url).content.decode()
    assert "ASB case review applications by ward, Safer Rotherham Partnership, 2024/25" in html
    assert "never published" in html and "small ones included" in html
    assert "VICTIMMARK" not in html
    table = html[html.index('id="ward-table"') :]
    assert table.count('<tr class="govuk-table__row">') == 26  # header + Rotherham's 25 wards
    east = table[table.index("Rotherham East") :]
    assert east.split('govuk-table__cell--numeric">')[1].startswith("2<")
    assert "1 application with no ward recorded" in html
    assert 'format=svg" alt="Choropleth map' in html
    svg = client.get(url + "?year=2024/25&format=svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    rows = list(
        csv.reader(
            io.StringIO(client.get(url + "?year=all&format=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0] == ["ward", "code", "applications"]
    assert ["Wath", "E05013016", "2"] in rows and len(rows) == 26
    assert client.get(url + "?year=2019/20").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["lead", "board", "scrutiny"])
def test_the_map_is_refused_to_other_roles_and_the_public(client, rotherham, members, role):
    _case(rotherham, members["admin"], D(2024, 5, 1), "E05013010")
    client.force_login(members[role])
    assert client.get("/p/rotherham/case-reviews/map/").status_code == 403
    assert client.get("/p/rotherham/case-reviews/map/?format=csv").status_code == 403
    client.logout()
    assert client.get("/p/rotherham/case-reviews/map/").status_code == 302


@pytest.mark.django_db
def test_without_the_ward_lookup_the_page_says_so(client, rotherham, members, settings, tmp_path):
    settings.SAFERSTAT_WAREHOUSE = tmp_path / "empty"
    _case(rotherham, members["admin"], D(2024, 5, 1), "E05013010")
    client.force_login(members["admin"])
    html = client.get("/p/rotherham/case-reviews/map/").content.decode()
    assert "No ONS ward lookup loaded" in html and 'id="ward-table"' not in html
    assert client.get("/p/rotherham/case-reviews/map/?format=svg").status_code == 404
