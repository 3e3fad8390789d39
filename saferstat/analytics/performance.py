"""Verdicts for a partnership's performance indicators: SPC, change on last year, RAG, and the
proposed Performance Highlights and Challenges.

Plain Python (no Django): it takes an indicator's series as :class:`SeriesPoint` values and
returns frozen dataclasses, so every rule can be tested on constructed series
(``tests/analytics/test_performance.py``). ``docs/plan-performance.md`` has the long form.

Rules:

* **Gaps.** A period with no value (no approved return, or a computed period whose months
  are not all loaded) is a gap: never zero. SPC splits the series there
  (:func:`saferstat.analytics.spc_series.spc_from_counts`); the verdict is the latest
  unbroken run's.
* **SPC** is :func:`saferstat.analytics.spc.xmr` (Making Data Count rules) on the series,
  each period named by its first month, with the indicator's rebases and the target that
  applies to the latest period.
* **RAG** comes from the SPC icons by a rule written beside it (:class:`RagRule`), never
  from a raw percentage change.
* **Change on the same period last year**: for counts, the exact Poisson test
  (:func:`saferstat.analytics.stats.poisson_compare`); rates and percentages have no count
  behind them here, so their change is shown without a test and says so.
* **Highlights and challenges** are proposed only from SPC verdicts (special cause,
  assurance) and significant changes, each with its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from saferstat.analytics.periods import parse_period
from saferstat.analytics.spc import AssuranceIcon, Polarity, VariationIcon
from saferstat.analytics.spc_series import SpcSeries, spc_from_counts
from saferstat.analytics.stats import poisson_compare

#: Units an indicator may have (the Django choices use the same values).
UNITS = ("count", "rate", "percentage")

VARIATION_WORDS = {
    VariationIcon.COMMON_CAUSE: "Common cause variation: no sign of real change",
    VariationIcon.IMPROVEMENT_HIGH: "Special cause improvement: unusually high, and higher is better",
    VariationIcon.IMPROVEMENT_LOW: "Special cause improvement: unusually low, and lower is better",
    VariationIcon.CONCERN_HIGH: "Special cause concern: unusually high, and lower is better",
    VariationIcon.CONCERN_LOW: "Special cause concern: unusually low, and higher is better",
    VariationIcon.NEUTRAL_HIGH: "Special cause: unusually high (neither direction is better)",
    VariationIcon.NEUTRAL_LOW: "Special cause: unusually low (neither direction is better)",
}
ASSURANCE_WORDS = {
    AssuranceIcon.CONSISTENT_PASS: (
        "Consistently passing: the target lies outside the process limits on the good side, "
        "so it will be met unless something changes"
    ),
    AssuranceIcon.CONSISTENT_FAIL: (
        "Consistently failing: the target lies outside the process limits on the bad side, "
        "so it will not be met unless something changes"
    ),
    AssuranceIcon.HIT_AND_MISS: (
        "Hit and miss: the target lies between the process limits, so it will be met in "
        "some periods and missed in others"
    ),
}
NO_DATA = "No data yet"

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No RAG"}


@dataclass(frozen=True)
class SeriesPoint:
    """One period of an indicator's series.

    Attributes:
        period: the period as the CLI writes it (``2024/25-Q1`` or ``2024-05``).
        value: the figure, or None for a gap (never 0 for a gap).
        status: where the figure stands: ``approved``, ``corrected``, ``computed`` (values);
            ``submitted``, ``draft``, ``returned``, ``not_submitted``, ``incomplete`` (gaps).
    """

    period: str
    value: float | None
    status: str

    @property
    def start(self) -> str:
        """The period's first month, ``YYYY-MM``."""
        return parse_period(self.period).start


