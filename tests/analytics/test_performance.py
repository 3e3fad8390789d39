"""Verdicts on constructed indicator series: SPC words, RAG and its rule, gaps, change on
last year, targets over time, proposed highlights and challenges; and the plan diff."""

from __future__ import annotations

import pytest

from saferstat.analytics.performance import (
    DEFAULT_RAG_RULE,
    RagRule,
    SeriesPoint,
    indicator_verdict,
    propose,
    target_for,
    year_change,
)
from saferstat.analytics.plan_diff import plan_diff
from saferstat.analytics.spc import AssuranceIcon, VariationIcon

QUARTERS = [f"{y}/{(y + 1) % 100:02d}-Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
STEADY = [50, 52, 49, 51, 50, 48, 52, 50, 51, 49, 50]  # mean 50.2, limits about 45 to 55


def series(values, status="approved"):
    return [
        SeriesPoint(q, None if v is None else float(v), status if v is not None else "draft")
        for q, v in zip(QUARTERS, values, strict=False)
    ]


def verdict(values, polarity="decrease", targets=None, rule=DEFAULT_RAG_RULE, unit="count"):
    points = series(values)
    return indicator_verdict(
        points, period=points[-1].period, polarity=polarity, unit=unit, targets=targets, rule=rule
    )


def test_a_high_last_point_is_concern_when_lower_is_better_and_red():
    v = verdict([*STEADY, 80])
    assert v.variation is VariationIcon.CONCERN_HIGH
    assert v.variation_words.startswith("Special cause concern: unusually high")
    assert (v.rag, v.rag_reason) == ("red", "Red: special cause concern.")
    assert v.rag_rule.startswith("Red when assurance is consistently failing the target")


def test_the_same_point_is_improvement_when_higher_is_better_and_green():
    v = verdict([*STEADY, 80], polarity="increase")
    assert v.variation is VariationIcon.IMPROVEMENT_HIGH
    assert (v.rag, v.rag_reason) == ("green", "Green: special cause improvement.")


def test_common_cause_without_target_is_amber_whatever_the_raw_change():
    # The last quarter is 8% below the one before and 4% below a year ago: noise, not news.
    v = verdict([*STEADY[:-1], 46])
    assert v.variation is VariationIcon.COMMON_CAUSE
    assert v.assurance is None and v.assurance_words == "No assurance: no target is set"
    assert v.rag == "amber"
    assert propose("x", "X", v, "count") == []


@pytest.mark.parametrize(
    ("target", "icon", "rag"),
    [
        (70, AssuranceIcon.CONSISTENT_PASS, "green"),  # lower is better; target above the UPL
        (30, AssuranceIcon.CONSISTENT_FAIL, "red"),  # target below the LPL
        (50, AssuranceIcon.HIT_AND_MISS, "amber"),
    ],
)
def test_assurance_against_the_target_sets_the_rag(target, icon, rag):
    v = verdict([*STEADY, 50], targets={"2022/23-Q1": target})
    assert v.variation is VariationIcon.COMMON_CAUSE
    assert v.assurance is icon and v.rag == rag
    assert v.target == target


def test_red_is_decided_before_green():
    # Consistently failing the target, yet the last point is special cause improvement.
    v = verdict([*STEADY, 20], targets={"2022/23-Q1": 10})
    assert v.variation is VariationIcon.IMPROVEMENT_LOW
    assert v.assurance is AssuranceIcon.CONSISTENT_FAIL
    assert v.rag == "red"


def test_the_rule_is_configurable_and_its_words_follow():
    rule = RagRule(red_when_concern=False, green_when_improvement=False)
    v = verdict([*STEADY, 80], rule=rule)
    assert v.rag == "amber"
    assert v.rag_rule == (
        "Red when assurance is consistently failing the target; otherwise green when "
        "assurance is consistently passing the target; otherwise amber. Raw percentage "
        "changes never set the colour."
    )
    assert RagRule.from_dict(rule.as_dict()) == rule
    assert RagRule.from_dict({"unknown": 1}) == DEFAULT_RAG_RULE


def test_a_gap_is_a_gap_never_zero():
    values = [50, 52, 49, 51, None, 50, 48, 52, 50]
    v = verdict(values)
    latest_run = v.spc.latest
    assert latest_run.months[0] == "2023-07"  # 2023/24-Q2, the first quarter after the gap
    assert len(latest_run.months) == 4 and 0.0 not in latest_run.counts
    assert v.spc.missing_months == ("2023-04",)
    assert any("No value for 2023/24-Q1" in w for w in v.warnings)
    # With a zero instead, the series would be unbroken and the zero a special cause.
    zero = verdict([50, 52, 49, 51, 0, 50, 48, 52, 50])
    assert len(zero.spc.segments) == 1


def test_the_asked_period_without_a_value_is_judged_on_the_latest_value():
    v = verdict([*STEADY[:-1], 80, None])
    assert v.latest.value is None and v.latest.status == "draft"
    assert v.variation is VariationIcon.CONCERN_HIGH
    assert v.rag == "red" and "latest period with a value" in v.rag_reason


def test_no_values_at_all_gives_no_rag():
    v = verdict([None, None])
    assert v.spc is None and v.rag == "none" and v.variation_words == "No data yet"


def test_targets_change_over_time():
    targets = {"2022/23-Q1": 80, "2024/25-Q1": 50}
    assert target_for(targets, "2023/24-Q4") == 80
    assert target_for(targets, "2024/25-Q1") == 50
    assert target_for(targets, "2021/22-Q4") is None


def test_change_on_last_year_is_tested_for_counts_only():
    points = series([100, 100, 100, 100, 150])
    change = year_change(points, period="2023/24-Q1", unit="count", polarity="decrease")
    assert change.previous_period == "2022/23-Q1" and change.change == 50
    assert change.tested and change.is_significant and change.p_value < 0.01
    assert "significant change (worse)" in change.words
    small = year_change(
        series([100, 0, 0, 0, 104]), period="2023/24-Q1", unit="count", polarity="decrease"
    )
    assert small.tested and not small.is_significant
    pct = year_change(
        series([30, 0, 0, 0, 25]), period="2023/24-Q1", unit="percentage", polarity="decrease"
    )
    assert not pct.tested and pct.p_value is None
    assert pct.words.startswith("down 5 percentage points on 2022/23-Q1: not tested")
    assert (
        year_change(
            series([None, 1, 1, 1, 2]), period="2023/24-Q1", unit="count", polarity="decrease"
        )
        is None
    )


def test_proposals_come_with_evidence():
    v = verdict([*STEADY, 80])
    (challenge,) = propose("repeat-asb", "Repeat ASB victims", v, "count")
    assert challenge.kind == "challenge" and challenge.code == "repeat-asb"
    assert "latest value 80 (2024/25-Q4)" in challenge.evidence
    assert "process limits" in challenge.evidence
    good = verdict([*STEADY, 50], targets={"2022/23-Q1": 70})
    assert [p.kind for p in propose("x", "X", good, "count")] == ["highlight"]


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        verdict([1, 2], unit="pounds")


SNAP = {
    "themes": [
        {
            "key": "children",
            "name": "Protecting vulnerable children",
            "priorities": [
                {"key": "cse", "name": "CSE", "description": "", "lead": "Superintendent",
                 "objectives": ["Reduce missing", "Train staff"]},
                {"key": "old", "name": "Old priority", "description": "", "lead": "", "objectives": []},
            ],
        },
        {"key": "gone", "name": "Removed theme", "priorities": []},
    ]
}  # fmt: skip


def test_plan_diff_names_added_removed_and_reworded():
    new = {
        "themes": [
            {
                "key": "children",
                "name": "Protecting children",
                "priorities": [
                    {"key": "cse", "name": "CSE and CCE", "description": "", "lead": "Inspector",
                     "objectives": ["Reduce repeat missing", "Train staff", "Map exploitation"]},
                    {"key": "new", "name": "New priority", "description": "", "lead": "", "objectives": []},
                ],
            },
        ]
    }  # fmt: skip
    changes = [(c.kind, c.level, c.before, c.after) for c in plan_diff(SNAP, new)]
    assert changes == [
        ("reworded", "theme", "Protecting vulnerable children", "Protecting children"),
        ("reworded", "priority", "CSE", "CSE and CCE"),
        ("reworded", "lead", "Superintendent", "Inspector"),
        ("reworded", "objective", "Reduce missing", "Reduce repeat missing"),
        ("added", "objective", "", "Map exploitation"),
        ("added", "priority", "", "New priority"),
        ("removed", "priority", "Old priority", ""),
        ("removed", "theme", "Removed theme", ""),
    ]
    assert plan_diff(SNAP, SNAP) == []
