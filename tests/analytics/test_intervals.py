"""The one Poisson interval (stats.poisson_interval): exact below 10, Byar's from 10.

References: scipy's chi-squared quantiles for the exact interval (PHE Technical Guide;
PHEindicatormethods ``phe_rate``), Byar's formula written out here, and the worked numbers of
the issue (1 record: exact lower 0.0253, Byar's 0.0131; Brinsworth, 0 robberies, 10,386
residents: 'significantly below' under Byar's, 'similar' under the exact interval).
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import chi2

from saferstat.analytics.compare import funnel_limits, funnel_position
from saferstat.analytics.stats import BYAR, EXACT, byar_ci, poisson_interval, rate_ci

Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}


def byar_by_hand(o: int, z: float) -> tuple[float, float]:
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return max(lower, 0.0), upper


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("o", range(10))
def test_below_ten_is_the_exact_chi_squared_interval(o, confidence):
    alpha = 1 - confidence
    lower = 0.0 if o == 0 else chi2.ppf(alpha / 2, 2 * o) / 2
    upper = chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    got = poisson_interval(o, confidence)
    assert got.method == EXACT == "exact Poisson"
    assert got.lower == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert got.upper == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("o", [10, 11, 25, 99, 1000, 28_980])
def test_from_ten_is_byars_approximation(o, confidence):
    got = poisson_interval(o, confidence)
    assert got.method == BYAR == "Byar's approximation"
    assert (got.lower, got.upper) == pytest.approx(byar_by_hand(o, Z[confidence]), rel=1e-12)
    assert (got.lower, got.upper) == pytest.approx(byar_ci(o, confidence), rel=1e-15)


def test_one_record():
    lower, upper, method = poisson_interval(1)
    assert round(lower, 4) == 0.0253 and method == EXACT
    assert round(byar_ci(1)[0], 4) == 0.0131  # the old figure
    assert upper == pytest.approx(5.5716, abs=1e-4)
    assert poisson_interval(0) == (0.0, pytest.approx(3.6889, abs=1e-4), EXACT)


def test_brinsworth_zero_records_is_similar_not_significantly_below():
    """0 robberies, 10,386 residents, against a partnership rate between the two upper limits
    (Byar's 0.3532 and the exact 0.3552 per 1,000): the verdict changes from 'below' to
    'similar'."""
    population, group_rate = 10_386, 0.354
    byar_upper = byar_ci(0)[1] / population * 1000
    ci = rate_ci(0, population)
    assert byar_upper < group_rate < ci.upper
    assert ci.method == EXACT and ci.rate == 0.0 and ci.lower == 0.0
    assert ci.compare_to(group_rate) == "similar"
    # The same rows, with Byar's interval (before): 'below'.
    assert ("below" if byar_upper < group_rate else "similar") == "below"


def test_rates_name_their_method():
    assert rate_ci(9, 1000).method == EXACT and rate_ci(10, 1000).method == BYAR


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(
    "expected", [0.3, 1.0, 2.5, 4.79, 4.7935, 4.796, 6.0, 9.5, 12.0, 18.39, 40.0]
)
def test_funnel_and_interval_never_disagree_for_small_counts(expected, confidence):
    """An area is outside the funnel exactly when its own interval excludes the group rate,
    also around 10, where the exact interval hands over to Byar's."""
    population = 10_000
    group_rate = expected / population * 1000
    limits = funnel_limits(group_rate, population)
    for o in range(0, 60):
        ci = rate_ci(o, population, confidence=confidence)
        position = funnel_position(ci.rate, limits)
        outside = {
            0.95: position != "within",
            0.998: position in ("above 99.8%", "below 99.8%"),
        }[confidence]
        assert outside == (ci.compare_to(group_rate) != "similar"), (o, position, ci)
