"""Tests for the Making Data Count XmR chart (saferstat.analytics.spc).

Expected values are worked out here by plain arithmetic, or taken from NHSRplotthedots'
published tests, snapshots and vignettes (noted where they are).
"""

import math
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saferstat.analytics.spc import (
    LIMIT_FACTOR,
    MOVING_RANGE_OUTLIER_FACTOR,
    NEAR_LIMIT_FACTOR,
    AssuranceIcon,
    PointType,
    Polarity,
    SpecialCause,
    VariationIcon,
    _assurance_icon,
    _run_flags,
    _trend_ends,
    _trend_flags,
    _two_in_three_flags,
    xmr,
)

C = SpecialCause
T = PointType

# A 12-point baseline with mean 10 and every moving range 2, so with baseline=12 the limits
# stay put whatever follows: 10 ± 2.66 x 2 = 4.68 / 15.32, near lines 10 ± 3.5467.
BASE = [9.0, 11.0] * 6
BASE_MEAN = 10.0
BASE_MR = 2.0


def framed(tail, polarity="increase", **kwargs):
    """The BASE frame with ``tail`` after it, limits fixed on the frame."""
    return xmr(BASE + list(tail), polarity=polarity, baseline=12, **kwargs)


def tail_causes(result):
    return [p.special_cause for p in result.points[len(BASE) :]]


def causes(result):
    return [p.special_cause for p in result.points]


# R: set.seed(123); rnorm(20) -- the data of NHSRplotthedots' tests and snapshots.
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip

# NHSRplotthedots vignette "Deviations from Excel defaults".
DEVIATIONS_SERIES = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


# --- limits by hand ------------------------------------------------------------------------


def test_constants_are_the_packages():
    assert LIMIT_FACTOR == 2.66
    assert MOVING_RANGE_OUTLIER_FACTOR == 3.267
    # 2/3 of 2.66, as the package computes it; not the rounded 1.773.
    assert NEAR_LIMIT_FACTOR == pytest.approx(1.773333333, abs=1e-9)


def test_hand_worked_series():
    values = [10, 12, 11, 13, 12, 14]
    result = xmr(values, polarity="increase")

    mean = (10 + 12 + 11 + 13 + 12 + 14) / 6
    mean_mr = (2 + 1 + 2 + 1 + 2) / 5  # 1.6; nothing near 3.267 x 1.6 = 5.23
    group = result.groups[0]
    assert group.mean == pytest.approx(mean)
    assert group.mean_moving_range == pytest.approx(mean_mr)
    assert group.upl == pytest.approx(mean + 2.66 * mean_mr)
    assert group.lpl == pytest.approx(mean - 2.66 * mean_mr)
    assert group.near_upl == pytest.approx(mean + 2 / 3 * 2.66 * mean_mr)
    assert group.near_lpl == pytest.approx(mean - 2 / 3 * 2.66 * mean_mr)
    assert [p.moving_range for p in result.points] == [None, 2, 1, 2, 1, 2]
    assert [p.is_moving_range_used for p in result.points] == [False] + [True] * 5
    assert [p.relative_to_mean for p in result.points] == [-1, 0, -1, 1, 0, 1]  # mean 12
    for p in result.points:
        assert (p.mean, p.lpl, p.upl) == (group.mean, group.lpl, group.upl)
        assert p.value == values[p.index]
        assert p.date is None
        assert p.point_type is T.COMMON_CAUSE


def test_the_frame_has_the_limits_it_claims():
    group = framed([]).groups[0]
    assert group.mean == BASE_MEAN
    assert group.mean_moving_range == BASE_MR
    assert group.upl == pytest.approx(15.32)
    assert group.lpl == pytest.approx(4.68)
    assert group.near_upl == pytest.approx(10 + 2 * 2.66 / 3 * 2)


# --- moving range screen -------------------------------------------------------------------


