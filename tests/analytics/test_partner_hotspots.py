"""Hotspots of a partner dataset (hotspots.partner_hotspots) against an independent recount.

The expected figures come from the CSV written here (summed per ward), Census 2021 ward
populations summed from the ONS files in ``demo_data/ons`` with the ``csv`` module, and
Byar's interval written out below; none of them goes through the code under test.
"""

from __future__ import annotations

import csv
import math
import shutil
from collections import Counter
from pathlib import Path
from statistics import NormalDist

import pytest

from saferstat.analytics import partner
from saferstat.analytics.hotspots import partner_hotspots
from saferstat.analytics.partner import Column, DatasetSchema
from saferstat.analytics.periods import parse_period
from saferstat.analytics.warehouse import Warehouse, connect

ONS = Path(__file__).resolve().parents[2] / "demo_data" / "ons"
ROTHERHAM = "E08000018"
KNIFE = DatasetSchema(
    slug="knife-crime",
    columns=(Column("Month", "period"), Column("Ward code", "area"), Column("Offences", "count")),
    granularity="month",
    area_level="ward",
)
YOUTH = DatasetSchema(
    slug="first-time-entrants",
    columns=(Column("Month", "period"), Column("Area code", "area"), Column("Entrants", "count")),
    granularity="month",
    area_level="partnership",
)
# 2024/25 except 2024-10, which is never uploaded.
MONTHS = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09",
          "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]  # fmt: skip


def rotherham_wards() -> dict[str, str]:
    """WD24CD -> WD24NM of Rotherham's wards, from the ONS lookup."""
    with open(ONS / "LSOA21_WD24_LAD24_EW_LU.csv", encoding="utf-8-sig", newline="") as f:
        return {r["WD24CD"]: r["WD24NM"] for r in csv.DictReader(f) if r["LAD24CD"] == ROTHERHAM}


