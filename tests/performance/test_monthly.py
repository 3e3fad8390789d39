"""Monthly indicators: a computed monthly indicator's series has a point per month of the
calendar's quarters, each equal to what `saferstat counts --period 2024-05` says; a month
not loaded is a gap; targets set per quarter apply from the quarter's first month; the
verdict's latest point is the quarter's last month; the pages, the CSV and the API show
months."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError

from saferstat.analytics.performance import target_for
from saferstat.analytics.periods import parse_period
from saferstat.cli import main
from saferstat.core.tokens import api_token_create
from saferstat.intelligence import figures
from saferstat.intelligence.datasets.services import partner_dataset_declare
from saferstat.performance import selectors
from saferstat.performance.services import (
    ERR_QUARTERLY_DATASET,
    indicator_upsert,
    reporting_period_upsert,
)
from tests.performance.test_partner_indicator import ROWS, define, knife  # noqa: F401

pytestmark = pytest.mark.django_db

FY2425_MONTHS = parse_period("2024/25").months


def burglary_monthly(world, members, **kwargs):
    return indicator_upsert(
        partnership=world["plan"].partnership,
        by=members["analyst"],
        priority=world["second"],
        code="burglary-policeuk-monthly",
        name="Residential burglaries recorded by the police, per month",
        definition="police.uk burglary records in the area, by month",
        unit="count",
        polarity="decrease",
        frequency="monthly",
        source="policeuk",
        crime_types=["Burglary"],
        **kwargs,
    )


def cli_count(warehouse, month: str, crime_type: str) -> int:
    done = CliRunner().invoke(
        main,
        ["counts", "--area", "E08000018", "--period", month, "--by", "crime_type",
         "--format", "csv", "--warehouse", str(warehouse)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    rows = dict(line.split(",") for line in done.stdout.splitlines()[1:])
    return int(rows.get(crime_type, 0))


def row_of(partnership, period, code):
    rows = selectors.indicator_rows(partnership=partnership, period=period)
    return next(r for r in rows if r.indicator.code == code)


def test_monthly_policeuk_months_equal_saferstat_counts(world, members, fy2425_warehouse, settings):
    settings.SAFERSTAT_WAREHOUSE = fy2425_warehouse
    partnership = world["plan"].partnership
    burglary_monthly(world, members)
    reporting_period_upsert(
        partnership=partnership,
        by=members["analyst"],
        label="2023/24-Q4",
        opens_on=dt.date(2024, 4, 1),
        deadline=dt.date(2024, 4, 22),
    )
    row = row_of(partnership, world["periods"]["2024/25-Q4"], "burglary-policeuk-monthly")
    assert [p.period for p in row.points] == ["2024-01", "2024-02", "2024-03", *FY2425_MONTHS]
    # January to March 2024 are not in this warehouse: gaps, never 0.
    assert [(p.value, p.status) for p in row.points[:3]] == [(None, "no_data")] * 3
    for point in row.points[3:]:
        assert point.status == "computed", point.period
        by_type = figures.counts(partnership, parse_period(point.period), "crime_type")
        assert point.value == dict(by_type.rows)["Burglary"], point.period
    # The command line says the same, month by month (three months checked through it).
    for point in (row.points[3], row.points[8], row.points[-1]):
        assert point.value == cli_count(fy2425_warehouse, point.period, "Burglary")
    assert sum(p.value for p in row.points[3:]) > 0
    # The verdict runs on the months; its latest point is the quarter's last month.
    assert row.verdict.period == "2025-03"
    assert row.verdict.latest == row.points[-1]
    assert row.verdict.spc.latest.months == tuple(FY2425_MONTHS)
    assert row.latest_label == "March 2025"
    # The quarterly ASB indicator is unchanged beside it.
    asb = row_of(partnership, world["periods"]["2024/25-Q4"], "asb-policeuk")
    assert asb.points[-1].period == "2024/25-Q4" and asb.latest_label == "2024/25-Q4"


def test_a_month_not_loaded_is_a_gap(world, members, small_warehouse, settings):
    settings.SAFERSTAT_WAREHOUSE = small_warehouse  # of 2024/25, December 2024 only
    burglary_monthly(world, members)
    partnership = world["plan"].partnership
    row = row_of(partnership, world["periods"]["2024/25-Q3"], "burglary-policeuk-monthly")
    december = figures.counts(partnership, parse_period("2024-12"), "crime_type")
    assert [(p.period, p.value, p.status) for p in row.points] == [
        *((m, None, "no_data") for m in parse_period("2024/25-Q1").months),
        *((m, None, "no_data") for m in parse_period("2024/25-Q2").months),
        ("2024-10", None, "no_data"),
        ("2024-11", None, "no_data"),
        ("2024-12", float(dict(december.rows)["Burglary"]), "computed"),
    ]
    assert row.verdict.latest.period == "2024-12"
    assert "2024-11" in row.verdict.warnings[0]


def test_quarter_targets_and_rebases_apply_from_their_first_month(
    world, members, overview_warehouse
):
    burglary_monthly(
        world,
        members,
        targets={"2024/25-Q1": 500, "2024/25-Q3": 5},
        rebases={"2024/25-Q3": "New recording practice from October"},
    )
    assert target_for({"2024/25-Q1": 500, "2024/25-Q3": 5}, "2024-09") == 500
    assert target_for({"2024/25-Q1": 500, "2024/25-Q3": 5}, "2024-10") == 5
    partnership = world["plan"].partnership
    q2 = row_of(partnership, world["periods"]["2024/25-Q2"], "burglary-policeuk-monthly")
    assert (q2.verdict.period, q2.verdict.target) == ("2024-09", 500)
    q4 = row_of(partnership, world["periods"]["2024/25-Q4"], "burglary-policeuk-monthly")
    assert (q4.verdict.period, q4.verdict.target) == ("2025-03", 5)
    # The rebase at 2024/25-Q3 starts new limits at October 2024.
    groups = q4.verdict.spc.latest.chart.groups
    assert [(g.start_date.isoformat()[:7], g.rebase_reason) for g in groups] == [
        ("2024-04", None),
        ("2024-10", "New recording practice from October"),
    ]
    # The same month a year earlier: 2024-03 is not loaded, so no change is claimed.
    assert q4.verdict.change is None


def test_api_csv_and_pages_show_months(client, world, members, overview_warehouse):
    burglary_monthly(world, members, targets={"2024/25-Q3": 40})
    _, key = api_token_create(user=members["board"], name="Power BI")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    data = client.get("/api/partnerships/rotherham/indicators?period=2024/25-Q3", **auth).json()
    item = next(i for i in data["indicators"] if i["code"] == "burglary-policeuk-monthly")
    assert item["frequency"] == "monthly"
    assert [p["period"] for p in item["series"]] == FY2425_MONTHS[:9]
    assert item["value_period"] == "2024-12"
    assert item["value"] == item["series"][-1]["value"] is not None
    assert item["target"] == 40
    asb = next(i for i in data["indicators"] if i["code"] == "asb-policeuk")
    assert asb["value_period"] == "2024/25-Q3" and len(asb["series"]) == 3
    csv = client.get(
        "/api/partnerships/rotherham/indicators/burglary-policeuk-monthly/series.csv"
        "?period=2024/25-Q1",
        **auth,
    ).content.decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv.splitlines()] == [
        "period", "2024-04", "2024-05", "2024-06",
    ]  # fmt: skip
    client.force_login(members["board"])
    page = client.get("/p/rotherham/performance/?period=2024/25-Q3").content.decode()
    assert "December 2024" in page
    # Each point's status in the cards' data tables is in words, never a code.
    assert '<td class="govuk-table__cell">Computed from police.uk</td>' in page
    assert "no_data" not in page and "nodata" not in page and ">computed<" not in page
    detail = client.get(
        "/p/rotherham/performance/indicators/burglary-policeuk-monthly/?period=2024/25-Q3"
    ).content.decode()
    assert "December 2024:" in detail and ">2024-11<" in detail
    assert "applies from the first month of that quarter" in detail


def test_monthly_partner_indicator_counts_each_month(world, members, knife):  # noqa: F811
    define(world, members, knife, code="knife-monthly", frequency="monthly")
    row = row_of(world["plan"].partnership, world["periods"]["2024/25-Q4"], "knife-monthly")
    sums = Counter()
    for month, _, _, n in ROWS:
        sums[month] += n
    loaded = [m for m in FY2425_MONTHS if m <= "2024-10"]
    assert [(p.period, p.value) for p in row.points if p.status == "computed"] == [
        (m, float(sums[m])) for m in loaded
    ]
    assert [(p.period, p.value, p.status) for p in row.points[len(loaded) :]] == [
        (m, None, "no_data") for m in FY2425_MONTHS[len(loaded) :]
    ]


def test_a_monthly_indicator_on_a_quarterly_dataset_is_refused(world, rotherham, members):
    dataset = partner_dataset_declare(
        partnership=rotherham,
        by=members["admin"],
        name="Youth referrals",
        slug="youth-referrals",
        schema={
            "granularity": "quarter",
            "area_level": "ward",
            "columns": [
                {"name": "Quarter", "type": "period"},
                {"name": "Ward code", "type": "area"},
                {"name": "Referrals", "type": "count"},
            ],
        },
    )
    with pytest.raises(ValidationError) as caught:
        define(world, members, dataset, code="referrals-monthly", frequency="monthly")
    assert caught.value.message_dict["frequency"] == [
        ERR_QUARTERLY_DATASET.format(name="Youth referrals")
    ]
    quarterly = define(world, members, dataset, code="referrals")
    assert quarterly.frequency == "quarterly"