@dataclass(frozen=True)
class RagRule:
    """How the RAG status follows from the SPC icons; configurable per partnership.

    Red is decided first, then green; anything else is amber. The default is the one the
    issue sets: red when assurance is consistently failing or there is special cause in the
    bad direction, green when consistently passing or special cause in the good direction.
    """

    red_when_failing: bool = True
    red_when_concern: bool = True
    green_when_passing: bool = True
    green_when_improvement: bool = True

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> RagRule:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: bool(v) for k, v in (data or {}).items() if k in names})

    def as_dict(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def describe(self) -> str:
        """The rule in words, to print beside every RAG status."""
        red = [
            text
            for on, text in (
                (self.red_when_failing, "assurance is consistently failing the target"),
                (self.red_when_concern, "the latest point is special cause concern"),
            )
            if on
        ]
        green = [
            text
            for on, text in (
                (self.green_when_passing, "assurance is consistently passing the target"),
                (self.green_when_improvement, "the latest point is special cause improvement"),
            )
            if on
        ]
        parts = []
        if red:
            parts.append("Red when " + " or ".join(red))
        if green:
            parts.append(("otherwise green when " if red else "Green when ") + " or ".join(green))
        parts.append("otherwise amber" if parts else "Always amber")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + ". Raw percentage changes never set the colour."

    def apply(
        self, variation: VariationIcon | None, assurance: AssuranceIcon | None
    ) -> tuple[str, str]:
        """``(rag, reason)``: ``red``, ``amber``, ``green``, or ``none`` without data."""
        if variation is None:
            return "none", "No RAG: there is no data to judge."
        concern = variation in (VariationIcon.CONCERN_HIGH, VariationIcon.CONCERN_LOW)
        improvement = variation in (VariationIcon.IMPROVEMENT_HIGH, VariationIcon.IMPROVEMENT_LOW)
        if self.red_when_failing and assurance is AssuranceIcon.CONSISTENT_FAIL:
            return "red", "Red: consistently failing the target."
        if self.red_when_concern and concern:
            return "red", "Red: special cause concern."
        if self.green_when_passing and assurance is AssuranceIcon.CONSISTENT_PASS:
            return "green", "Green: consistently passing the target."
        if self.green_when_improvement and improvement:
            return "green", "Green: special cause improvement."
        return "amber", "Amber: no signal either way under the rule."


DEFAULT_RAG_RULE = RagRule()


@dataclass(frozen=True)
class YearChange:
    """The latest value against the same period a year earlier."""

    period: str
    previous_period: str
    value: float
    previous_value: float
    change: float  # value - previous_value, in the indicator's unit
    change_pct: float | None  # None when the previous value is 0
    tested: bool  # False: the unit has no count to test (rates, percentages)
    p_value: float | None
    is_significant: bool
    words: str


@dataclass(frozen=True)
class Verdict:
    """Everything the dashboard says about one indicator at one period."""

    period: str
    latest: SeriesPoint | None  # the asked period's point (None if outside the series)
    target: float | None
    spc: SpcSeries | None  # None when the series has no value at all
    variation: VariationIcon | None
    variation_words: str
    assurance: AssuranceIcon | None
    assurance_words: str
    rag: str
    rag_reason: str
    rag_rule: str
    change: YearChange | None
    warnings: tuple[str, ...] = field(default=())

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]


def target_for(targets: Mapping[str, float], period: str) -> float | None:
    """The target that applies to ``period``: the one set from the latest period that starts
    on or before it (``{"2022/23-Q1": 80, "2024/25-Q1": 50}``)."""
    start = parse_period(period).start
    best = None
    for label, value in targets.items():
        from_start = parse_period(label).start
        if from_start <= start and (best is None or from_start > best[0]):
            best = (from_start, value)
    return None if best is None else float(best[1])