def test_moving_range_outliers_are_screened_out():
    # Vignette: screened UPL 4.6, mean 1.94, LPL -0.72; the Excel way 6.95 / 1.94 / -3.06.
    mean = 35 / 18
    screened = xmr(DEVIATIONS_SERIES, polarity="increase")
    # Moving ranges 1, 1, 1, 8, 9 and twelve 1s: mean 32/17; 8 and 9 are >= 3.267 x 32/17.
    assert screened.groups[0].mean_moving_range == pytest.approx(15 / 15)
    assert screened.groups[0].upl == pytest.approx(mean + 2.66)
    assert screened.groups[0].lpl == pytest.approx(mean - 2.66)
    assert [round(x, 2) for x in (screened.groups[0].upl, mean, screened.groups[0].lpl)] == [
        4.6,
        1.94,
        -0.72,
    ]
    used = [p.is_moving_range_used for p in screened.points]
    assert used == [False, True, True, True, False, False] + [True] * 12

    excel = xmr(DEVIATIONS_SERIES, polarity="increase", exclude_moving_range_outliers=False)
    assert excel.groups[0].mean_moving_range == pytest.approx(32 / 17)
    assert excel.groups[0].upl == pytest.approx(mean + 2.66 * 32 / 17)
    assert round(excel.groups[0].upl, 2) == 6.95
    assert round(excel.groups[0].lpl, 2) == -3.06
    assert all(p.is_moving_range_used for p in excel.points[1:])

    # The vignette's chart: only the 10 is special cause, in both versions.
    for result in (screened, excel):
        assert [p.index for p in result.points if p.is_special_cause] == [4]
        assert result.points[4].point_type is T.IMPROVEMENT


def test_a_moving_range_exactly_at_the_cut_is_screened_out():
    # Moving ranges 3267, 433, 433, 433, 434: mean 1000, cut 3.267 x 1000 = 3267 exactly.
    at_cut = xmr([0, 3267, 2834, 3267, 2834, 3268], polarity="neutral")
    assert at_cut.points[1].is_moving_range_used is False
    assert at_cut.groups[0].mean_moving_range == pytest.approx(1733 / 4)

    # 3266 with the same others: mean 999.8, cut 3266.3: kept.
    below_cut = xmr([0, 3266, 2833, 3266, 2833, 3267], polarity="neutral")
    assert below_cut.points[1].is_moving_range_used is True
    assert below_cut.groups[0].mean_moving_range == pytest.approx(4999 / 5)


# --- rule 1: outside the limits ------------------------------------------------------------


def test_outside_limits_is_strict():
    upl = framed([]).groups[0].upl
    lpl = framed([]).groups[0].lpl

    on_upl = framed([upl])
    assert on_upl.points[-1].is_outside_limits is False
    assert on_upl.points[-1].is_special_cause is False

    above = framed([math.nextafter(upl, math.inf)])
    assert above.points[-1].is_outside_limits is True
    assert tail_causes(above) == [C.ABOVE_UPL]
    assert above.points[-1].point_type is T.IMPROVEMENT

    on_lpl = framed([lpl])
    assert on_lpl.points[-1].is_special_cause is False
    below = framed([math.nextafter(lpl, -math.inf)])
    assert tail_causes(below) == [C.BELOW_LPL]
    assert below.points[-1].point_type is T.CONCERN


# --- rule 2: a run of 7 on one side of the mean --------------------------------------------


def test_run_of_seven_below_the_mean():
    result = framed([9] * 7)
    assert tail_causes(result) == [C.RUN_BELOW] * 7
    assert all(p.is_in_run for p in result.points[12:])
    assert not any(p.is_in_run for p in result.points[:12])


def test_run_of_six_is_not_enough():
    assert tail_causes(framed([9] * 6)) == [C.COMMON_CAUSE] * 6
    assert tail_causes(framed([9] * 6 + [11])) == [C.COMMON_CAUSE] * 7


def test_every_point_of_a_longer_run_is_flagged():
    # The last frame point (11) starts the run: 9 points above.
    result = framed([12] * 8)
    assert causes(result)[10:] == [C.COMMON_CAUSE] + [C.RUN_ABOVE] * 9


def test_a_point_on_the_mean_breaks_a_run():
    assert tail_causes(framed([9, 9, 9, 10, 9, 9, 9])) == [C.COMMON_CAUSE] * 7
    result = framed([9, 9, 9, 10] + [9] * 7)
    assert tail_causes(result) == [C.COMMON_CAUSE] * 4 + [C.RUN_BELOW] * 7
    assert result.points[15].relative_to_mean == 0


def test_run_flags_ported_from_the_package():
    # ptd_seven_point_one_side_mean() cases, as "part of a run" flags.
    assert _run_flags([]) == []
    assert _run_flags([1] * 6) == [False] * 6
    assert _run_flags([1] * 6 + [-1]) == [False] * 7
    assert _run_flags([1] * 8 + [-1]) == [True] * 8 + [False]
    assert _run_flags([-1] * 8 + [1]) == [True] * 8 + [False]


