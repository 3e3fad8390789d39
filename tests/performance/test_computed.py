"""The computed indicator `asb-policeuk` equals what `saferstat counts` says for the same
quarters, and a quarter with missing months is a gap, not a smaller count."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from saferstat.cli import main
from saferstat.performance import selectors
from saferstat.performance.services import reporting_period_upsert

pytestmark = pytest.mark.django_db


def cli_asb(warehouse, quarter: str) -> int:
    done = CliRunner().invoke(
        main,
        ["counts", "--area", "E08000018", "--period", quarter, "--by", "crime_type",
         "--format", "csv", "--warehouse", str(warehouse)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    rows = dict(line.split(",") for line in done.stdout.splitlines()[1:])
    return int(rows["Anti-social behaviour"])


def test_asb_policeuk_quarters_equal_saferstat_counts(world, fy2425_warehouse, settings, members):
    settings.SAFERSTAT_WAREHOUSE = fy2425_warehouse
    partnership = world["plan"].partnership
    q4_2324 = reporting_period_upsert(
        partnership=partnership,
        by=members["analyst"],
        label="2023/24-Q4",
        opens_on=dt.date(2024, 4, 1),
        deadline=dt.date(2024, 4, 22),
    )
    rows = selectors.indicator_rows(partnership=partnership, period=world["periods"]["2024/25-Q4"])
    asb = next(r for r in rows if r.indicator.code == "asb-policeuk")
    assert [p.period for p in asb.points] == [
        "2023/24-Q4", "2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4"
    ]  # fmt: skip
    # 2023/24-Q4 is not in this warehouse: a gap, never 0.
    assert (asb.points[0].value, asb.points[0].status) == (None, "no_data")
    for point in asb.points[1:]:
        assert point.status == "computed"
        assert point.value == cli_asb(fy2425_warehouse, point.period), point.period
    assert asb.verdict.spc.latest.months == ("2024-04", "2024-07", "2024-10", "2025-01")
    assert q4_2324.label == "2023/24-Q4"


def test_a_quarter_with_missing_months_is_incomplete(world, small_warehouse, settings):
    settings.SAFERSTAT_WAREHOUSE = small_warehouse  # 2024-12 only of 2024/25-Q3
    partnership = world["plan"].partnership
    rows = selectors.indicator_rows(partnership=partnership, period=world["periods"]["2024/25-Q3"])
    asb = next(r for r in rows if r.indicator.code == "asb-policeuk")
    assert [(p.period, p.value, p.status) for p in asb.points] == [
        ("2024/25-Q1", None, "no_data"),
        ("2024/25-Q2", None, "no_data"),
        ("2024/25-Q3", None, "incomplete"),
    ]
    assert asb.verdict.rag == "none"
