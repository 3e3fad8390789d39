"""Plain-English names for the columns and coded values of the analytics tables.

The tables keep their machine names (`lpl`, `common_cause`) in CSV and JSON downloads and
the API; pages and the CLI show these words instead. Figures are never changed here.
A name missing from `COLUMNS` is shown as a sentence-cased version of itself, and
tests/core/test_plain_english.py fails on a header that still looks like a machine name.
"""

from __future__ import annotations

COLUMNS: dict[str, str] = {
    "month": "Month",
    "count": "Records",
    "segment": "Segment",
    "mean": "Average",
    "lpl": "Lower process limit",
    "upl": "Upper process limit",
    "near_lpl": "Lower warning line (2 sigma)",
    "near_upl": "Upper warning line (2 sigma)",
    "point_type": "Variation",
    "special_cause": "Reason for special cause",
    "rank": "Rank",
    "code": "Code",
    "name": "Area",
    "ward": "Ward",
    "applications": "Applications",
    "population": "Residents",
    "rate_per_1000": "Rate per 1,000 residents",
    "rate_lower": "Rate: lower end of 95% interval",
    "rate_upper": "Rate: upper end of 95% interval",
    "lower": "Lower end of 95% interval",
    "upper": "Upper end of 95% interval",
    "significance": "Compared with the area rate",
    "funnel": "Position in the funnel plot",
    "is_focus": "This partnership",
    "is_approximate": "Approximate (estimated from LSOAs)",
    "is_complete": "All months loaded",
    "missing_months": "Months missing",
    "harm_days": "Harm estimate (days)",
    "harm_low_days": "Harm estimate, low (days)",
    "harm_high_days": "Harm estimate, high (days)",
    "harm_per_1000": "Harm per 1,000 residents (days)",
    "weight_days": "Harm weight per crime (days)",
    "weight_low_days": "Harm weight, low (days)",
    "weight_high_days": "Harm weight, high (days)",
    "crime_type": "Crime type",
    "period": "Period",
    "start": "First month",
    "end": "Last month",
    "previous_period": "Previous period",
    "previous_count": "Records in the previous period",
    "change_vs_previous_pct": "Change on the previous period (%)",
    "p_value_vs_previous": "Chance of this change if nothing changed (p-value, previous period)",
    "previous_months_compared": "Months compared with the previous period (season-matched)",
    "last_year_period": "Same period last year",
    "last_year_count": "Records in the same period last year",
    "change_vs_last_year_pct": "Change on the same period last year (%)",
    "p_value_vs_last_year": "Chance of this change if nothing changed (p-value, last year)",
    "last_year_months_compared": "Months compared with last year (season-matched)",
    "share_pct": "Share of all records (%)",
}

#: Coded values shown in table cells and verdicts.
VALUES: dict[str, str] = {
    # SPC point types and variation icons (saferstat.analytics.spc)
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: high",
    "special_cause_neutral_low": "Special cause variation: low",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neutral_high": "Special cause variation: higher",
    "neutral_low": "Special cause variation: lower",
    # the rule behind a special cause
    "above_upl": "Above the upper process limit",
    "below_lpl": "Below the lower process limit",
    "trend_increasing": "Six or more months going up",
    "trend_decreasing": "Six or more months going down",
    "two_in_three_above": "Two of three months near the upper limit",
    "two_in_three_below": "Two of three months near the lower limit",
    "run_above": "A run of months above the average",
    "run_below": "A run of months below the average",
    # assurance against a target
    "consistent_pass": "Consistently meets the target",
    "consistent_fail": "Consistently misses the target",
    "hit_and_miss": "Sometimes meets the target (hit and miss)",
    # comparisons
    "above": "Significantly above",
    "below": "Significantly below",
    "similar": "Not significantly different",
    "within": "Within the funnel",
    "no data": "No data (gap)",
}

#: What a verdict means, in a line.
MEANINGS: dict[str, str] = {
    "common_cause": (
        "The changes are within what we would expect by chance; no sign of a real change."
    ),
    "special_cause_improvement": (
        "The change is larger or longer than chance would explain, in the better direction."
    ),
    "special_cause_concern": (
        "The change is larger or longer than chance would explain, in the worse direction."
    ),
    "improvement_high": "The figures are higher than chance would explain, and higher is better.",
    "improvement_low": "The figures are lower than chance would explain, and lower is better.",
    "concern_high": "The figures are higher than chance would explain, and higher is worse.",
    "concern_low": "The figures are lower than chance would explain, and lower is worse.",
    "neutral_high": "The figures are higher than chance would explain.",
    "neutral_low": "The figures are lower than chance would explain.",
    "consistent_pass": "The process limits are all on the right side of the target.",
    "consistent_fail": "The process limits are all on the wrong side of the target.",
    "hit_and_miss": "The target lies between the process limits: chance decides each month.",
}


def column(name: str) -> str:
    """The plain-English header of a column."""
    if name in COLUMNS:
        return COLUMNS[name]
    return str(name).replace("_", " ").capitalize()


def value(text: object) -> str:
    """A coded value in words (`common_cause` -> "Common cause variation"), else as it is."""
    key = str(text)
    return VALUES.get(key, key)