# --- rule 3: a trend of 7 (6 rises or 6 falls) ---------------------------------------------


def test_trend_of_seven_increasing():
    # 11 (end of frame) -> 7 is a fall; then 7..13 is six rises.
    result = framed([7, 8, 9, 10, 11, 12, 13])
    assert tail_causes(result) == [C.TREND_INCREASING] * 7
    assert result.points[11].is_in_trend is False


def test_trend_of_six_is_not_enough():
    assert tail_causes(framed([8, 9, 10, 11, 12, 13])) == [C.COMMON_CAUSE] * 6


def test_an_equal_pair_breaks_a_trend():
    assert tail_causes(framed([7, 8, 9, 9, 10, 11, 12, 13])) == [C.COMMON_CAUSE] * 8


def test_trend_of_seven_decreasing_and_polarity():
    tail = [13, 12, 11, 10, 9, 8, 7]
    assert tail_causes(framed(tail)) == [C.TREND_DECREASING] * 7
    assert {p.point_type for p in framed(tail).points[12:]} == {T.CONCERN}
    assert {p.point_type for p in framed(tail, "decrease").points[12:]} == {T.IMPROVEMENT}
    assert {p.point_type for p in framed(tail, "neutral").points[12:]} == {T.NEUTRAL_LOW}


def test_trend_meeting_a_trend_with_an_equal_value_is_labelled_as_the_package_does():
    # Rising 7..13 then falling 13..7: the first 13 ends the rising trend, but its next point
    # is in the falling trend and the step to it is 0, which the package labels "decreasing".
    result = framed([7, 8, 9, 10, 11, 12, 13, 13, 12, 11, 10, 9, 8, 7])
    assert tail_causes(result) == (
        [C.TREND_INCREASING] * 6 + [C.TREND_DECREASING] + [C.TREND_DECREASING] * 7
    )


