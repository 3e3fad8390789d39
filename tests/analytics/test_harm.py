"""Harm estimates (saferstat.analytics.harm) against the published weights and a raw recount."""

from __future__ import annotations

import math

import pytest

from saferstat.analytics.figures import harm_chart
from saferstat.analytics.harm import (
    WEIGHTS_VERSION,
    HarmWeightsError,
    default_weights,
    harm,
    harm_from_counts,
    load_weights,
    parse_weights,
)
from saferstat.analytics.periods import parse_period
from saferstat.analytics.policeuk import CRIME_TYPES
from tests.analytics.independent import (
    ASB,
    CCHI_DAYS,
    ROTHERHAM,
    WEAPONS,
    central,
    count_by,
    months_between,
    population,
)


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


def test_packaged_weights_are_the_published_cchi_category_values():
    table = default_weights()
    assert table.version == WEIGHTS_VERSION
    assert set(table.weights) == set(CCHI_DAYS)
    assert set(table.weights) | {ASB} == set(CRIME_TYPES)
    for crime_type, (low, high) in CCHI_DAYS.items():
        w = table.weight(crime_type)
        assert (w.low_days, w.high_days) == (low, high), crime_type
        assert w.central_days == pytest.approx(central(crime_type), abs=1e-9)
        assert w.basis
    assert table.weight(ASB) is None and ASB in table.excluded
    assert "Cambridge Crime Harm Index" in table.source and "Sherman" in table.source
    assert "not a crime" in table.method and "range" in table.method


def test_harm_from_counts_by_hand():
    estimate = harm_from_counts({"Robbery": 2, "Shoplifting": 10, "Burglary": 1, ASB: 100})
    assert estimate.total_days == pytest.approx(2 * 365 + 10 * 1 + 221.61)
    assert estimate.total_low_days == pytest.approx(2 * 365 + 10 + 190.70)
    assert estimate.total_high_days == pytest.approx(2 * 365 + 10 + 252.52)
    assert estimate.crime_count == 13
    assert estimate.excluded == {ASB: 100}
    assert [r.crime_type for r in estimate.rows] == ["Robbery", "Burglary", "Shoplifting"]
    assert sum(r.share_pct for r in estimate.rows) == pytest.approx(100)
    assert harm_from_counts({ASB: 5}).total_days == 0.0


def test_rotherham_2024_25_harm_equals_recount_times_weights(con):
    period = parse_period("2024/25")
    by_type = count_by([ROTHERHAM], period.months, 1)
    estimate = harm(con, area_codes=[ROTHERHAM], period=period)
    crimes = {k: v for k, v in by_type.items() if k != ASB}
    assert estimate.total_days == pytest.approx(sum(n * central(k) for k, n in crimes.items()))
    assert estimate.total_low_days == pytest.approx(
        sum(n * CCHI_DAYS[k][0] for k, n in crimes.items())
    )
    assert estimate.total_high_days == pytest.approx(
        sum(n * CCHI_DAYS[k][1] for k, n in crimes.items())
    )
    assert estimate.crime_count == sum(crimes.values())
    assert estimate.excluded == {ASB: by_type[ASB]} and by_type[ASB] > 0
    assert {r.crime_type: r.count for r in estimate.rows} == crimes
    assert estimate.population == population([ROTHERHAM]) == 265_791
    assert estimate.per_1000 == pytest.approx(estimate.total_days / 265_791 * 1000)
    assert estimate.total_low_days < estimate.total_days < estimate.total_high_days
    assert estimate.area_name == "Rotherham" and estimate.missing_months == ()
    assert any("anti-social behaviour" in n for n in estimate.notes)
    assert estimate.source and estimate.method and estimate.version == WEIGHTS_VERSION


def test_weapons_only_and_an_incomplete_year(con):
    period = parse_period("2019/20")
    n = count_by([ROTHERHAM], months_between("2019-04", "2020-03"), 1)[WEAPONS]
    estimate = harm(con, area_codes=[ROTHERHAM], period=period, crime_types=[WEAPONS])
    assert estimate.crime_count == n > 0
    assert estimate.total_days == estimate.total_low_days == estimate.total_high_days
    assert estimate.total_days == pytest.approx(n * 273.75)
    assert estimate.missing_months == ("2019-07",)
    with pytest.raises(ValueError, match="not a police.uk crime type"):
        harm(con, area_codes=[ROTHERHAM], period=period, crime_types=["Knife crime"])


def test_harm_chart_has_its_table_and_method(con):
    estimate = harm(con, area_codes=[ROTHERHAM], period=parse_period("2024/25-Q1"))
    figure = harm_chart(estimate)
    assert figure.rows == tuple(estimate.table())
    assert figure.columns[0] == "crime_type" and "harm_low_days" in figure.columns
    assert "Anti-social behaviour" not in {r["crime_type"] for r in figure.rows}
    assert estimate.method in figure.description
    assert estimate.source in figure.notes
    assert "range" in figure.description


def test_weights_file_checks(tmp_path):
    header = "crime_type,low_days,central_days,high_days,basis\n"
    with pytest.raises(HarmWeightsError, match="not a police.uk crime type"):
        parse_weights(header + "Knife crime,1,1,1,x\n", version="t")
    with pytest.raises(HarmWeightsError, match="low <= central <= high"):
        parse_weights(header + "Robbery,3,2,4,x\n", version="t")
    with pytest.raises(HarmWeightsError, match="not a crime"):
        parse_weights(header + f"{ASB},1,1,1,x\n", version="t")
    with pytest.raises(HarmWeightsError, match="not a number"):
        parse_weights(header + "Robbery,a,1,1,x\n", version="t")
    with pytest.raises(HarmWeightsError, match="header"):
        parse_weights("crime,days\n", version="t")
    path = tmp_path / "css-2016.csv"
    path.write_text(header + "Robbery,100,200,300,ONS CSS\n", encoding="utf-8")
    table = load_weights(path)
    assert table.version == "css-2016" and table.weight("Robbery").central_days == 200
    estimate = harm_from_counts({"Robbery": 3, "Burglary": 2}, table)
    assert estimate.total_days == 600 and estimate.excluded == {"Burglary": 2}
    assert math.isclose(estimate.total_low_days, 300)
