"""SPC rules and icons: the enums, the special-cause rules and the icons of an XmR chart.

Split from :mod:`saferstat.analytics.spc`, which builds the chart and re-exports these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

# Points needed for a run on one side of the mean, and for a trend (6 rises or falls).
RULE_POINTS = 7


class Polarity(StrEnum):
    """Which direction is better for the measure."""

    INCREASE = "increase"  # higher is better
    DECREASE = "decrease"  # lower is better
    NEUTRAL = "neutral"  # neither


class SpecialCause(StrEnum):
    """The rule that decides a point's type, in the package's order of precedence."""

    ABOVE_UPL = "above_upl"
    BELOW_LPL = "below_lpl"
    TREND_INCREASING = "trend_increasing"
    TREND_DECREASING = "trend_decreasing"
    TWO_IN_THREE_ABOVE = "two_in_three_above"
    TWO_IN_THREE_BELOW = "two_in_three_below"
    RUN_ABOVE = "run_above"
    RUN_BELOW = "run_below"
    COMMON_CAUSE = "common_cause"

    @property
    def side(self) -> int:
        """+1 for a high signal, -1 for a low one, 0 for common cause."""
        if self is SpecialCause.COMMON_CAUSE:
            return 0
        high = (
            SpecialCause.ABOVE_UPL,
            SpecialCause.TREND_INCREASING,
            SpecialCause.TWO_IN_THREE_ABOVE,
            SpecialCause.RUN_ABOVE,
        )
        return 1 if self in high else -1


class PointType(StrEnum):
    """The colour of a dot on a Making Data Count chart."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class VariationIcon(StrEnum):
    """The Making Data Count variation icon, from the type of the last point."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class AssuranceIcon(StrEnum):
    """The Making Data Count assurance icon: can the process be relied on to meet the target?

    The package calls hit-and-miss "inconsistent".
    """

    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    HIT_AND_MISS = "hit_and_miss"


# --- the rules (each takes one group's series and returns one flag per point) -------------


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _spread_back(ends: Sequence[bool | int], length: int = RULE_POINTS) -> list[bool]:
    """A point is part of a pattern if a pattern ends at it or at one of the next length-1."""
    return [any(ends[k : k + length]) for k in range(len(ends))]


def _run_flags(signs: Sequence[int], length: int = RULE_POINTS) -> list[bool]:
    """Points in a run of ``length`` or more on the same side of the mean.

    A point on the mean (sign 0) belongs to no run and breaks the run it interrupts.
    """
    ends = [
        k >= length - 1 and signs[k] != 0 and all(s == signs[k] for s in signs[k - length + 1 : k])
        for k in range(len(signs))
    ]
    return _spread_back(ends, length)


def _trend_ends(ys: Sequence[float], length: int = RULE_POINTS) -> list[int]:
    """+1 / -1 at the last point of ``length`` points each strictly above / below the one before.

    An equal pair breaks a trend.
    """
    ends = [0] * len(ys)
    for k in range(length - 1, len(ys)):
        steps = [_sign(ys[j] - ys[j - 1]) for j in range(k - length + 2, k + 1)]
        if all(s == 1 for s in steps):
            ends[k] = 1
        elif all(s == -1 for s in steps):
            ends[k] = -1
    return ends


def _trend_flags(ys: Sequence[float], length: int = RULE_POINTS) -> list[bool]:
    return _spread_back(_trend_ends(ys, length), length)


def _trend_sides(ys: Sequence[float], in_trend: Sequence[bool]) -> list[int]:
    """The direction of the trend each trend point is labelled with.

    As in the package: a point whose next point is also in a trend takes the step to its
    right, otherwise the step from its left. A step of 0 counts as decreasing (a point can
    sit where a rising trend meets a falling one that starts with an equal value).
    """
    sides = [0] * len(ys)
    last = len(ys) - 1
    for k, flagged in enumerate(in_trend):
        if not flagged:
            continue
        if k < last and in_trend[k + 1]:
            step = _sign(ys[k + 1] - ys[k])
        else:
            step = _sign(ys[k] - ys[k - 1]) if k > 0 else 0
        sides[k] = 1 if step == 1 else -1
    return sides


def _two_in_three_flags(near: Sequence[bool], signs: Sequence[int]) -> list[bool]:
    """Points beyond a near (2-sigma) line that are 2 of 3 consecutive points doing so.

    The three points must all be on the same side of the mean (none on it). Only the points
    beyond the near line are flagged, not the third point, and a point outside the limits
    does not count as near.
    """
    n = len(near)
    windows = [sum(near[j : j + 3]) >= 2 and abs(sum(signs[j : j + 3])) == 3 for j in range(n - 2)]
    return [
        near[k] and any(windows[j] for j in range(max(0, k - 2), min(k, n - 3) + 1))
        for k in range(n)
    ]


def _special_cause(
    *,
    is_outside: bool,
    is_in_trend: bool,
    trend_side: int,
    is_in_two_in_three: bool,
    is_in_run: bool,
    sign: int,
) -> SpecialCause:
    """The first rule that fires, in the package's order: limits, trend, 2 of 3, run."""
    if is_outside:
        return SpecialCause.ABOVE_UPL if sign == 1 else SpecialCause.BELOW_LPL
    if is_in_trend:
        return SpecialCause.TREND_INCREASING if trend_side == 1 else SpecialCause.TREND_DECREASING
    if is_in_two_in_three:
        return SpecialCause.TWO_IN_THREE_ABOVE if sign > 0 else SpecialCause.TWO_IN_THREE_BELOW
    if is_in_run:
        return SpecialCause.RUN_ABOVE if sign > 0 else SpecialCause.RUN_BELOW
    return SpecialCause.COMMON_CAUSE


def _point_type(cause: SpecialCause, polarity: Polarity) -> PointType:
    side = cause.side
    if side == 0:
        return PointType.COMMON_CAUSE
    if polarity is Polarity.NEUTRAL:
        return PointType.NEUTRAL_HIGH if side > 0 else PointType.NEUTRAL_LOW
    good = 1 if polarity is Polarity.INCREASE else -1
    return PointType.IMPROVEMENT if side == good else PointType.CONCERN


# --- icons --------------------------------------------------------------------------------


def _variation_icon(point_type: PointType, polarity: Polarity) -> VariationIcon:
    high_is_good = polarity is Polarity.INCREASE
    match point_type:
        case PointType.IMPROVEMENT:
            return VariationIcon.IMPROVEMENT_HIGH if high_is_good else VariationIcon.IMPROVEMENT_LOW
        case PointType.CONCERN:
            return VariationIcon.CONCERN_LOW if high_is_good else VariationIcon.CONCERN_HIGH
        case PointType.NEUTRAL_HIGH:
            return VariationIcon.NEUTRAL_HIGH
        case PointType.NEUTRAL_LOW:
            return VariationIcon.NEUTRAL_LOW
        case _:
            return VariationIcon.COMMON_CAUSE


def _assurance_icon(
    target: float | None, lpl: float | None, upl: float | None, polarity: Polarity
) -> AssuranceIcon | None:
    """Compare the target with the last group's limits (strictly, as the package does)."""
    if target is None or polarity is Polarity.NEUTRAL or lpl is None or upl is None:
        return None
    high_is_good = polarity is Polarity.INCREASE
    if target > upl:
        return AssuranceIcon.CONSISTENT_FAIL if high_is_good else AssuranceIcon.CONSISTENT_PASS
    if target < lpl:
        return AssuranceIcon.CONSISTENT_PASS if high_is_good else AssuranceIcon.CONSISTENT_FAIL
    return AssuranceIcon.HIT_AND_MISS