def test_trend_flags_ported_from_the_package():
    # ptd_seven_point_trend() and ptd_part_of_seven_trend() cases.
    assert _trend_ends([]) == []
    assert _trend_ends([1, 2, 3, 4, 5, 6]) == [0] * 6
    assert _trend_ends([1, 2, 3, 3, 4, 5, 6]) == [0] * 7
    assert _trend_ends([1, 2, 3, 4, 5, 6, 7]) == [0] * 6 + [1]
    assert _trend_ends([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [0] * 7 + [1, 0]
    assert _trend_ends([7, 6, 5, 4, 3, 2, 1]) == [0] * 6 + [-1]
    assert _trend_ends([2, 7, 6, 5, 4, 3, 2, 1, 3]) == [0] * 7 + [-1, 0]
    assert _trend_flags([2, 1, 2, 3, 4, 5, 6, 7, 3]) == [False] + [True] * 7 + [False]
    assert _trend_flags([0, 2, 7, 6, 5, 4, 3, 2, 1, 3]) == [False] * 2 + [True] * 7 + [False]


# --- rule 4: 2 of 3 beyond the near (2-sigma) line -----------------------------------------


def test_two_of_three_near_the_upper_limit():
    # 14 is between the near line (13.55) and the UPL (15.32); 12 is above the mean.
    result = framed([14, 12, 14])
    assert tail_causes(result) == [C.TWO_IN_THREE_ABOVE, C.COMMON_CAUSE, C.TWO_IN_THREE_ABOVE]
    assert [p.is_near_limits for p in result.points[12:]] == [True, False, True]
    assert [p.point_type for p in result.points[12:]] == [
        T.IMPROVEMENT,
        T.COMMON_CAUSE,
        T.IMPROVEMENT,
    ]


def test_two_of_three_near_the_lower_limit():
    result = framed([6, 8, 6], polarity="decrease")
    assert tail_causes(result) == [C.TWO_IN_THREE_BELOW, C.COMMON_CAUSE, C.TWO_IN_THREE_BELOW]
    assert result.points[12].point_type is T.IMPROVEMENT


def test_two_of_three_needs_all_three_on_one_side():
    assert tail_causes(framed([14, 9, 14])) == [C.COMMON_CAUSE] * 3


def test_two_near_points_four_apart_are_not_two_of_three():
    assert tail_causes(framed([14, 12, 12, 14])) == [C.COMMON_CAUSE] * 4


def test_a_point_outside_the_limits_is_not_near_them():
    result = framed([16, 14, 12])
    assert tail_causes(result) == [C.ABOVE_UPL, C.COMMON_CAUSE, C.COMMON_CAUSE]
    assert result.points[12].is_near_limits is False


def test_opposite_sides_example_from_the_package():
    # test-ptd_spc_standard.R: two successive points near the limits on opposite sides.
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    result = xmr(values, polarity="increase")
    # Mean 0; moving ranges thirteen 2s, 6.5 and 11 (11 >= 3.267 x 2.9 is screened).
    assert result.groups[0].mean_moving_range == pytest.approx((13 * 2 + 6.5) / 14)
    assert [p.is_near_limits for p in result.points[-2:]] == [True, True]
    assert [p.point_type for p in result.points[-2:]] == [T.COMMON_CAUSE, T.COMMON_CAUSE]


def test_two_in_three_flags_ported_from_the_package():
    # ptd_two_in_three() and ptd_part_of_two_in_three() cases: only the near points flag.
    def flags(near, signs):
        return [int(f) for f in _two_in_three_flags([bool(x) for x in near], signs)]

    assert flags([], []) == []
    assert flags([0, 0, 0], [0, 0, 0]) == [0, 0, 0]
    for near in ([1, 0, 1], [0, 1, 1], [1, 1, 0]):
        assert flags(near, [1, 1, 1]) == near
        assert flags(near, [1, -1, 1]) == [0, 0, 0]
    assert flags([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 0, 1, 0, 0]
    assert flags([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 0, 1, 1, 0, 0, 0]
    assert flags([0, 0, 1, 0, 1, 0, 0], [1, -1] * 3 + [1]) == [0] * 7
    assert flags([0, 0, 1, 1, 0, 0, 0], [-1, 1] * 3 + [-1]) == [0] * 7
    assert flags([1, 0, 0, 1], [1] * 4) == [0, 0, 0, 0]
    assert flags([1, 0, 0, 1, 1], [1] * 5) == [0, 0, 0, 1, 1]


# --- which rule names the point ------------------------------------------------------------


def test_outside_limits_beats_trend():
    result = framed([7, 8, 9, 10, 11, 12, 13, 16])
    assert tail_causes(result) == [C.TREND_INCREASING] * 7 + [C.ABOVE_UPL]
    assert result.points[-1].is_in_trend is True


def test_trend_beats_two_in_three():
    result = framed([7, 8, 9, 10, 12, 14, 14.5])
    assert tail_causes(result) == [C.TREND_INCREASING] * 7
    assert [p.is_in_two_in_three for p in result.points[-2:]] == [True, True]


def test_two_in_three_beats_a_run():
    # The frame's last point (11) and the tail make 8 points above the mean.
    result = framed([12, 12, 14, 12, 14, 12, 12])
    assert causes(result)[11:] == [
        C.RUN_ABOVE,
        C.RUN_ABOVE,
        C.RUN_ABOVE,
        C.TWO_IN_THREE_ABOVE,
        C.RUN_ABOVE,
        C.TWO_IN_THREE_ABOVE,
        C.RUN_ABOVE,
        C.RUN_ABOVE,
    ]


# --- baseline (fix_after_n_points) ---------------------------------------------------------


def test_baseline_fixes_the_limits_on_the_first_points():
    values = BASE + [20, 20, 20]
    fixed = xmr(values, polarity="increase", baseline=12)
    assert fixed.groups[0].mean == 10
    assert fixed.groups[0].baseline_count == 12
    assert tail_causes(fixed) == [C.ABOVE_UPL] * 3
    assert [p.is_moving_range_used for p in fixed.points[12:]] == [False] * 3
    assert fixed.points[13].moving_range == 0

    free = xmr(values, polarity="increase")
    assert free.groups[0].mean == pytest.approx((60 + 60 + 60) / 15)
    assert free.groups[0].baseline_count == 15


def test_baseline_is_the_same_as_limits_on_the_first_points_alone():
    # Package test: fixing after 12 points changes the limits of the rnorm(20) series.
    fixed = xmr(RNORM_123, polarity="increase", baseline=12).groups[0]
    free = xmr(RNORM_123, polarity="increase").groups[0]
    first12 = xmr(RNORM_123[:12], polarity="increase").groups[0]
    assert fixed.lpl != free.lpl and fixed.upl != free.upl
    assert (fixed.mean, fixed.lpl, fixed.upl) == (first12.mean, first12.lpl, first12.upl)


def test_baseline_longer_than_the_series_uses_every_point():
    fixed = xmr(BASE[:10], polarity="increase", baseline=15)
    assert fixed.groups[0].baseline_count == 10
    assert fixed.groups[0].mean == xmr(BASE[:10], polarity="increase").groups[0].mean


@pytest.mark.parametrize("baseline", [11, 0, -1, 12.0, True, "12"])
def test_baseline_needs_at_least_12_whole_points(baseline):
    with pytest.raises(ValueError, match="baseline"):
        xmr(BASE, polarity="increase", baseline=baseline)


def test_baseline_applies_within_each_rebased_group():
    values = BASE + [20, 20] + [x + 100 for x in BASE] + [130]
    result = xmr(values, polarity="increase", baseline=12, rebase_at={14: "new service"})
    first, second = result.groups
    assert (first.mean, second.mean) == (10, 110)
    assert (first.baseline_count, second.baseline_count) == (12, 12)
    assert result.points[-1].special_cause is C.ABOVE_UPL


# --- rebasing ------------------------------------------------------------------------------


def test_rebase_gives_each_group_its_own_limits():
    # Summary snapshot (facets of 10): means 0.0746 / 0.209, LPL -2.60 / -3.28, UPL 2.75 / 3.70.
    result = xmr(RNORM_123, polarity="increase", rebase_at={10: "change of recording"})
    first, second = result.groups
    assert [p.group for p in result.points] == [0] * 10 + [1] * 10
    assert (first.start_index, first.end_index, second.start_index) == (0, 9, 10)
    assert (first.rebase_reason, second.rebase_reason) == (None, "change of recording")
    assert [round(first.mean, 4), round(first.lpl, 2), round(first.upl, 2)] == [0.0746, -2.6, 2.75]
    assert [round(second.mean, 3), round(second.lpl, 2), round(second.upl, 2)] == [
        0.209,
        -3.28,
        3.7,
    ]
    assert first.mean == pytest.approx(sum(RNORM_123[:10]) / 10)
    assert result.points[10].moving_range is None
    assert not any(p.is_special_cause for p in result.points)
    assert len(result.warnings) == 2


def test_rules_do_not_cross_a_rebase():
    # Without a rebase, 1..7 is a trend and the seven 1s a run; split by a rebase, neither
    # group holds 7 of them.
    trend = [5, 1] * 4 + [1, 2, 3, 4, 5, 6, 7] + [4, 8] * 4
    assert [p.index for p in xmr(trend, polarity="increase").points if p.is_in_trend] == list(
        range(8, 15)
    )
    split = xmr(trend, polarity="increase", rebase_at={12: "new recording system"})
    assert not any(p.is_in_trend for p in split.points)

    run = [3, 5] * 4 + [1] * 7 + [9, 3] * 4
    assert [p.index for p in xmr(run, polarity="increase").points if p.is_in_run] == list(
        range(8, 15)
    )
    split = xmr(run, polarity="increase", rebase_at={11: "new recording system"})
    assert not any(p.is_in_run for p in split.points)


def test_rebase_by_date_and_as_pairs():
    days = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 13)]
    values = BASE + [x + 50 for x in BASE]
    by_date = xmr(values, polarity="decrease", dates=days, rebase_at={date(2025, 1, 1): "merger"})
    by_pair = xmr(values, polarity="decrease", rebase_at=[(12, "merger")])
    assert by_date.groups[1].start_index == 12
    assert by_date.groups[1].start_date == date(2025, 1, 1)
    assert by_date.points[12].date == date(2025, 1, 1)
    assert [g.mean for g in by_date.groups] == [g.mean for g in by_pair.groups] == [10, 60]


@pytest.mark.parametrize(
    "rebase_at, match",
    [
        ({5: ""}, "reason"),
        ({5: "   "}, "reason"),
        ({5: None}, "reason"),
        ([(5,)], "rebase_at"),
        ([5], "rebase_at"),
        ("5", "rebase_at"),
        ({0: "start"}, "index"),
        ({24: "after the end"}, "index"),
        ({-1: "negative"}, "index"),
        ([(5, "a"), (5, "b")], "more than once"),
        ({date(2024, 3, 1): "no dates given"}, "no dates"),
        ({2.5: "not an index"}, "rebase_at"),
    ],
)
def test_rebase_needs_a_position_inside_the_series_and_a_reason(rebase_at, match):
    with pytest.raises(ValueError, match=match):
        xmr(BASE * 2, polarity="increase", rebase_at=rebase_at)


def test_rebase_at_an_unknown_date_is_refused():
    days = [date(2024, m, 1) for m in range(1, 13)]
    with pytest.raises(ValueError, match="not one of the dates"):
        xmr(BASE, polarity="increase", dates=days, rebase_at={date(2024, 6, 15): "x"})


# --- assurance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "polarity, expected",
    [
        ("increase", ["consistent_fail", "consistent_pass", "hit_and_miss"]),
        ("decrease", ["consistent_pass", "consistent_fail", "hit_and_miss"]),
        ("neutral", [None, None, None]),
    ],
)
def test_assurance_table_from_the_package(polarity, expected):
    # test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5) against target 4.
    limits = [(1, 3), (5, 7), (1, 5)]
    got = [_assurance_icon(4, lpl, upl, Polarity(polarity)) for lpl, upl in limits]
    assert got == expected


@pytest.mark.parametrize(
    "polarity, target, expected",
    [
        ("increase", 16, AssuranceIcon.CONSISTENT_FAIL),
        ("increase", 4, AssuranceIcon.CONSISTENT_PASS),
        ("increase", 10, AssuranceIcon.HIT_AND_MISS),
        ("decrease", 16, AssuranceIcon.CONSISTENT_PASS),
        ("decrease", 4, AssuranceIcon.CONSISTENT_FAIL),
        ("decrease", 10, AssuranceIcon.HIT_AND_MISS),
        ("neutral", 16, None),
        ("increase", None, None),
    ],
)
def test_assurance_against_the_frame(polarity, target, expected):
    # Frame limits: 4.68 to 15.32.
    assert framed([], polarity, target=target).assurance_icon == expected


def test_assurance_on_a_limit_is_hit_and_miss():
    group = framed([]).groups[0]
    for polarity in ("increase", "decrease"):
        assert framed([], polarity, target=group.upl).assurance_icon is AssuranceIcon.HIT_AND_MISS
        assert framed([], polarity, target=group.lpl).assurance_icon is AssuranceIcon.HIT_AND_MISS
        above = math.nextafter(group.upl, math.inf)
        assert framed([], polarity, target=above).assurance_icon is not AssuranceIcon.HIT_AND_MISS


def test_assurance_uses_the_last_groups_limits():
    # The last group (50 ± 5.32) consistently passes a target of 40. Without the rebase the
    # limits are 30 ± 5.32 (the jump's moving range is screened out): consistently failing.
    values = BASE + [x + 40 for x in BASE]
    result = xmr(values, polarity="increase", target=40, rebase_at={12: "new contract"})
    assert result.assurance_icon is AssuranceIcon.CONSISTENT_PASS
    unbased = xmr(values, polarity="increase", target=40)
    assert unbased.assurance_icon is AssuranceIcon.CONSISTENT_FAIL


# --- variation icon ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail, polarity, icon",
    [
        ([16], "increase", VariationIcon.IMPROVEMENT_HIGH),
        ([16], "decrease", VariationIcon.CONCERN_HIGH),
        ([16], "neutral", VariationIcon.NEUTRAL_HIGH),
        ([4], "increase", VariationIcon.CONCERN_LOW),
        ([4], "decrease", VariationIcon.IMPROVEMENT_LOW),
        ([4], "neutral", VariationIcon.NEUTRAL_LOW),
        ([10], "increase", VariationIcon.COMMON_CAUSE),
        ([16, 10], "increase", VariationIcon.COMMON_CAUSE),
    ],
)
def test_variation_icon_comes_from_the_last_point(tail, polarity, icon):
    assert framed(tail, polarity).variation_icon == icon