def indicator_verdict(
    points: Sequence[SeriesPoint],
    *,
    period: str,
    polarity: Polarity | str,
    unit: str,
    targets: Mapping[str, float] | None = None,
    rebases: Mapping[str, str] | None = None,
    rule: RagRule = DEFAULT_RAG_RULE,
    label: str = "",
) -> Verdict:
    """The verdict on an indicator at ``period``, from its series up to that period.

    Args:
        points: the series in time order, consecutive periods of one kind (gaps as None).
        period: the period judged (``2024/25-Q4``); later points are ignored.
        polarity: ``increase`` (higher is better), ``decrease`` or ``neutral``.
        unit: ``count``, ``rate`` or ``percentage``.
        targets: ``{first period: target}``; the latest that applies to ``period`` is used.
        rebases: ``{period: reason}``: SPC limits are recalculated from that period.
        rule: the partnership's RAG rule.
        label: the indicator's name, for warnings.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    polarity = Polarity(polarity)
    end = parse_period(period).start
    upto = [p for p in points if p.start <= end]
    latest = upto[-1] if upto and upto[-1].period == period else None
    target = target_for(targets or {}, period) if targets else None
    known = {p.start: p.value for p in upto if p.value is not None}
    warnings: list[str] = []
    spc = None
    if known:
        starts = [p.start for p in upto]
        by_start = {p.start: p.period for p in upto}
        rebase_at = {}
        for rebase_period, reason in (rebases or {}).items():
            start = parse_period(rebase_period).start
            if start in known and start in starts:
                rebase_at[start] = reason
        spc = spc_from_counts(
            months=starts,
            counts=known,
            loaded=set(known),
            area_codes=(),
            area_name="",
            label=label,
            polarity=polarity,
            target=target if polarity is not Polarity.NEUTRAL else None,
            rebase_at=rebase_at or None,
        )
        gaps = [p.period for p in upto if p.value is None]
        if gaps:
            warnings.append(
                f"No value for {', '.join(gaps)}: shown as a gap, never as zero; the series is "
                "split there and the verdict uses the latest unbroken run."
            )
        for segment in spc.segments:
            span = f"{by_start[segment.start]} to {by_start[segment.end]}"
            warnings.extend(
                f"Run {span}: has {len(segment.months)} point(s), fewer than 12, so its limits "
                "are trial limits."
                for w in segment.chart.warnings
                if "fewer than" in w
            )
    variation = spc.variation_icon if spc else None
    assurance = spc.assurance_icon if spc else None
    if variation is None:
        variation_words = NO_DATA
    else:
        variation_words = VARIATION_WORDS[variation]
    if assurance is not None:
        assurance_words = ASSURANCE_WORDS[assurance]
    elif polarity is Polarity.NEUTRAL:
        assurance_words = "No assurance: neither direction is better for this indicator"
    elif target is None:
        assurance_words = "No assurance: no target is set"
    elif spc is None:
        assurance_words = "No assurance: no data yet"
    else:
        assurance_words = "No assurance: the latest run has too few points for limits"
    rag, reason = rule.apply(variation, assurance)
    if latest is None or latest.value is None:
        if variation is not None:
            reason += " (judged on the latest period with a value)"
    return Verdict(
        period=period,
        latest=latest,
        target=target,
        spc=spc,
        variation=variation,
        variation_words=variation_words,
        assurance=assurance,
        assurance_words=assurance_words,
        rag=rag,
        rag_reason=reason,
        rag_rule=rule.describe(),
        change=year_change(upto, period=period, unit=unit, polarity=polarity),
        warnings=tuple(warnings),
    )


def year_change(
    points: Sequence[SeriesPoint], *, period: str, unit: str, polarity: Polarity | str
) -> YearChange | None:
    """The value at ``period`` against the same period a year earlier (both must have a
    value). Counts are tested (exact Poisson, 5%); rates and percentages are not."""
    polarity = Polarity(polarity)
    values = {p.period: p.value for p in points if p.value is not None}
    previous = parse_period(period).same_period_last_year().label
    if period not in values or previous not in values:
        return None
    now, before = float(values[period]), float(values[previous])
    change = now - before
    change_pct = None if before == 0 else change / before * 100
    p_value, significant, tested = None, False, False
    if unit == "count" and now == int(now) and before == int(before) and now >= 0 <= before:
        test = poisson_compare(int(before), int(now))
        p_value, significant, tested = test.p_value, test.is_significant(), True
    direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
    amount = _amount(abs(change), unit)
    words = f"{direction} {amount} on {previous}" if change else f"unchanged on {previous}"
    if change_pct is not None and change and unit == "count":
        words += f" ({abs(change_pct):.0f}%)"
    if tested:
        if significant:
            better = (change < 0) == (polarity is Polarity.DECREASE)
            judgement = (
                "" if polarity is Polarity.NEUTRAL else (" (better)" if better else " (worse)")
            )
            words += f": a significant change{judgement} (exact Poisson test, p = {p_value:.3f})"
        else:
            words += f": not a significant change (exact Poisson test, p = {p_value:.2f})"
    else:
        words += ": not tested for significance (no count behind a rate or percentage)"
    return YearChange(
        period=period,
        previous_period=previous,
        value=now,
        previous_value=before,
        change=change,
        change_pct=change_pct,
        tested=tested,
        p_value=p_value,
        is_significant=significant,
        words=words,
    )


def _amount(value: float, unit: str) -> str:
    if unit == "percentage":
        return f"{value:g} percentage points"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def format_value(value: float | None, unit: str) -> str:
    """A value as the dashboard writes it (``—`` for a gap)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    if unit == "percentage":
        return f"{value:g}%"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


