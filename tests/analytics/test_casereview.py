"""The case review threshold, working-day timetable and yearly figures (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from saferstat.analytics.casereview import (
    DONE_LATE,
    DUE,
    LATE,
    CaseFacts,
    Complaint,
    ThresholdRule,
    YearFigures,
    add_working_days,
    disclose,
    disclose_year,
    threshold_test,
    timetable,
    yearly_figures,
)
from saferstat.analytics.errors import QueryError

D = dt.date


def c(made, behaviour=None, body="Police", hate=False):
    made = D.fromisoformat(made)
    behaviour = D.fromisoformat(behaviour) if behaviour else made
    return Complaint(made, behaviour, body, hate)


def test_three_complaints_in_six_months_meet_the_default_threshold():
    result = threshold_test(
        D(2024, 9, 1), [c("2024-03-01"), c("2024-05-10"), c("2024-08-20", "2024-08-01")]
    )
    assert result.met and result.counted == 3 and result.needed == 3
    assert all(v.qualifies for v in result.verdicts)
    assert result.summary.startswith("Threshold met: 3 qualifying complaint(s) of 3")


def test_two_complaints_do_not():
    result = threshold_test(D(2024, 9, 1), [c("2024-05-10"), c("2024-08-20")])
    assert not result.met and result.counted == 2


def test_the_six_month_window_at_its_edge():
    # Complaint on 1 March: an application on 1 September is in time, on 2 September not.
    complaints = [c("2024-03-01"), c("2024-05-10"), c("2024-08-20")]
    assert threshold_test(D(2024, 9, 1), complaints).met
    late = threshold_test(D(2024, 9, 2), complaints)
    assert not late.met and late.counted == 2
    first = late.verdicts[0]
    assert not first.qualifies and "more than 6 months" in first.reason
    assert "1 September 2024" in first.reason


def test_the_six_month_window_on_a_short_month():
    # 31 August + 6 months = 28 February 2025 (not 3 March).
    assert threshold_test(D(2025, 2, 28), [c("2024-08-31")], ThresholdRule(complaints=1)).met
    assert not threshold_test(D(2025, 3, 1), [c("2024-08-31")], ThresholdRule(complaints=1)).met


def test_the_one_month_reporting_window_at_its_edge():
    rule = ThresholdRule(complaints=1)
    assert threshold_test(D(2024, 6, 1), [c("2024-03-15", "2024-02-15")], rule).met
    result = threshold_test(D(2024, 6, 1), [c("2024-03-16", "2024-02-15")], rule)
    assert not result.met
    assert "within 1 month(s) of the behaviour" in result.verdicts[0].reason


def test_complaints_after_the_application_or_before_the_behaviour_do_not_count():
    rule = ThresholdRule(complaints=1)
    assert not threshold_test(D(2024, 6, 1), [c("2024-06-02")], rule).met
    assert not threshold_test(D(2024, 6, 1), [c("2024-05-01", "2024-05-02")], rule).met


def test_a_lowered_local_threshold():
    complaints = [c("2024-05-10"), c("2024-08-20")]
    assert not threshold_test(D(2024, 9, 1), complaints).met
    assert threshold_test(D(2024, 9, 1), complaints, ThresholdRule(complaints=2)).met


def test_the_hate_incident_variation():
    rule = ThresholdRule(complaints=3, hate_complaints=1)
    result = threshold_test(D(2024, 9, 1), [c("2024-08-20", hate=True)], rule)
    assert result.met and result.needed == 1
    assert any("hate" in r for r in result.reasons)
    # The variation counts only when the hate complaint itself qualifies.
    stale = threshold_test(D(2024, 9, 1), [c("2024-01-20", hate=True)], rule)
    assert not stale.met and stale.needed == 3


@pytest.mark.parametrize(
    "kwargs",
    [{"complaints": 4}, {"complaints": 0}, {"window_months": 7}, {"hate_complaints": 4}],
)
def test_a_threshold_outside_the_law_is_refused(kwargs):
    with pytest.raises(QueryError):
        ThresholdRule(**kwargs)


def test_working_days_skip_weekends_and_bank_holidays():
    # Thursday 28 March 2024; Good Friday 29 March and Easter Monday 1 April.
    assert add_working_days(D(2024, 3, 28), 1) == D(2024, 4, 2)
    # Across Christmas 2024 (25, 26 December and 1 January are holidays).
    assert add_working_days(D(2024, 12, 23), 3) == D(2024, 12, 30)
    assert add_working_days(D(2024, 12, 23), 10) == D(2025, 1, 9)
    # Across the spring clock change (31 March 2024): dates only, nothing shifts.
    assert add_working_days(D(2024, 3, 22), 2) == D(2024, 3, 26)
    # Across the autumn clock change (27 October 2024).
    assert add_working_days(D(2024, 10, 25), 1) == D(2024, 10, 28)
    assert add_working_days(D(2024, 10, 25), 0) == D(2024, 10, 25)


def test_working_days_refuse_unknown_years():
    with pytest.raises(QueryError):
        add_working_days(D(2027, 12, 20), 20)


def test_timetable_states():
    received = D(2024, 4, 2)  # Tuesday
    steps = timetable(received, D(2024, 4, 30), acknowledged_on=D(2024, 4, 20))
    ack, decide, review = steps
    assert ack.due == D(2024, 4, 16) and ack.state == DONE_LATE
    assert decide.due == D(2024, 4, 23) and decide.state == LATE
    assert review.due == D(2024, 5, 22) and review.state == DUE  # 6 and 27 May are holidays
    decided = timetable(received, D(2024, 4, 30), decided_on=D(2024, 4, 10), threshold_met=False)
    assert [m.key for m in decided] == ["acknowledge", "decide"]
    local = timetable(received, D(2024, 4, 3), timescales={"acknowledge": 1})
    assert local[0].due == D(2024, 4, 3) and local[0].state == DUE


def test_yearly_figures_against_hand_counts():
    cases = [
        CaseFacts(D(2024, 4, 1), True, D(2024, 5, 1), 2),
        CaseFacts(D(2024, 6, 1), False, None, 0),
        CaseFacts(D(2025, 3, 20), True, D(2025, 4, 10), 0),  # reviewed next year
        CaseFacts(D(2025, 3, 31), None, None, 0),  # undecided
        CaseFacts(D(2024, 3, 31), False, None, 0),  # 2023/24
    ]
    assert yearly_figures(cases) == [
        YearFigures("2023/24", 1, 1, 0, 0),
        YearFigures("2024/25", 4, 1, 1, 1),
        YearFigures("2025/26", 0, 0, 1, 0),
    ]


@pytest.mark.parametrize(
    "count,shown", [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (100, "100")]
)
def test_disclose(count, shown):
    assert disclose(count) == shown


def test_disclose_year_suppresses_a_pair_together():
    out = disclose_year(YearFigures("2024/25", 20, 3, 17, 12))
    assert out == {
        "applications": "20",
        "threshold_not_met": "*",
        "reviews": "*",
        "with_recommendations": "10",
    }
    assert disclose_year(YearFigures("2024/25", 20, 0, 20, 9))["threshold_not_met"] == "0"