# --- short series --------------------------------------------------------------------------


def test_fewer_than_12_points_warns():
    assert len(xmr(BASE[:11], polarity="increase").warnings) == 1
    assert "11 points" in xmr(BASE[:11], polarity="increase").warnings[0]
    assert xmr(BASE, polarity="increase").warnings == ()


def test_only_the_short_group_warns():
    # Package test: groups of 35, 5, 20 and 20 points; only the group of 5 warns.
    values = [float(k % 3) for k in range(80)]
    rebase = {35: "a", 40: "b", 60: "c"}
    result = xmr(values, polarity="increase", rebase_at=rebase)
    assert [g.is_short for g in result.groups] == [False, True, False, False]
    assert len(result.warnings) == 1
    assert "Group 2" in result.warnings[0] and "5 points" in result.warnings[0]


def test_warning_names_dates_when_given():
    days = [date(2024, m, 1) for m in range(1, 7)]
    (warning,) = xmr([1, 2, 3, 2, 1, 2], polarity="increase", dates=days).warnings
    assert "2024-01-01 to 2024-06-01" in warning


def test_a_single_point_has_no_limits():
    result = xmr([5], polarity="increase", target=3)
    (point,) = result.points
    assert (point.mean, point.lpl, point.upl, point.near_lpl, point.near_upl) == (
        5,
        None,
        None,
        None,
        None,
    )
    assert point.point_type is T.COMMON_CAUSE
    assert result.variation_icon is VariationIcon.COMMON_CAUSE
    assert result.assurance_icon is None
    assert len(result.warnings) == 2


