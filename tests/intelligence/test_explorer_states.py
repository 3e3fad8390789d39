"""The explorer opens on data, keeps what the user typed, and does not call months before a
partner dataset starts gaps (docs/frontend.md, "States")."""

from __future__ import annotations

import re

import pytest

from saferstat.analytics.periods import latest_unbroken_run, month_range

URL = "/p/rotherham/explore/"


def _value(html: str, field: str) -> str:
    match = re.search(rf'<input[^>]*id="{field}"[^>]*value="([^"]*)"', html)
    assert match, field
    return match.group(1)


def test_latest_unbroken_run():
    demo = month_range("2018-01", "2021-09") + month_range("2024-01", "2025-09")
    assert latest_unbroken_run(demo) == ("2024-01", "2025-09")
    assert latest_unbroken_run(month_range("2018-01", "2025-09")) == ("2022-10", "2025-09")
    assert latest_unbroken_run(["2024-05"]) == ("2024-05", "2024-05")
    assert latest_unbroken_run([]) == ("", "")


@pytest.mark.django_db
def test_the_explorer_opens_on_the_latest_range_with_data(
    client, demo_warehouse, settings, rotherham, members
):
    # The demo holds 2018-01 to 2021-09 and 2024-01 to 2025-09: the default range used to be
    # 2022-10 to 2025-09, starting with 15 months of no data.
    settings.SAFERSTAT_WAREHOUSE = demo_warehouse
    client.force_login(members["board"])
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert (_value(html, "from"), _value(html, "to")) == ("2024-01", "2025-09")
    assert "No data for" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "typed"),
    [
        ({"view": "wards", "period": "2024/26"}, "period", "2024/26"),
        ({"view": "harm", "period": "last year"}, "period", "last year"),
        ({"view": "compare", "compare": "Barnsley, E08000038"}, "compare", "Barnsley, E08000038"),
        ({"view": "trend", "from": "2024-13", "to": "2025-01"}, "from", "2024-13"),
    ],
)
def test_a_refused_value_stays_in_its_field(
    client, overview_warehouse, rotherham, members, params, field, typed
):
    client.force_login(members["analyst"])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert _value(response.content.decode(), field) == typed


@pytest.mark.django_db
def test_months_before_a_partner_dataset_starts_are_not_gaps(client, overview_warehouse):
    from saferstat.core.demo import demo_install
    from saferstat.core.models import User
    from saferstat.intelligence.datasets.demo import demo_partner_install

    demo_install()
    demo_partner_install(("rotherham",))
    client.force_login(User.objects.get(username="rotherham-analyst"))
    page = client.get(
        URL, {"source": "knife-crime", "view": "trend", "from": "2022-04", "to": "2025-09"}
    ).content.decode()
    assert "before this dataset starts, not gaps" in page
    assert "the series is split there" not in page  # no gap before the first month
