"""SPC of a partner dataset: monthly and quarterly counts, gaps split the series."""

from __future__ import annotations

import csv
import shutil
import statistics

import pytest

from saferstat.analytics import partner
from saferstat.analytics.partner import Column, DatasetSchema
from saferstat.analytics.partner_spc import partner_spc_series, period_starts
from saferstat.analytics.warehouse import Warehouse, connect

KNIFE = DatasetSchema(
    slug="knife-crime",
    columns=(Column("Month", "period"), Column("Ward code", "area"), Column("Offences", "count")),
    granularity="month",
    area_level="ward",
)
# Counts per month for two Rotherham wards; 2024-10 is never uploaded (a gap).
MONTHS = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09",
          "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]  # fmt: skip
WARD_A, WARD_B = 5, 9


@pytest.fixture
def knife_warehouse(small_warehouse, tmp_path):
    root = tmp_path / "wh"
    shutil.copytree(small_warehouse, root)
    with connect(root) as con:
        wards = sorted(partner.known_area_codes(con, level="ward", lad_codes=["E08000018"]))
    path = tmp_path / "knife.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Month", "Ward code", "Offences"])
        for i, month in enumerate(MONTHS):
            w.writerow([month, wards[0], WARD_A + i])
            w.writerow([month, wards[1], WARD_B + (i % 3)])
    partner.load_file(Warehouse(root), path, schema=KNIFE, partnership_slug="rotherham",
                      known_area_codes=set(wards))  # fmt: skip
    return root


def test_monthly_partner_series_is_split_at_the_gap(knife_warehouse):
    with connect(knife_warehouse) as con:
        series = partner_spc_series(
            con,
            dataset=partner.dataset_name("rotherham", "knife-crime"),
            label="Knife crime",
            area_codes=["E08000018"],
            start="2024-04",
            end="2025-03",
        )
    assert series.missing_months == ("2024-10",)
    assert [len(s.months) for s in series.segments] == [6, 5]
    # Independent: the totals per month as written, and the mean of the latest run.
    totals = [WARD_A + i + WARD_B + (i % 3) for i in range(len(MONTHS))]
    assert [v.count for v in series.monthly if v.count is not None] == totals
    latest = series.segments[-1].chart.points
    assert latest[0].mean == pytest.approx(statistics.mean(totals[6:]))
    assert dict((v.month, v.count) for v in series.monthly)["2024-10"] is None


def test_quarter_starts():
    assert period_starts("2024-04", "2025-03", "quarter") == [
        "2024-04",
        "2024-07",
        "2024-10",
        "2025-01",
    ]
    assert period_starts("2024-05", "2024-06", "quarter") == []
    assert period_starts("2024-05", "2024-06", "month") == ["2024-05", "2024-06"]


def test_months_before_the_dataset_starts_are_not_gaps(knife_warehouse):
    from saferstat.analytics.errors import QueryError
    from saferstat.analytics.partner_spc import before_start_note, dataset_start

    name = partner.dataset_name("rotherham", "knife-crime")
    with connect(knife_warehouse) as con:
        assert dataset_start(con, name) == "2024-04"
        series = partner_spc_series(
            con, dataset=name, label="Knife crime", area_codes=["E08000018"],
            start="2022-10", end="2025-03",
        )  # fmt: skip
        # 18 months before April 2024 are before the dataset starts: not gaps, not charted.
        assert series.start == "2024-04"
        assert series.missing_months == ("2024-10",)
        assert [len(s.months) for s in series.segments] == [6, 5]
        with pytest.raises(QueryError, match="before this dataset starts"):
            partner_spc_series(
                con, dataset=name, label="Knife crime", area_codes=["E08000018"],
                start="2023-01", end="2023-12",
            )  # fmt: skip
    assert "before this dataset starts, not gaps" in before_start_note("Knife crime", "2024-04")