def ward_populations() -> dict[str, int]:
    """Census 2021 usual residents per Rotherham ward: the sum over its 2021 LSOAs."""
    with open(
        ONS / "census2021_usual_residents_by_lsoa21.csv", encoding="utf-8-sig", newline=""
    ) as f:
        reader = csv.reader(f)
        next(reader)
        residents = {row[1]: int(row[2]) for row in reader if len(row) == 3 and row[2].isdigit()}
    totals: Counter = Counter()
    with open(ONS / "LSOA21_WD24_LAD24_EW_LU.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if r["LAD24CD"] == ROTHERHAM:
                totals[r["WD24CD"]] += residents[r["LSOA21CD"]]
    return dict(totals)


def byar(o: int, confidence: float = 0.95) -> tuple[float, float]:
    """The interval of an observed count ``o`` (PHE): exact Poisson (chi-squared quantiles)
    below 10, Byar's approximation from 10."""
    if o < 10:
        from scipy.stats import chi2

        tail = (1 - confidence) / 2
        lower = 0.0 if o == 0 else chi2.ppf(tail, 2 * o) / 2
        return lower, chi2.ppf(1 - tail, 2 * o + 2) / 2
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def offences(ward_index: int, month_index: int) -> int | None:
    """The count written for a ward and month; None = no row (the ward counts 0 that month)."""
    if ward_index % 5 == 4:
        return None  # five wards never appear in the file
    if ward_index == 0:
        return 60 + month_index  # one ward far above the rest
    return (ward_index * 7 + month_index * 3) % 6


@pytest.fixture(scope="module")
def warehouse(small_warehouse, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("partner_hotspots")
    root = tmp / "wh"
    shutil.copytree(small_warehouse, root)
    wards = sorted(rotherham_wards())
    with connect(root) as con:
        assert set(wards) == partner.known_area_codes(con, level="ward", lad_codes=[ROTHERHAM])
    written: Counter = Counter()
    knife = tmp / "knife.csv"
    with open(knife, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Month", "Ward code", "Offences"])
        for m, month in enumerate(MONTHS):
            for i, ward in enumerate(wards):
                n = offences(i, m)
                if n is not None:
                    w.writerow([month, ward, n])
    with open(knife, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            written[r["Ward code"]] += int(r["Offences"])
    partner.load_file(Warehouse(root), knife, schema=KNIFE, partnership_slug="rotherham",
                      known_area_codes=set(wards))  # fmt: skip
    youth = tmp / "youth.csv"
    youth.write_text("Month,Area code,Entrants\n2024-04,E08000018,4\n", encoding="utf-8")
    partner.load_file(Warehouse(root), youth, schema=YOUTH, partnership_slug="rotherham",
                      known_area_codes={ROTHERHAM})  # fmt: skip
    return root, written


def significance(n: int, pop: int, comparator: float) -> str:
    lower, upper = byar(n)
    if lower / pop * 1000 > comparator:
        return "above"
    if upper / pop * 1000 < comparator:
        return "below"
    return "similar"


def test_ward_counts_rates_and_interval_flags_equal_an_independent_recount(warehouse):
    root, written = warehouse
    wards, pops = rotherham_wards(), ward_populations()
    with connect(root) as con:
        result = partner_hotspots(
            con, dataset=partner.dataset_name("rotherham", "knife-crime"), label="Knife crime",
            area_codes=[ROTHERHAM], period=parse_period("2024/25"),
        )  # fmt: skip
    area_rate = sum(written.values()) / sum(pops.values()) * 1000
    assert len(result.rows) == len(wards) == 25
    assert {r.code for r in result.rows} == set(wards)
    assert result.count == sum(written.values())
    assert result.population == sum(pops.values())
    assert result.rate_per_1000 == pytest.approx(area_rate)
    assert sum(1 for r in result.rows if r.count == 0) >= 5  # wards with no rows count 0
    for row in result.rows:
        n, pop = written.get(row.code, 0), pops[row.code]
        lower, upper = byar(n)
        assert (row.name, row.count, row.population) == (wards[row.code], n, pop)
        assert row.rate_per_1000 == pytest.approx(n / pop * 1000)
        assert row.rate_lower == pytest.approx(lower / pop * 1000, rel=1e-9)
        assert row.rate_upper == pytest.approx(upper / pop * 1000, rel=1e-9)
        assert row.significance == significance(n, pop, area_rate), row.name
        assert row.interval_method == ("exact Poisson" if n < 10 else "Byar's approximation")
        assert (row.harm_days, row.harm_per_1000) == (0.0, None)
    assert result.above and result.below
    rates = [r.rate_per_1000 for r in result.rows]
    assert rates == sorted(rates, reverse=True)
    # The month never uploaded is listed as missing, not counted as zero.
    assert result.missing_months == ("2024-10",)
    assert any("no data for 2024-10" in n for n in result.notes)
    assert any("harm weights apply to police.uk categories only" in n for n in result.notes)
    assert result.label == "Knife crime" and result.harm.total_days == 0


def test_rank_by_count(warehouse):
    root, written = warehouse
    with connect(root) as con:
        result = partner_hotspots(
            con, dataset=partner.dataset_name("rotherham", "knife-crime"), label="Knife crime",
            area_codes=[ROTHERHAM], period=parse_period("2024/25"), rank_by="count",
        )  # fmt: skip
    assert [r.count for r in result.rows] == sorted(
        (written.get(c, 0) for c in rotherham_wards()), reverse=True
    )
    assert result.rows[0].rank == 1


def test_partnership_level_and_lsoa_level_are_refused(warehouse):
    root, _ = warehouse
    period = parse_period("2024/25")
    with connect(root) as con:
        with pytest.raises(ValueError, match="recorded for the whole partnership, not by ward"):
            partner_hotspots(
                con, dataset=partner.dataset_name("rotherham", "first-time-entrants"),
                label="First-time entrants", area_codes=[ROTHERHAM], period=period,
            )  # fmt: skip
        with pytest.raises(ValueError, match="not by LSOA"):
            partner_hotspots(
                con, dataset=partner.dataset_name("rotherham", "knife-crime"), label="Knife crime",
                area_codes=[ROTHERHAM], period=period, level="lsoa",
            )  # fmt: skip
        with pytest.raises(ValueError, match="rank_by"):
            partner_hotspots(
                con, dataset=partner.dataset_name("rotherham", "knife-crime"), label="Knife crime",
                area_codes=[ROTHERHAM], period=period, rank_by="harm",
            )  # fmt: skip
