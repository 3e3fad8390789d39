"""Comparison with neighbours (saferstat.analytics.compare): Rotherham's knife-relevant
category "Possession of weapons" in 2024/25 against Barnsley, Doncaster and Sheffield,
checked against a raw recount, Census populations and Byar's formula worked in the test."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saferstat.analytics.compare import (
    compare_areas,
    default_neighbours,
    funnel_limit_counts,
    funnel_limits,
    funnel_position,
)
from saferstat.analytics.figures import comparison_chart, funnel_chart
from saferstat.analytics.periods import parse_period
from saferstat.analytics.stats import rate_ci
from tests.analytics.independent import (
    BARNSLEY,
    BARNSLEY_OLD,
    DONCASTER,
    ROTHERHAM,
    SHEFFIELD,
    SHEFFIELD_OLD,
    WEAPONS,
    byar,
    count,
    population,
    solve,
)

PERIOD = "2024/25"


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


@pytest.fixture(scope="module")
def weapons(con):
    return compare_areas(
        con, area_code=ROTHERHAM, period=parse_period(PERIOD), crime_types=[WEAPONS]
    )


def test_rates_group_rate_and_byar_intervals_equal_independent_figures(weapons):
    months = parse_period(PERIOD).months
    expected = {
        code: (count([code], months, {WEAPONS}), population([code]))
        for code in (ROTHERHAM, BARNSLEY, DONCASTER, SHEFFIELD)
    }
    assert {code: pop for code, (_, pop) in expected.items()} == {
        ROTHERHAM: 265_791, BARNSLEY: 244_568, DONCASTER: 308_100, SHEFFIELD: 556_519,
    }  # fmt: skip
    group_rate = sum(n for n, _ in expected.values()) / sum(p for _, p in expected.values()) * 1000
    assert weapons.group_count == sum(n for n, _ in expected.values())
    assert weapons.group_population == 1_374_978
    assert weapons.group_rate_per_1000 == pytest.approx(group_rate)
    assert {a.code for a in weapons.areas} == set(expected)
    for area in weapons.areas:
        n, pop = expected[area.code]
        lower, upper = byar(n)
        assert (area.count, area.population) == (n, pop), area.name
        assert area.rate_per_1000 == pytest.approx(n / pop * 1000)
        assert area.lower == pytest.approx(lower / pop * 1000, rel=1e-9)
        assert area.upper == pytest.approx(upper / pop * 1000, rel=1e-9)
        want = (
            "above"
            if area.lower > group_rate
            else "below"
            if area.upper < group_rate
            else "similar"
        )
        assert area.significance == want
    assert weapons.focus.name == "Rotherham" and weapons.focus.is_focus
    assert sum(a.is_focus for a in weapons.areas) == 1
    rates = [a.rate_per_1000 for a in weapons.areas]
    assert rates == sorted(rates, reverse=True)
    sheffield = next(a for a in weapons.areas if a.name == "Sheffield")
    assert set(sheffield.codes) == {SHEFFIELD_OLD, SHEFFIELD}
    assert weapons.missing_months == () and weapons.label == WEAPONS


def test_funnel_limits_hand_computed_for_rotherhams_population(weapons):
    r, pop = weapons.group_rate_per_1000, 265_791
    expected = r * pop / 1000
    limits = funnel_limits(r, pop)
    assert limits.expected_count == pytest.approx(expected)
    for confidence, low, high in (
        (0.95, limits.lower_95, limits.upper_95),
        (0.998, limits.lower_998, limits.upper_998),
    ):
        # upper: the count whose Byar lower limit is the expected count, and vice versa
        o_plus = solve(lambda o, c=confidence: byar(o, c)[0] - expected, expected, 2 * expected)
        o_minus = solve(lambda o, c=confidence: byar(o, c)[1] - expected, 1.0, expected)
        assert high == pytest.approx(o_plus / pop * 1000, rel=1e-8)
        assert low == pytest.approx(o_minus / pop * 1000, rel=1e-8)
        # close to the normal approximation r ± z √E / n for a count this size
        z = 1.959964 if confidence == 0.95 else 3.090232
        assert high == pytest.approx(r + z * math.sqrt(expected) / pop * 1000, rel=0.01)
        assert low == pytest.approx(r - z * math.sqrt(expected) / pop * 1000, rel=0.01)
    assert limits.lower_998 < limits.lower_95 < r < limits.upper_95 < limits.upper_998
    # funnels narrow as population grows
    bigger = funnel_limits(r, 10 * pop)
    assert limits.upper_95 > bigger.upper_95 > r > bigger.lower_95 > limits.lower_95
    # small expected counts: the lower limit is 0 when even 0 is not significantly low
    assert funnel_limit_counts(2.0, 0.95)[0] == 0.0


def test_funnel_position_agrees_with_the_intervals(weapons, con):
    everything = compare_areas(con, area_code=ROTHERHAM, period=parse_period(PERIOD))
    for comparison in (weapons, everything):
        for area in comparison.areas:
            position = area.funnel
            if area.significance == "above":
                assert position.startswith("above")
            elif area.significance == "below":
                assert position.startswith("below")
            else:
                assert position == "within"
            beyond_998 = comparison.limits(area.population)
            assert (position.endswith("99.8%")) == (
                not beyond_998.lower_998 <= area.rate_per_1000 <= beyond_998.upper_998
            )
    curve = weapons.funnel_curve(points=20)
    assert len(curve) == 20
    assert curve[0].population < min(a.population for a in weapons.areas)
    assert curve[-1].population > max(a.population for a in weapons.areas)


def test_neighbours_and_a_chosen_set(con):
    assert default_neighbours(con, ROTHERHAM) == (BARNSLEY_OLD, DONCASTER, SHEFFIELD_OLD)
    assert default_neighbours(con, SHEFFIELD) == (BARNSLEY_OLD, DONCASTER, ROTHERHAM)
    with pytest.raises(ValueError, match="neighbour group"):
        default_neighbours(con, "E06000001")
    months = parse_period(PERIOD).months
    pair = compare_areas(
        con, area_code=ROTHERHAM, period=parse_period(PERIOD), with_codes=[BARNSLEY],
        crime_types=[WEAPONS],
    )  # fmt: skip
    assert [a.name for a in sorted(pair.areas, key=lambda a: a.name)] == ["Barnsley", "Rotherham"]
    n = count([ROTHERHAM], months, {WEAPONS}) + count([BARNSLEY], months, {WEAPONS})
    assert pair.group_rate_per_1000 == pytest.approx(n / (265_791 + 244_568) * 1000)
    with pytest.raises(ValueError, match="at least one other"):
        compare_areas(con, area_code=ROTHERHAM, period=parse_period(PERIOD), with_codes=[ROTHERHAM])


def test_incomplete_period_is_flagged(con):
    result = compare_areas(con, area_code=BARNSLEY, period=parse_period("2019/20"))
    assert result.missing_months == ("2019-07",)
    assert any("incomplete" in note for note in result.notes)


def test_charts_carry_their_data_tables(weapons):
    dots = comparison_chart(weapons)
    assert dots.rows == tuple(weapons.table())
    assert "Rotherham (partnership)" in str(dots.spec)
    assert "Byar" in dots.description and "group rate" in dots.description
    funnel = funnel_chart(weapons)
    assert funnel.rows == tuple(weapons.table())
    assert "99.8% limits" in str(funnel.spec)
    svg = funnel.svg()
    assert "<title>" in svg and "funnel plot" in svg


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=5_000),
    pop=st.integers(min_value=500, max_value=600_000),
    rate=st.floats(min_value=0.05, max_value=300),
)
def test_funnel_and_interval_never_disagree(n, pop, rate):
    limits = funnel_limits(rate, pop)
    ci = rate_ci(n, pop)
    expected = rate * pop / 1000
    if abs(ci.lower - rate) < 1e-9 * rate or abs(ci.upper - rate) < 1e-9 * rate:
        return  # on the boundary to rounding
    if abs(n - funnel_limit_counts(expected, 0.95)[1]) < 1e-6:
        return
    position = funnel_position(ci.rate, limits)
    assert position.startswith("above") == (ci.compare_to(rate) == "above")
    assert position.startswith("below") == (ci.compare_to(rate) == "below")
