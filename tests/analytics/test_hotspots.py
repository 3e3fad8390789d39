"""Hotspots (saferstat.analytics.hotspots) against a raw recount and Byar's formula."""

from __future__ import annotations

import pytest

from saferstat.analytics.hotspots import hotspots
from saferstat.analytics.periods import parse_period
from tests.analytics.independent import (
    ASB,
    ROTHERHAM,
    WEAPONS,
    byar,
    census,
    central,
    count_by,
    population,
    rows_in,
    ward_of_lsoa21,
    ward_population,
)


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


def significance(n: int, pop: int, comparator: float) -> str:
    lower, upper = byar(n)
    if lower / pop * 1000 > comparator:
        return "above"
    if upper / pop * 1000 < comparator:
        return "below"
    return "similar"


def test_wards_2024_25_by_rate_equal_recount_and_byar(con):
    period = parse_period("2024/25")
    result = hotspots(con, area_codes=[ROTHERHAM], period=period, level="ward", rank_by="rate")
    by_ward = count_by([ROTHERHAM], period.months, 3)
    area_rate = sum(by_ward.values()) / population([ROTHERHAM]) * 1000
    assert len(result.rows) == 25
    assert result.count == sum(by_ward.values())
    assert result.rate_per_1000 == pytest.approx(area_rate)
    for row in result.rows:
        n, pop = by_ward[row.code], ward_population(row.code)
        lower, upper = byar(n)
        assert (row.count, row.population) == (n, pop), row.name
        assert row.rate_per_1000 == pytest.approx(n / pop * 1000)
        assert row.rate_lower == pytest.approx(lower / pop * 1000, rel=1e-9)
        assert row.rate_upper == pytest.approx(upper / pop * 1000, rel=1e-9)
        assert row.significance == significance(n, pop, area_rate)
    rates = [r.rate_per_1000 for r in result.rows]
    assert rates == sorted(rates, reverse=True)
    assert [r.rank for r in result.rows] == list(range(1, 26))
    assert result.rows[0].name == "Boston Castle"  # Rotherham town centre
    assert result.above and result.below
    assert result.missing_months == ()


def test_ward_harm_excludes_asb_and_ranks_by_harm(con):
    period = parse_period("2024/25-Q3")
    result = hotspots(con, area_codes=[ROTHERHAM], period=period, rank_by="harm")
    harm_by_ward: dict[str, float] = {}
    for _, crime_type, _, ward_code, _ in rows_in([ROTHERHAM], period.months):
        if crime_type != ASB:
            harm_by_ward[ward_code] = harm_by_ward.get(ward_code, 0.0) + central(crime_type)
    for row in result.rows:
        assert row.harm_days == pytest.approx(harm_by_ward[row.code]), row.name
        assert row.harm_low_days <= row.harm_days <= row.harm_high_days
        assert row.harm_per_1000 == pytest.approx(row.harm_days / row.population * 1000)
    harms = [r.harm_days for r in result.rows]
    assert harms == sorted(harms, reverse=True)
    assert result.harm.total_days == pytest.approx(sum(harm_by_ward.values()))
    assert ASB in result.harm.excluded
    assert any("Anti-social behaviour is not a crime" in n for n in result.notes)


def test_lsoas_of_a_2011_coded_year_weapons(con):
    # 2019/20 files use 2011 LSOAs: the recount maps them itself (split -> most populous part).
    period = parse_period("2019/20")
    result = hotspots(
        con, area_codes=[ROTHERHAM], period=period, level="lsoa", rank_by="count",
        crime_types=[WEAPONS],
    )  # fmt: skip
    by_lsoa = count_by([ROTHERHAM], period.months, 2, {WEAPONS})
    rotherham_lsoas = {k for k, v in ward_of_lsoa21().items() if v[2] == ROTHERHAM}
    assert {r.code for r in result.rows} == rotherham_lsoas and len(result.rows) == 170
    area_rate = sum(by_lsoa.values()) / population([ROTHERHAM]) * 1000
    for row in result.rows:
        n, pop = by_lsoa.get(row.code, 0), census()[row.code]
        assert (row.count, row.population) == (n, pop)
        assert row.name == ward_of_lsoa21()[row.code][3]
        assert row.harm_days == pytest.approx(n * 273.75)
        assert row.significance == significance(n, pop, area_rate)
    counts = [r.count for r in result.rows]
    assert counts == sorted(counts, reverse=True)
    # equal counts share a rank (1, 2, 2, 4 ...)
    for a, b in zip(result.rows, result.rows[1:], strict=False):
        assert (b.rank == a.rank) == (b.count == a.count)
    assert result.missing_months == ("2019-07",)
    assert result.label == WEAPONS


def test_bad_level_and_ranking(con):
    period = parse_period("2024/25")
    with pytest.raises(ValueError, match="level"):
        hotspots(con, area_codes=[ROTHERHAM], period=period, level="street")
    with pytest.raises(ValueError, match="rank_by"):
        hotspots(con, area_codes=[ROTHERHAM], period=period, rank_by="volume")
