"""Significance tests and confidence intervals for counts of events.

Two methods, both for counts that are assumed Poisson (crimes in an area over a period):

* :func:`poisson_compare`: is the count in one period different from the count in
  another, allowing for unequal exposure (e.g. 11 months of data against 12)? Conditional
  exact test (Przyborowski and Wilenski 1940; Breslow and Day 1987, vol. II).
* :func:`poisson_interval` / :func:`rate_ci`: confidence interval for a count or a rate, the
  exact Poisson interval below 10 and Byar's approximation from 10, as in Public Health
  England's "Technical Guide: Confidence Intervals" (APHO 2008) and Breslow and Day (1987).

Formulas are repeated in ``docs/analytics.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple


def _scipy_stats():
    """scipy.stats, imported on first use: it costs about 2 s, which the CLI and the task
    worker should not pay unless a figure needs it."""
    from scipy import stats

    return stats


def _scipy_special():
    from scipy import special

    return special


#: Significance level used to call a change "significant" (two-sided).
ALPHA = 0.05


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 0.95 -> 1.959964, 0.998 -> 3.090232."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return float(_scipy_stats().norm.ppf(1 - (1 - confidence) / 2))


# --- comparing two counts --------------------------------------------------------------


@dataclass(frozen=True)
class PoissonComparison:
    """Result of :func:`poisson_compare`.

    Attributes:
        n1, n2: the two counts (1 = baseline, e.g. the previous period; 2 = current).
        e1, e2: their exposures (e.g. months of data loaded, or person-years).
        rate_ratio: ``(n2 / e2) / (n1 / e1)``; ``inf`` if n1 = 0 < n2; ``nan`` if both are 0.
        change_pct: ``(rate_ratio - 1) * 100``: change in the exposure-adjusted rate.
        p_value: two-sided exact p-value.
        ci_low, ci_high: 95% confidence interval of ``rate_ratio`` (Clopper-Pearson
            interval of the binomial proportion, transformed).
    """

    n1: int
    n2: int
    e1: float
    e2: float
    rate_ratio: float
    change_pct: float
    p_value: float
    ci_low: float
    ci_high: float

    def is_significant(self, alpha: float = ALPHA) -> bool:
        """``p_value < alpha``."""
        return self.p_value < alpha


def poisson_compare(n1: int, n2: int, e1: float = 1.0, e2: float = 1.0) -> PoissonComparison:
    """Compare two Poisson counts with exposures by the conditional exact binomial test.

    Model: ``n1 ~ Poisson(λ1·e1)``, ``n2 ~ Poisson(λ2·e2)``; null hypothesis ``λ1 = λ2``.
    Given the total ``n = n1 + n2``, under the null

        n2 ~ Binomial(n, π0),   π0 = e2 / (e1 + e2),

    so the two-sided p-value is that of an exact binomial test of ``n2`` successes in ``n``
    trials against ``π0`` (``scipy.stats.binomtest``; two-sided p = sum of the
    probabilities of all outcomes no more likely than the one observed, as R's
    ``binom.test`` and ``poisson.test``). With ``n = 0`` there is no evidence: p = 1.

    The rate ratio ``R = (n2/e2)/(n1/e1)`` relates to the binomial proportion by
    ``π = e2·R / (e1 + e2·R)``, so its confidence interval is the Clopper-Pearson interval
    ``[πL, πU]`` of ``n2/n`` mapped by ``R = π·e1 / ((1 - π)·e2)``.

    Source: Przyborowski J, Wilenski H (1940) Biometrika 31:313-323; Breslow NE, Day NE
    (1987) Statistical Methods in Cancer Research vol. II, IARC; the same test
    as R ``poisson.test(c(n2, n1), c(e2, e1))``.

    Args:
        n1: baseline count (e.g. previous period).
        n2: comparison count (e.g. current period).
        e1: exposure of ``n1`` (> 0), e.g. months of data loaded.
        e2: exposure of ``n2`` (> 0).
    """
    for name, value in (("n1", n1), ("n2", n2)):
        if value < 0 or int(value) != value:
            raise ValueError(f"{name} must be a whole number >= 0, not {value}")
    if e1 <= 0 or e2 <= 0:
        raise ValueError(f"exposures must be > 0, not e1={e1}, e2={e2}")
    n1, n2 = int(n1), int(n2)
    n = n1 + n2
    if n == 0:
        return PoissonComparison(n1, n2, e1, e2, math.nan, math.nan, 1.0, 0.0, math.inf)
    pi0 = e2 / (e1 + e2)
    if not 0 < pi0 < 1:  # exposures more than 1e16 apart: no test is meaningful
        raise ValueError(f"exposures too far apart to compare: e1={e1}, e2={e2}")
    p_value = _binomial_two_sided_p(n2, n, pi0)
    ci_low, ci_high = _clopper_pearson(n2, n, 0.95)
    rate_ratio = math.inf if n1 == 0 else (n2 / e2) / (n1 / e1)
    change_pct = math.inf if n1 == 0 else (rate_ratio - 1) * 100
    return PoissonComparison(
        n1=n1,
        n2=n2,
        e1=e1,
        e2=e2,
        rate_ratio=rate_ratio,
        change_pct=change_pct,
        p_value=p_value,
        ci_low=_pi_to_ratio(ci_low, e1, e2),
        ci_high=_pi_to_ratio(ci_high, e1, e2),
    )


# The exact binomial test and interval, written out with scipy.special's incomplete beta
# functions instead of scipy.stats.binomtest: the same results (tests compare the two over
# hundreds of random cases) at about a hundredth of the cost, which matters to a page that tests
# every crime type's change (scipy's interval solves each limit by root-finding over
# binomial distribution objects, ~5 ms a call).

#: As R's binom.test: outcomes "as likely" as the observed one, within rounding.
_RELATIVE_ERROR = 1 + 1e-7


def _binomial_pmf(i: int, n: int, p: float) -> float:
    # log C(n, i) as -log(n + 1) - log B(n - i + 1, i + 1): betaln keeps its precision for
    # large n, where a difference of three lgamma values (each ~n log n) would lose digits.
    log_choose = -math.log(n + 1) - float(_scipy_special().betaln(n - i + 1, i + 1))
    return math.exp(log_choose + i * math.log(p) + (n - i) * math.log1p(-p))


def _binomial_two_sided_p(k: int, n: int, p: float) -> float:
    """Two-sided p-value of ``k`` successes in ``n`` trials against ``p`` (0 < p < 1): the
    probability of every outcome no more likely than ``k`` (R's ``binom.test``)."""
    special = _scipy_special()
    expected = n * p
    if k == expected:
        return 1.0
    limit = _binomial_pmf(k, n, p) * _RELATIVE_ERROR
    if k < expected:
        # The other tail: the pmf falls from ceil(np) to n; find where it drops to `limit`.
        lo, hi = math.ceil(expected), n
        if _binomial_pmf(hi, n, p) > limit:
            return min(1.0, float(special.bdtr(k, n, p)))
        while lo < hi:
            mid = (lo + hi) // 2
            if _binomial_pmf(mid, n, p) <= limit:
                hi = mid
            else:
                lo = mid + 1
        other = float(special.bdtrc(lo - 1, n, p))  # P(X >= lo)
        return min(1.0, float(special.bdtr(k, n, p)) + other)
    # The other tail: the pmf rises from 0 to floor(np); find the last outcome below `limit`.
    lo, hi = 0, math.floor(expected)
    if _binomial_pmf(lo, n, p) > limit:
        return min(1.0, float(special.bdtrc(k - 1, n, p)))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _binomial_pmf(mid, n, p) <= limit:
            lo = mid
        else:
            hi = mid - 1
    other = float(special.bdtr(lo, n, p))  # P(X <= lo)
    return min(1.0, other + float(special.bdtrc(k - 1, n, p)))


def _clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a binomial proportion ``k / n``: the limits are
    quantiles of beta distributions, ``B(a/2; k, n-k+1)`` and ``B(1-a/2; k+1, n-k)``."""
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else _beta_quantile(k, n - k + 1, tail)
    high = 1.0 if k == n else _beta_quantile(k + 1, n - k, 1 - tail)
    return low, high


def _beta_quantile(a: float, b: float, q: float) -> float:
    """The ``q`` quantile of Beta(a, b): ``scipy.special.betaincinv``, checked against the
    incomplete beta function. For some large, lopsided ``a`` and ``b`` the inverse lands far
    off (``betaincinv(86244, 1000, 0.025)`` gives 0.9686 where the quantile is 0.9878; found
    by a property test against ``scipy.stats.binomtest``); ``betainc`` itself is accurate
    there, so the quantile is then found again by root-finding on it (Brent's method)."""
    special = _scipy_special()
    x = float(special.betaincinv(a, b, q))
    if abs(float(special.betainc(a, b, x)) - q) <= 1e-9 * min(q, 1 - q):
        return x
    from scipy.optimize import brentq  # only for the rare inverse that missed

    return float(brentq(lambda t: special.betainc(a, b, t) - q, 0.0, 1.0, xtol=1e-16, rtol=1e-15))


def _pi_to_ratio(pi: float, e1: float, e2: float) -> float:
    if pi >= 1:
        return math.inf
    return pi * e1 / ((1 - pi) * e2)


# --- confidence intervals for a count or rate ------------------------------------------

#: Counts below this get the exact Poisson interval; from it on, Byar's approximation (PHE
#: "Technical Guide: Confidence Intervals"; PHEindicatormethods ``phe_rate``).
EXACT_BELOW = 10
EXACT = "exact Poisson"
BYAR = "Byar's approximation"
#: Said once under a table whose rows each name their method.
INTERVAL_METHOD_NOTE = (
    "Confidence intervals: exact Poisson for counts under 10, Byar's approximation from 10 "
    "(PHE Technical Guide: Confidence Intervals); each row names its method."
)


class PoissonInterval(NamedTuple):
    """``(lower, upper, method)`` of a Poisson count; ``method`` is :data:`EXACT` or :data:`BYAR`."""

    lower: float
    upper: float
    method: str


def interval_method(count: float) -> str:
    """:data:`EXACT` for a count under 10, :data:`BYAR` from 10."""
    return EXACT if count < EXACT_BELOW else BYAR


def poisson_limits(o: float, z: float) -> tuple[float, float]:
    """The limits of :func:`poisson_interval` for a count ``o`` that may be non-whole (funnel
    limits solve them for ``o``), the method chosen by ``o`` as there.

    Exact (``o < 10``): ``lower = χ²(α/2; 2o)/2`` (0 at 0), ``upper = χ²(1−α/2; 2o+2)/2``.
    Byar (``o ≥ 10``): ``lower = o(1 − 1/(9o) − z/(3√o))³``,
    ``upper = (o+1)(1 − 1/(9(o+1)) + z/(3√(o+1)))³``; ``α = 2(1 − Φ(z))``.
    """
    if o < 0:
        raise ValueError(f"count must be >= 0, not {o}")
    if o < EXACT_BELOW:
        return exact_limits(o, z)
    return byar_limits(o, z)


def exact_limits(o: float, z: float) -> tuple[float, float]:
    """Exact Poisson limits (chi-squared quantiles) of a count ``o`` (may be non-whole)."""
    chi2 = _scipy_stats().chi2
    tail = float(_scipy_stats().norm.sf(z))  # α/2
    lower = 0.0 if o <= 0 else float(chi2.ppf(tail, 2 * o)) / 2
    upper = float(chi2.ppf(1 - tail, 2 * o + 2)) / 2
    return lower, upper


def byar_limits(o: float, z: float) -> tuple[float, float]:
    """Byar's limits of a count ``o`` (may be non-whole): the one copy of the formula."""
    if o <= 0:
        lower = 0.0
    else:
        lower = max(o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3, 0.0)
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lower, upper


def _check_count(count: int) -> int:
    if count < 0 or int(count) != count:
        raise ValueError(f"count must be a whole number >= 0, not {count}")
    return int(count)


def poisson_interval(count: int, confidence: float = 0.95) -> PoissonInterval:
    """Confidence interval of a Poisson count ``O``: the one interval every figure uses.

    * ``O < 10``: the exact interval, ``lower = χ²(α/2; 2O)/2`` (0 when ``O = 0``) and
      ``upper = χ²(1−α/2; 2O+2)/2`` (``scipy.stats.chi2.ppf``);
    * ``O ≥ 10``: Byar's approximation (:func:`byar_ci`), within 0.2% of the exact limits there.

    For 1 record the exact 95% lower limit is 0.0253 where Byar's is 0.0131.

    Source: PHE "Technical Guide: Confidence Intervals" (APHO 2008); PHEindicatormethods
    ``phe_rate`` (``byars_lower``/``byars_upper`` with the exact interval below 10); Breslow
    NE, Day NE (1987) Statistical Methods in Cancer Research vol. II, IARC.

    Args:
        count: observed count ``O`` (whole number >= 0).
        confidence: 0.95 (default) or e.g. 0.998 for funnel-plot outer limits.

    Returns:
        :class:`PoissonInterval` ``(lower, upper, method)`` for the expected count.
    """
    o = _check_count(count)
    lower, upper = poisson_limits(o, z_value(confidence))
    return PoissonInterval(lower, upper, interval_method(o))


def byar_ci(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's confidence interval for a Poisson count ``O`` (for any ``O``; the figures use
    :func:`poisson_interval`, which takes it from 10 on).

        lower = O · (1 − 1/(9O) − z/(3√O))³
        upper = (O+1) · (1 − 1/(9(O+1)) + z/(3√(O+1)))³

    with ``z`` the two-sided normal quantile (1.959964 for 95%, 3.090232 for 99.8%).
    For ``O = 0`` the lower limit is 0 (the formula is undefined there), and a negative
    lower limit (a count of 1 at 99.8%) is set to 0.

    Source: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research vol. II, IARC;
    APHO (2008) "Technical Briefing 3: Commonly used public health statistics and
    their confidence intervals"; PHE "Technical Guide: Confidence Intervals".

    Returns:
        ``(lower, upper)`` limits for the expected count.
    """
    return byar_limits(_check_count(count), z_value(confidence))


@dataclass(frozen=True)
class RateCI:
    """A rate per ``per`` people with its confidence interval and the interval's method."""

    count: int
    population: float
    per: float
    rate: float
    lower: float
    upper: float
    confidence: float
    method: str = BYAR

    def compare_to(self, comparator_rate: float) -> str:
        """``'above'``, ``'below'`` or ``'similar'``: whether the interval excludes the comparator."""
        if self.lower > comparator_rate:
            return "above"
        if self.upper < comparator_rate:
            return "below"
        return "similar"


def rate_ci(
    count: int, population: float, *, per: float = 1000, confidence: float = 0.95
) -> RateCI:
    """Rate ``count / population × per`` with :func:`poisson_interval` scaled the same way.

    A group rate (several areas) is ``Σ counts / Σ populations × per``: pass the sums.
    """
    if population <= 0:
        raise ValueError(f"population must be > 0, not {population}")
    lower, upper, method = poisson_interval(count, confidence)
    scale = per / population
    return RateCI(
        count=int(count),
        population=population,
        per=per,
        rate=count * scale,
        lower=lower * scale,
        upper=upper * scale,
        confidence=confidence,
        method=method,
    )


def rate_per_1000(count: int, population: float) -> float:
    """``count / population × 1000``."""
    if population <= 0:
        raise ValueError(f"population must be > 0, not {population}")
    return count / population * 1000
