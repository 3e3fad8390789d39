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
    bank_holidays,
    disclose,
    disclose_year,
    is_working_day,
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


#: gov.uk/bank-holidays.json (england-and-wales) as published in 2025: the table the app
#: used to carry by hand. The `holidays` package must agree with it.
GOV_UK_2023_2027 = {
    dt.date.fromisoformat(d)
    for d in (
        "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 "
        "2023-12-25 2023-12-26 "
        "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 "
        "2024-12-26 "
        "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 "
        "2025-12-26 "
        "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 "
        "2026-12-28 "
        "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 "
        "2027-12-28"
    ).split()
}


def test_bank_holidays_match_gov_uk_on_working_days():
    # The package also lists holidays that fall at a weekend (Boxing Day 2026 is a
    # Saturday; its substitute is Monday 28th); on working days it must equal gov.uk's.
    from_package = {
        day for year in range(2023, 2028) for day in bank_holidays(year) if day.weekday() < 5
    }
    assert from_package == GOV_UK_2023_2027


def test_working_days_work_for_any_year():
    # No table to run out: 2027's Christmas (27 and 28 December substitute days) into 2028,
    # and a year far ahead (Good Friday 19 April, Easter Monday 22 April 2030).
    assert add_working_days(D(2027, 12, 24), 1) == D(2027, 12, 29)
    assert add_working_days(D(2027, 12, 20), 20) == D(2028, 1, 20)
    assert add_working_days(D(2030, 4, 18), 1) == D(2030, 4, 23)
    # One-off holidays: the coronation (Monday 8 May 2023).
    assert add_working_days(D(2023, 5, 5), 1) == D(2023, 5, 9)
    assert not is_working_day(D(2023, 5, 8)) and is_working_day(D(2023, 5, 9))


def test_working_days_with_given_holidays():
    # A caller's own list replaces England's: Good Friday 2024 is then a working day.
    assert add_working_days(D(2024, 3, 28), 1, holidays=frozenset()) == D(2024, 3, 29)
    with pytest.raises(QueryError):
        add_working_days(D(2024, 3, 28), -1)


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
