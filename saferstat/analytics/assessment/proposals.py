"""Scores proposed from the data (volume, trend, harm, public concern), with reasons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import NoDataError
from .scoring import Dimension

# --- scores proposed from the data ----------------------------------------------------------

#: Recorded crimes per 1,000 residents a year -> volume points: below 0.5 is 1, 0.5 to 2 is
#: 2, 2 to 5 is 3, 5 to 15 is 4, 15 and more is 5.
VOLUME_BANDS = (0.5, 2.0, 5.0, 15.0)
#: Average harm per record (days of the harm index) -> harm to individuals points: below 1
#: day is 1, 1 to 10 is 2, 10 to 100 is 3, 100 to 365 is 4, a year and more is 5.
HARM_BANDS = (1.0, 10.0, 100.0, 365.0)
#: A change of the last 12 months against the 12 before of at least this share (either
#: way) moves a trend with no special cause from "stable" to "rising" or "falling".
TREND_CHANGE = 0.10


@dataclass(frozen=True)
class Proposal:
    """A score proposed from the data for one dimension, with the reasoning in words."""

    dimension: str
    points: int
    reasoning: str


def _band(value: float, bands: Sequence[float]) -> int:
    return 1 + sum(1 for edge in bands if value >= edge)


def _fit(points: int, d: Dimension) -> int:
    """Points on a 1 to 5 scale moved onto the dimension's own scale."""
    if (d.low, d.high) == (1, 5):
        return points
    return round(d.low + (points - 1) * (d.high - d.low) / 4)


def propose_volume(d: Dimension, *, count: int, rate: float, period: str) -> Proposal:
    """Volume from the rate per 1,000 residents in a year (bands :data:`VOLUME_BANDS`)."""
    if rate is None or count is None:
        raise NoDataError("No count for the period")
    points = _fit(_band(rate, VOLUME_BANDS), d)
    return Proposal(
        d.key,
        points,
        f"{count:,} records in {period}, {rate:.2f} per 1,000 residents; the bands are "
        f"{', '.join(f'{b:g}' for b in VOLUME_BANDS)} per 1,000 (1 below the first, "
        f"5 from the last), so {points}.",
    )


def propose_trend(
    d: Dimension, *, variation: str | None, monthly: Sequence[int | None]
) -> Proposal:
    """Trend from the SPC verdict: special cause high is the top of the scale, special cause
    low the bottom; otherwise the last 12 months against the 12 before (rising or falling
    by :data:`TREND_CHANGE` or more), else stable (the middle)."""
    if variation is None:
        raise NoDataError("Not enough months for an SPC verdict")
    top, bottom = 5, 1
    if variation.endswith("_high"):
        points, why = top, "the latest months show special cause variation upwards"
    elif variation.endswith("_low"):
        points, why = bottom, "the latest months show special cause variation downwards"
    else:
        known = [v for v in monthly if v is not None]
        if len(known) >= 24 and sum(known[-24:-12]):
            last, before = sum(known[-12:]), sum(known[-24:-12])
            change = (last - before) / before
            if change >= TREND_CHANGE:
                points = 4
            elif change <= -TREND_CHANGE:
                points = 2
            else:
                points = 3
            why = (
                f"common cause variation (no sign of a real change); the last 12 months "
                f"({last:,}) against the 12 before ({before:,}) is {change:+.0%}, and "
                f"{TREND_CHANGE:.0%} either way counts as rising or falling"
            )
        else:
            points, why = 3, "common cause variation (no sign of a real change)"
    points = _fit(points, d)
    return Proposal(d.key, points, f"Statistical process control (SPC): {why}, so {points}.")


def propose_harm(d: Dimension, *, harm_days: float, crime_count: int, period: str) -> Proposal:
    """Harm to individuals from the average harm of a record (bands :data:`HARM_BANDS`)."""
    if not crime_count:
        raise NoDataError("No records with a harm weight")
    average = harm_days / crime_count
    points = _fit(_band(average, HARM_BANDS), d)
    return Proposal(
        d.key,
        points,
        f"Harm estimate for {period}: {harm_days:,.0f} days over {crime_count:,} records, "
        f"{average:,.1f} days a record on average; the bands are "
        f"{', '.join(f'{b:g}' for b in HARM_BANDS)} days (1 below the first, 5 from the "
        f"last), so {points}.",
    )


#: Share of respondents raising an issue -> public concern points: below 5% is 1, 5% to 10%
#: is 2, 10% to 20% is 3, 20% and more is 4; the issue raised most (by at least 10%) is 5.
CONCERN_BANDS = (0.05, 0.10, 0.20)
CONCERN_TOP_MIN = 0.10


def concern_raised(
    responses: Iterable[Mapping], themes_by_issue: Mapping[str, Iterable[str]]
) -> tuple[dict[str, int], int]:
    """How many respondents raised each issue: named one of its themes as their concern, or
    wrote free text tagged with one (each respondent once per issue, theme names compared
    without case). Returns the counts by issue and the number of respondents."""
    wanted = {key: {t.lower() for t in themes} for key, themes in themes_by_issue.items()}
    counts = dict.fromkeys(wanted, 0)
    n = 0
    for r in responses:
        n += 1
        said = {str(t).lower() for t in (r.get("tags") or [])}
        if r.get("concern_theme"):
            said.add(str(r["concern_theme"]).lower())
        for key, themes in wanted.items():
            if said & themes:
                counts[key] += 1
    return counts, n


def propose_concern(
    d: Dimension, *, raised: int, responses: int, most: int, themes: Sequence[str]
) -> Proposal:
    """Public concern from the share of respondents who raised the issue (bands
    :data:`CONCERN_BANDS`); the issue raised by the most respondents (``most``), by at
    least :data:`CONCERN_TOP_MIN` of them, is the top concern."""
    if responses <= 0:
        raise NoDataError("No consultation responses")
    share = raised / responses
    if raised and raised >= most and share >= CONCERN_TOP_MIN:
        points, why = 5, "the issue raised most, so the top of the scale"
    else:
        points = _band(share, CONCERN_BANDS)
        why = (
            f"the bands are {', '.join(f'{b:.0%}' for b in CONCERN_BANDS)} (1 below the "
            f"first, 4 from the last; 5 for the issue raised most)"
        )
    points = _fit(points, d)
    return Proposal(
        d.key,
        points,
        f"{raised:,} of {responses:,} consultation respondents ({share:.0%}) raised it "
        f"(named as their concern, or free text tagged {', '.join(themes)}); {why}, "
        f"so {points}.",
    )