def test_a_constant_series_has_limits_on_the_mean():
    # The package's limits are NaN here (its screen drops every zero moving range).
    result = xmr([4] * 15, polarity="increase", target=4)
    group = result.groups[0]
    assert (group.mean, group.mean_moving_range, group.lpl, group.upl) == (4, 0, 4, 4)
    assert not any(p.is_special_cause for p in result.points)
    assert result.assurance_icon is AssuranceIcon.HIT_AND_MISS


# --- published examples --------------------------------------------------------------------


def test_rnorm_snapshot():
    # _snaps/ptd_spc_standard.md, r1: mean 0.1416238, LPL -3.01138, UPL 3.294627.
    result = xmr(RNORM_123, polarity="increase")
    group = result.groups[0]
    assert group.mean == pytest.approx(0.1416238, abs=5e-8)
    assert group.lpl == pytest.approx(-3.01138, abs=5e-6)
    assert group.upl == pytest.approx(3.294627, abs=5e-7)
    signs = [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert [p.relative_to_mean for p in result.points[:15]] == signs
    assert not any(p.is_outside_limits for p in result.points)
    # _snaps/ptd_spc.md summary: 20 common cause points.
    assert all(p.point_type is T.COMMON_CAUSE for p in result.points)


def test_rnorm_snapshot_with_an_outlier():
    # r2 (screened): mean 0.6694159, LPL -2.383666, UPL 3.722497; r3 (not): -4.596625, 5.935457.
    values = list(RNORM_123)
    values[14] = 10
    screened = xmr(values, polarity="increase").groups[0]
    assert screened.mean == pytest.approx(0.6694159, abs=5e-8)
    assert screened.lpl == pytest.approx(-2.383666, abs=5e-7)
    assert screened.upl == pytest.approx(3.722497, abs=5e-7)
    excel = xmr(values, polarity="increase", exclude_moving_range_outliers=False).groups[0]
    assert excel.lpl == pytest.approx(-4.596625, abs=5e-7)
    assert excel.upl == pytest.approx(5.935457, abs=5e-7)
    assert excel.upl - excel.lpl > screened.upl - screened.lpl
    signs = [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1]
    assert [p.relative_to_mean for p in xmr(values, polarity="increase").points[:14]] == signs


# --- inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, -math.inf, "n/a", True])
def test_missing_or_non_numeric_values_are_refused(bad):
    with pytest.raises(ValueError, match="index 3"):
        xmr([1, 2, 3, bad, 5], polarity="increase")


def test_other_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="at least one value"):
        xmr([], polarity="increase")
    with pytest.raises(ValueError, match="polarity"):
        xmr([1, 2], polarity="up")
    with pytest.raises(ValueError, match="target"):
        xmr([1, 2], polarity="increase", target=math.nan)
    with pytest.raises(ValueError, match="dates has 1"):
        xmr([1, 2], polarity="increase", dates=[date(2024, 1, 1)])
    with pytest.raises(ValueError, match="strictly increasing"):
        xmr([1, 2], polarity="increase", dates=[date(2024, 2, 1), date(2024, 1, 1)])
    with pytest.raises(ValueError, match="datetime.date"):
        xmr([1, 2], polarity="increase", dates=["2024-01-01", "2024-02-01"])


