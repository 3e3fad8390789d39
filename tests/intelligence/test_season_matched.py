"""Season-matched comparisons on the overview page, in the API and in the explorer's
downloads (docs/analytics.md section 4): 2024/25 against a 2023/24 that has only January to
March 2024 loaded compares January to March 2025 with January to March 2024."""

from __future__ import annotations

import csv
import io
import re

import pytest

from saferstat.core.tokens import api_token_create
from tests.analytics import independent as ind

JAN_MAR_2025 = ["2025-01", "2025-02", "2025-03"]
JAN_MAR_2024 = ["2024-01", "2024-02", "2024-03"]


@pytest.fixture
def demo_app(demo_warehouse, settings, tmp_path):
    """The app reading the 65-month demo warehouse (2023/24 has January to March only)."""
    settings.SAFERSTAT_WAREHOUSE = demo_warehouse
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo_warehouse


@pytest.mark.django_db
def test_overview_page_heads_the_column_with_the_months_compared(
    client, demo_app, rotherham, members
):
    client.force_login(members["board"])
    page = client.get("/p/rotherham/overview/2024-25/").content.decode()
    assert "Records in Jan-Mar 2024" in page and "Records in Jan-Mar 2025" in page
    assert "Records in 2023/24" not in page
    assert 'id="season-matched"' in page
    assert "2023/24 has only Jan-Mar 2024 loaded" in page
    table = page.split('id="months-compared-table"')[1].split("</table>")[0]
    pairs = re.findall(r"<td[^>]*>(\w+ \d{4})</td><td[^>]*>(\w+ \d{4})</td>", table)
    assert pairs == [
        ("January 2025", "January 2024"),
        ("February 2025", "February 2024"),
        ("March 2025", "March 2024"),
    ]
    # The total row shows the independently recounted matched figures side by side.
    now = ind.count([ind.ROTHERHAM], JAN_MAR_2025)
    before = ind.count([ind.ROTHERHAM], JAN_MAR_2024)
    foot = page.split('id="crime-types"')[1].split("<tfoot>")[1].split("</tfoot>")[0]
    assert f"{now:,}" in foot and f"{before:,}" in foot


@pytest.mark.django_db
def test_api_overview_says_which_months_are_compared(client, demo_app, rotherham, members):
    _, key = api_token_create(user=members["board"], name="t")
    body = client.get(
        "/api/partnerships/rotherham/overview?period=2024/25",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    ).json()
    assert body["comparison_period"] == "2023/24"
    assert body["comparison_label"] == "Jan-Mar 2024"
    assert body["season_match"]["months"] == JAN_MAR_2025
    assert body["season_match"]["comparison_months"] == JAN_MAR_2024
    assert body["total"]["matched_count"] == ind.count([ind.ROTHERHAM], JAN_MAR_2025)
    assert body["total"]["previous_count"] == ind.count([ind.ROTHERHAM], JAN_MAR_2024)


@pytest.mark.django_db
def test_periods_download_lists_the_months_compared(client, demo_app, rotherham, members):
    client.force_login(members["analyst"])
    params = {"view": "periods", "kind": "financial_year", "from": "2024-04", "to": "2025-03",
              "format": "csv"}  # fmt: skip
    response = client.get("/p/rotherham/explore/", params)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["period"] for r in rows] == ["2024/25"]
    row = rows[0]
    assert row["previous_months_compared"] == "Jan-Mar 2025 with Jan-Mar 2024"
    assert int(row["previous_count"]) == ind.count([ind.ROTHERHAM], JAN_MAR_2024)
    assert int(row["count"]) == ind.count([ind.ROTHERHAM], ind.months_between("2024-04", "2025-03"))
