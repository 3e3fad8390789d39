"""XmR statistical process control charts, as in NHS England's "Making Data Count".

The method follows the NHSRplotthedots R package (v0.2.2), which implements the Making Data
Count "plot the dots" rules. ``docs/analytics/spc.md`` states the method, the constants,
the rules and the few places where this module deliberately differs from the package.

Everything here is plain Python: it takes numbers and returns frozen dataclasses.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from saferstat.analytics.errors import QueryError
from saferstat.analytics.spc_rules import (  # noqa: F401 (re-exported)
    RULE_POINTS,
    AssuranceIcon,
    PointType,
    Polarity,
    SpecialCause,
    VariationIcon,
    _assurance_icon,
    _point_type,
    _run_flags,
    _sign,
    _special_cause,
    _spread_back,
    _trend_ends,
    _trend_flags,
    _trend_sides,
    _two_in_three_flags,
    _variation_icon,
)

# Shewhart's constant for individuals charts: 3 / d2 with d2 = 1.128 for ranges of 2 points.
LIMIT_FACTOR = 2.66
# The "near limits" (2-sigma) lines sit two thirds of the way to the process limits. The
# package computes the factor this way, so it is 1.7733..., not the rounded 1.773.
NEAR_LIMIT_FACTOR = 2 * (LIMIT_FACTOR / 3)
# Nelson's screen: a moving range at or above 3.267 x the mean moving range is dropped
# before the mean moving range is recomputed (once, not iteratively).
MOVING_RANGE_OUTLIER_FACTOR = 3.267
# Groups with fewer points than this get trial limits and a warning.
SHORT_GROUP_POINTS = 12
# The package refuses to fix limits on fewer points than this.
MIN_BASELINE_POINTS = 12

ERROR_NO_VALUES = "xmr() needs at least one value."
ERROR_MISSING_VALUE = (
    "value at index {index} is missing or not a finite number ({value!r}); SPC needs an "
    "unbroken series, so fill or remove the gap first."
)
ERROR_POLARITY = "polarity must be one of 'increase', 'decrease' or 'neutral', not {value!r}."
ERROR_TARGET = "target must be a finite number or None, not {value!r}."
ERROR_BASELINE = "baseline must be a whole number of at least {minimum} points, not {value!r}."
ERROR_DATES_LENGTH = "dates has {dates} items but values has {values}."
ERROR_DATES_ORDER = "dates must be strictly increasing; index {index} ({value}) is not."
ERROR_DATES_TYPE = "dates must be datetime.date values; index {index} is {value!r}."
ERROR_REBASE_FORMAT = (
    "rebase_at must be a mapping {{index or date: reason}} or a list of (index or date, "
    "reason) pairs."
)
ERROR_REBASE_REASON = "rebasing at {at!r} needs a stated reason (a non-empty string)."
ERROR_REBASE_INDEX = (
    "cannot rebase at index {at!r}: a new group must start at an index from 1 to {last}."
)
ERROR_REBASE_DATE = "cannot rebase at {at}: it is not one of the dates of the series."
ERROR_REBASE_NO_DATES = "rebase_at uses a date ({at}) but no dates were given."
ERROR_REBASE_DUPLICATE = "rebase_at names index {index} more than once."

WARNING_SHORT_GROUP = (
    "Group {group} ({span}) has {n} point{plural}, fewer than {minimum}: its limits are "
    "trial limits and will move as points are added."
)
WARNING_NO_LIMITS = (
    "Group {group} ({span}) has a single point, so it has no moving range and no limits; "
    "its point is shown as common cause."
)


@dataclass(frozen=True)
class SpcPoint:
    """One value on an XmR chart, with the limits of its group and the rules it triggers.

    Limits are None only for a group of a single point, which has no moving range.
    """

    index: int
    date: date | None
    value: float
    group: int
    mean: float
    lpl: float | None
    upl: float | None
    near_lpl: float | None
    near_upl: float | None
    # |x_i - x_(i-1)| within the group; None for the first point of a group.
    moving_range: float | None
    # Whether this moving range went into the mean moving range behind the limits (False
    # for the first point of a group, beyond a fixed baseline, or screened out as an outlier).
    is_moving_range_used: bool
    # -1 below the mean, 0 on it, +1 above it.
    relative_to_mean: int
    is_outside_limits: bool
    # Between the near (2-sigma) lines and the limits, not outside the limits.
    is_near_limits: bool
    is_in_trend: bool
    is_in_two_in_three: bool
    is_in_run: bool
    special_cause: SpecialCause
    point_type: PointType

    @property
    def is_special_cause(self) -> bool:
        return self.point_type is not PointType.COMMON_CAUSE


@dataclass(frozen=True)
class SpcGroup:
    """A run of points sharing one set of limits: the whole series, or the part between rebases."""

    number: int
    start_index: int
    end_index: int  # inclusive
    start_date: date | None
    # Why the limits were recalculated here; None for the first group.
    rebase_reason: str | None
    point_count: int
    # Points the mean and limits were computed from (fewer than point_count when fixed).
    baseline_count: int
    mean: float
    mean_moving_range: float | None
    lpl: float | None
    upl: float | None
    near_lpl: float | None
    near_upl: float | None

    @property
    def is_short(self) -> bool:
        return self.point_count < SHORT_GROUP_POINTS


@dataclass(frozen=True)
class XmrResult:
    """An XmR chart: per-point rows, per-group limits and the two summary icons."""

    points: tuple[SpcPoint, ...]
    groups: tuple[SpcGroup, ...]
    polarity: Polarity
    target: float | None
    variation_icon: VariationIcon
    # None for a neutral measure, without a target, or when the last group has no limits.
    assurance_icon: AssuranceIcon | None
    warnings: tuple[str, ...]


def xmr(
    values: Iterable[float],
    *,
    polarity: Polarity | str,
    target: float | None = None,
    baseline: int | None = None,
    rebase_at: Mapping[int | date, str] | Iterable[tuple[int | date, str]] | None = None,
    exclude_moving_range_outliers: bool = True,
    dates: Sequence[date] | None = None,
) -> XmrResult:
    """Build an XmR chart with the Making Data Count rules (as NHSRplotthedots does).

    Args:
        values: the series in time order, one value per period, with no gaps.
        polarity: "increase" if higher is better, "decrease" if lower is better, or "neutral".
        target: the value to reach; gives the assurance icon (not for neutral measures).
        baseline: fix each group's mean and limits on its first ``baseline`` points (at
            least 12), like the package's ``fix_after_n_points``.
        rebase_at: where new groups with their own limits start, each with the reason, as
            ``{index: reason}`` / ``{date: reason}`` or a list of ``(index or date, reason)``.
            An index is a 0-based position in ``values``; a date must be one of ``dates``.
        exclude_moving_range_outliers: drop moving ranges at or above 3.267 x the mean
            moving range before computing the limits (the package's ``screen_outliers``).
            False gives the Making Data Count Excel tool's limits.
        dates: optional period of each value (strictly increasing), carried onto the rows.

    Returns:
        An ``XmrResult``.

    Raises:
        ValueError: on an empty or gappy series, a bad option, or a rebase without a reason.
    """
    ys = _clean_values(values)
    polarity = _clean_polarity(polarity)
    target = _clean_target(target)
    baseline = _clean_baseline(baseline)
    day_list = _clean_dates(dates, len(ys))
    rebases = _clean_rebases(rebase_at, day_list, len(ys))

    starts = [0, *sorted(rebases)]
    ends = [*(s - 1 for s in starts[1:]), len(ys) - 1]

    points: list[SpcPoint] = []
    groups: list[SpcGroup] = []
    warnings: list[str] = []
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        group, group_points = _xmr_group(
            ys[start : end + 1],
            number=number,
            start=start,
            dates=day_list,
            reason=rebases.get(start),
            polarity=polarity,
            baseline=baseline,
            exclude_outliers=exclude_moving_range_outliers,
        )
        groups.append(group)
        points.extend(group_points)
        span = _span(start, end, day_list)
        if group.is_short:
            warnings.append(
                WARNING_SHORT_GROUP.format(
                    group=number + 1,
                    span=span,
                    n=group.point_count,
                    plural="" if group.point_count == 1 else "s",
                    minimum=SHORT_GROUP_POINTS,
                )
            )
        if group.lpl is None:
            warnings.append(WARNING_NO_LIMITS.format(group=number + 1, span=span))

    last = points[-1]
    return XmrResult(
        points=tuple(points),
        groups=tuple(groups),
        polarity=polarity,
        target=target,
        variation_icon=_variation_icon(last.point_type, polarity),
        assurance_icon=_assurance_icon(target, last.lpl, last.upl, polarity),
        warnings=tuple(warnings),
    )


def _span(start: int, end: int, dates: list[date] | None) -> str:
    if dates is None:
        return f"index {start}" if start == end else f"indexes {start} to {end}"
    if start == end:
        return dates[start].isoformat()
    return f"{dates[start].isoformat()} to {dates[end].isoformat()}"


# --- one group ---------------------------------------------------------------------------


def _xmr_group(
    ys: list[float],
    *,
    number: int,
    start: int,
    dates: list[date] | None,
    reason: str | None,
    polarity: Polarity,
    baseline: int | None,
    exclude_outliers: bool,
) -> tuple[SpcGroup, list[SpcPoint]]:
    n_base = len(ys) if baseline is None else min(baseline, len(ys))
    base = ys[:n_base]
    mean = math.fsum(base) / n_base

    # Moving ranges of the baseline points only; index k is the range ending at point k + 1.
    base_ranges = [abs(b - a) for a, b in pairwise(base)]
    used = [True] * len(base_ranges)
    mean_mr: float | None = None
    if base_ranges:
        mean_mr = math.fsum(base_ranges) / len(base_ranges)
        # When every moving range is 0 the package's strict "<" screens them all out and its
        # limits become NaN; here the mean moving range stays 0 (see docs/analytics/spc.md).
        if exclude_outliers and mean_mr > 0:
            cut = MOVING_RANGE_OUTLIER_FACTOR * mean_mr
            used = [mr < cut for mr in base_ranges]
            kept = [mr for mr, ok in zip(base_ranges, used, strict=True) if ok]
            mean_mr = math.fsum(kept) / len(kept)

    if mean_mr is None:
        lpl = upl = near_lpl = near_upl = None
    else:
        lpl = mean - LIMIT_FACTOR * mean_mr
        upl = mean + LIMIT_FACTOR * mean_mr
        near_lpl = mean - NEAR_LIMIT_FACTOR * mean_mr
        near_upl = mean + NEAR_LIMIT_FACTOR * mean_mr

    signs = [_sign(y - mean) for y in ys]
    if lpl is None or upl is None or near_lpl is None or near_upl is None:
        outside = [False] * len(ys)
        near = [False] * len(ys)
    else:
        outside = [y > upl or y < lpl for y in ys]
        near = [not o and (y < near_lpl or y > near_upl) for y, o in zip(ys, outside, strict=True)]

    in_trend = _trend_flags(ys)
    trend_sides = _trend_sides(ys, in_trend)
    in_two_in_three = _two_in_three_flags(near, signs)
    in_run = _run_flags(signs)

    group_points = []
    for k, y in enumerate(ys):
        cause = _special_cause(
            is_outside=outside[k],
            is_in_trend=in_trend[k],
            trend_side=trend_sides[k],
            is_in_two_in_three=in_two_in_three[k],
            is_in_run=in_run[k],
            sign=signs[k],
        )
        group_points.append(
            SpcPoint(
                index=start + k,
                date=None if dates is None else dates[start + k],
                value=y,
                group=number,
                mean=mean,
                lpl=lpl,
                upl=upl,
                near_lpl=near_lpl,
                near_upl=near_upl,
                moving_range=None if k == 0 else abs(y - ys[k - 1]),
                is_moving_range_used=0 < k < n_base and used[k - 1],
                relative_to_mean=signs[k],
                is_outside_limits=outside[k],
                is_near_limits=near[k],
                is_in_trend=in_trend[k],
                is_in_two_in_three=in_two_in_three[k],
                is_in_run=in_run[k],
                special_cause=cause,
                point_type=_point_type(cause, polarity),
            )
        )

    group = SpcGroup(
        number=number,
        start_index=start,
        end_index=start + len(ys) - 1,
        start_date=None if dates is None else dates[start],
        rebase_reason=reason,
        point_count=len(ys),
        baseline_count=n_base,
        mean=mean,
        mean_moving_range=mean_mr,
        lpl=lpl,
        upl=upl,
        near_lpl=near_lpl,
        near_upl=near_upl,
    )
    return group, group_points


# --- input checks -------------------------------------------------------------------------


def _clean_values(values: Iterable[float]) -> list[float]:
    ys = []
    for index, value in enumerate(values):
        try:
            y = float(value)
        except (TypeError, ValueError):
            raise QueryError(ERROR_MISSING_VALUE.format(index=index, value=value)) from None
        if isinstance(value, bool) or not math.isfinite(y):
            raise QueryError(ERROR_MISSING_VALUE.format(index=index, value=value))
        ys.append(y)
    if not ys:
        raise QueryError(ERROR_NO_VALUES)
    return ys


def _clean_polarity(polarity: Polarity | str) -> Polarity:
    try:
        return Polarity(polarity)
    except ValueError:
        raise QueryError(ERROR_POLARITY.format(value=polarity)) from None


def _clean_target(target: float | None) -> float | None:
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise QueryError(ERROR_TARGET.format(value=target))
    if not math.isfinite(target):
        raise QueryError(ERROR_TARGET.format(value=target))
    return float(target)


def _clean_baseline(baseline: int | None) -> int | None:
    if baseline is None:
        return None
    if (
        isinstance(baseline, bool)
        or not isinstance(baseline, numbers.Integral)
        or baseline < MIN_BASELINE_POINTS
    ):
        raise QueryError(ERROR_BASELINE.format(minimum=MIN_BASELINE_POINTS, value=baseline))
    return int(baseline)


def _clean_dates(dates: Sequence[date] | None, n: int) -> list[date] | None:
    if dates is None:
        return None
    day_list = list(dates)
    if len(day_list) != n:
        raise QueryError(ERROR_DATES_LENGTH.format(dates=len(day_list), values=n))
    for index, day in enumerate(day_list):
        if not isinstance(day, date):
            raise QueryError(ERROR_DATES_TYPE.format(index=index, value=day))
        if index and not day > day_list[index - 1]:
            raise QueryError(ERROR_DATES_ORDER.format(index=index, value=day))
    return day_list


def _clean_rebases(
    rebase_at: Mapping[int | date, str] | Iterable[tuple[int | date, str]] | None,
    dates: list[date] | None,
    n: int,
) -> dict[int, str]:
    """Turn ``rebase_at`` into {start index of a new group: reason}."""
    if rebase_at is None:
        return {}
    if isinstance(rebase_at, str | bytes):
        raise QueryError(ERROR_REBASE_FORMAT)
    pairs = rebase_at.items() if isinstance(rebase_at, Mapping) else rebase_at
    rebases: dict[int, str] = {}
    try:
        entries = [tuple(pair) for pair in pairs]
    except TypeError:
        raise QueryError(ERROR_REBASE_FORMAT) from None
    for entry in entries:
        if len(entry) != 2:
            raise QueryError(ERROR_REBASE_FORMAT)
        at, reason = entry
        if not isinstance(reason, str) or not reason.strip():
            raise QueryError(ERROR_REBASE_REASON.format(at=at))
        if isinstance(at, date):
            if dates is None:
                raise QueryError(ERROR_REBASE_NO_DATES.format(at=at))
            if at not in dates:
                raise QueryError(ERROR_REBASE_DATE.format(at=at))
            index = dates.index(at)
        elif isinstance(at, numbers.Integral) and not isinstance(at, bool):
            index = int(at)
        else:
            raise QueryError(ERROR_REBASE_FORMAT)
        # Index 0 already starts the first group: the package silently ignores such a rebase.
        if not 1 <= index <= n - 1:
            raise QueryError(ERROR_REBASE_INDEX.format(at=at, last=n - 1))
        if index in rebases:
            raise QueryError(ERROR_REBASE_DUPLICATE.format(index=index))
        rebases[index] = reason.strip()
    return rebases