def test_accepts_generators_ints_and_polarity_members():
    result = xmr((v for v in [1, 2, 3]), polarity=Polarity.DECREASE, target=2)
    assert result.polarity is Polarity.DECREASE
    assert result.target == 2.0
    assert [p.value for p in result.points] == [1.0, 2.0, 3.0]


def test_spc_does_not_import_django():
    code = "import sys, saferstat.analytics.spc; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- properties ----------------------------------------------------------------------------

small_ints = st.integers(min_value=-50, max_value=50)
int_series = st.lists(small_ints, min_size=2, max_size=40)
float_series = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=2,
    max_size=40,
)
options = st.fixed_dictionaries(
    {
        "exclude_moving_range_outliers": st.booleans(),
        "baseline": st.sampled_from([None, 12, 20]),
    }
)


def rule_flags(result):
    return [
        (
            p.is_outside_limits,
            p.is_near_limits,
            p.is_in_trend,
            p.is_in_two_in_three,
            p.is_in_run,
            p.special_cause,
        )
        for p in result.points
    ]


@given(float_series, options)
def test_limits_are_symmetric_about_the_mean(values, opts):
    for p in xmr(values, polarity="increase", **opts).points:
        scale = max(1.0, abs(p.mean), abs(p.upl))
        assert p.upl - p.mean == pytest.approx(p.mean - p.lpl, abs=1e-9 * scale)
        assert p.near_upl - p.mean == pytest.approx(p.mean - p.near_lpl, abs=1e-9 * scale)
        assert p.lpl <= p.near_lpl <= p.mean <= p.near_upl <= p.upl