# --- highlights and challenges -------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A proposed Performance Highlight or Challenge, with the evidence behind it."""

    kind: str  # "highlight" or "challenge"
    code: str
    text: str
    evidence: str


def propose(code: str, name: str, verdict: Verdict, unit: str) -> list[Proposal]:
    """Highlights and challenges for one indicator, from its SPC verdict and any significant
    change on last year. A raw percentage change alone never proposes anything."""
    proposals: list[Proposal] = []
    if verdict.spc is None or verdict.spc.latest is None:
        return proposals
    segment = verdict.spc.latest
    chart = segment.chart
    group = chart.groups[-1]
    last = chart.points[-1]
    limits = (
        f"mean {format_value(group.mean, unit)}, process limits "
        f"{format_value(group.lpl, unit)} to {format_value(group.upl, unit)}"
        if group.lpl is not None
        else f"mean {format_value(group.mean, unit)}, no limits yet"
    )
    evidence = (
        f"{name}: latest value {format_value(last.value, unit)} ({verdict.period}); "
        f"{verdict.variation_words.lower()}; {limits}; {len(segment.months)} points in the "
        f"latest run."
    )
    if verdict.target is not None:
        evidence += f" Target {format_value(verdict.target, unit)}: {verdict.assurance_words}."
    variation = verdict.variation
    if variation in (VariationIcon.IMPROVEMENT_HIGH, VariationIcon.IMPROVEMENT_LOW):
        proposals.append(
            Proposal("highlight", code, f"{name}: special cause improvement.", evidence)
        )
    elif variation in (VariationIcon.CONCERN_HIGH, VariationIcon.CONCERN_LOW):
        proposals.append(Proposal("challenge", code, f"{name}: special cause concern.", evidence))
    if verdict.assurance is AssuranceIcon.CONSISTENT_PASS:
        proposals.append(
            Proposal("highlight", code, f"{name}: consistently meeting its target.", evidence)
        )
    elif verdict.assurance is AssuranceIcon.CONSISTENT_FAIL:
        proposals.append(
            Proposal("challenge", code, f"{name}: consistently missing its target.", evidence)
        )
    change = verdict.change
    if change is not None and change.is_significant and verdict.spc.polarity != Polarity.NEUTRAL:
        better = (change.change < 0) == (verdict.spc.polarity == Polarity.DECREASE)
        kind = "highlight" if better else "challenge"
        if not any(p.kind == kind for p in proposals):
            proposals.append(
                Proposal(
                    kind,
                    code,
                    f"{name}: significantly {'better' if better else 'worse'} than a year ago.",
                    f"{name}: {change.words}.",
                )
            )
    return proposals