@given(small_ints, st.integers(min_value=1, max_value=40), options)
def test_a_constant_series_has_no_special_cause(value, n, opts):
    result = xmr([value] * n, polarity="increase", **opts)
    assert not any(p.is_special_cause for p in result.points)
    assert result.variation_icon is VariationIcon.COMMON_CAUSE


@given(int_series, st.integers(min_value=-10_000, max_value=10_000), options)
def test_flags_do_not_change_when_a_constant_is_added(values, shift, opts):
    before = xmr(values, polarity="increase", **opts)
    after = xmr([v + shift for v in values], polarity="increase", **opts)
    assert rule_flags(after) == rule_flags(before)
    assert after.groups[0].upl - after.groups[0].mean == pytest.approx(
        before.groups[0].upl - before.groups[0].mean
    )


@given(int_series, st.sampled_from([2, 4, 0.5, 1024]), options)
def test_flags_do_not_change_when_scaled_by_a_power_of_two(values, factor, opts):
    before = xmr(values, polarity="increase", **opts)
    after = xmr([v * factor for v in values], polarity="increase", **opts)
    assert rule_flags(after) == rule_flags(before)


SWAP = {T.IMPROVEMENT: T.CONCERN, T.CONCERN: T.IMPROVEMENT, T.COMMON_CAUSE: T.COMMON_CAUSE}
ICON_SWAP = {
    AssuranceIcon.CONSISTENT_PASS: AssuranceIcon.CONSISTENT_FAIL,
    AssuranceIcon.CONSISTENT_FAIL: AssuranceIcon.CONSISTENT_PASS,
    AssuranceIcon.HIT_AND_MISS: AssuranceIcon.HIT_AND_MISS,
}


@settings(max_examples=200)
@given(int_series, small_ints, options)
def test_swapping_polarity_swaps_improvement_and_concern(values, target, opts):
    up = xmr(values, polarity="increase", target=target, **opts)
    down = xmr(values, polarity="decrease", target=target, **opts)
    neutral = xmr(values, polarity="neutral", target=target, **opts)
    assert [SWAP[p.point_type] for p in up.points] == [p.point_type for p in down.points]
    assert rule_flags(up) == rule_flags(down) == rule_flags(neutral)
    assert ICON_SWAP[up.assurance_icon] is down.assurance_icon
    assert neutral.assurance_icon is None
    for u, n in zip(up.points, neutral.points, strict=True):
        side = u.special_cause.side
        expected = {1: T.NEUTRAL_HIGH, -1: T.NEUTRAL_LOW, 0: T.COMMON_CAUSE}[side]
        assert n.point_type is expected
        assert u.is_special_cause == (side != 0)
