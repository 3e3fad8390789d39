"""The pure date rules of governance (saferstat/governance/clock.py): no Django."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferstat.governance import clock

UTC = dt.UTC
D = dt.date


def test_attendance_table_matches_seed_004_by_hand():
    """Three rows of the 2018/19 Board table (seed 004), with rates worked out by hand."""
    seats = ["Chair", "Police", "Probation", "Victim Support"]
    meetings = [
        (D(2018, 6, 11), {"Chair": "Y", "Police": "Y", "Probation": "Y", "Victim Support": "N"}),
        (D(2018, 4, 9), {"Chair": "Y", "Police": "Y", "Probation": "A", "Victim Support": "A"}),
        (D(2018, 12, 3), {"Chair": "A", "Police": "S", "Probation": "A"}),
    ]
    table = clock.attendance_table(seats, meetings)
    assert [day for day, _ in table.rows] == [D(2018, 4, 9), D(2018, 6, 11), D(2018, 12, 3)]
    assert table.rows[0][1] == ["Y", "Y", "A", "A"]
    assert table.rows[2][1] == ["A", "Y", "A", ""]  # substitute counts as Y; no record blank
    assert table.present == [2, 3, 1, 0]
    assert table.recorded == [3, 3, 3, 2]
    assert table.rates == [2 / 3, 1.0, 1 / 3, 0.0]


def test_attendance_table_with_no_records_has_no_rate_and_refuses_unknown_codes():
    table = clock.attendance_table(["Fire"], [(D(2024, 5, 1), {})])
    assert table.rates == [None] and table.rows == [(D(2024, 5, 1), [""])]
    with pytest.raises(ValueError, match="Unknown attendance code"):
        clock.attendance_table(["Fire"], [(D(2024, 5, 1), {"Fire": "X"})])


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Winter (GMT): London and UTC agree.
        (dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC), D(2025, 1, 31)),
        # Summer (BST, UTC+1): 23:30 UTC is already tomorrow in London.
        (dt.datetime(2025, 6, 30, 23, 30, tzinfo=UTC), D(2025, 7, 1)),
        # The change to summer time: 01:00 UTC on 30 March 2025 is 02:00 BST.
        (dt.datetime(2025, 3, 29, 23, 59, tzinfo=UTC), D(2025, 3, 29)),
        (dt.datetime(2025, 3, 30, 0, 30, tzinfo=UTC), D(2025, 3, 30)),
        # The change back: 26 October 2025, 01:00 UTC; 23:30 UTC on the 25th is 00:30 BST.
        (dt.datetime(2025, 10, 25, 23, 30, tzinfo=UTC), D(2025, 10, 26)),
        (dt.datetime(2025, 10, 26, 23, 30, tzinfo=UTC), D(2025, 10, 26)),
    ],
)
def test_london_date_across_summer_time(instant, expected):
    assert clock.london_date(instant) == expected


def test_london_date_refuses_naive_times():
    with pytest.raises(ValueError):
        clock.london_date(dt.datetime(2025, 1, 1, 12, 0))


def test_action_due_on_a_summer_day_is_overdue_from_london_midnight():
    due = D(2025, 6, 30)
    late_evening_utc = dt.datetime(2025, 6, 30, 22, 59, tzinfo=UTC)  # 23:59 BST
    after_midnight = dt.datetime(2025, 6, 30, 23, 0, tzinfo=UTC)  # 00:00 BST, 1 July
    assert clock.action_state(due, False, clock.london_date(late_evening_utc)) == clock.OPEN
    assert clock.action_state(due, False, clock.london_date(after_midnight)) == clock.OVERDUE
    assert clock.action_state(due, True, D(2026, 1, 1)) == clock.DONE
    assert clock.action_state(None, False, D(2026, 1, 1)) == clock.OPEN


def test_response_clock_default_28_days_and_configurable():
    made = D(2024, 11, 6)
    assert clock.response_due(made) == D(2024, 12, 4)
    assert clock.response_due(made, 14) == D(2024, 11, 20)
    on_due_day = clock.response_clock(made, 28, D(2024, 12, 4))
    assert on_due_day.days_left == 0 and not on_due_day.overdue
    late = clock.response_clock(made, 28, D(2024, 12, 7))
    assert late.overdue and late.days_late == 3
    answered_late = clock.response_clock(made, 28, D(2025, 6, 1), responded_on=D(2024, 12, 10))
    assert answered_late.answered and not answered_late.overdue and answered_late.days_left == -6
    with pytest.raises(ValueError):
        clock.response_due(made, 0)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 11, 6), 12, D(2025, 11, 6)),
        (D(2024, 12, 15), 3, D(2025, 3, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert clock.add_months(day, months) == expected


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 1, 1)), st.integers(0, 120))
def test_add_months_lands_in_the_right_month(day, months):
    result = clock.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


def test_next_due_and_duty_state():
    assert clock.next_due(D(2024, 11, 6), 12) == D(2025, 11, 6)
    assert clock.next_due(None, 12, D(2025, 1, 1)) == D(2025, 1, 1)
    assert clock.next_due(None, 12) is None
    due = D(2025, 11, 6)
    assert clock.duty_state(due, D(2025, 11, 7)) == clock.OVERDUE
    assert clock.duty_state(due, D(2025, 11, 6)) == clock.DUE_SOON
    assert clock.duty_state(due, D(2025, 10, 7)) == clock.DUE_SOON  # exactly 30 days
    assert clock.duty_state(due, D(2025, 10, 6)) == clock.ON_TRACK  # 31 days
    assert clock.duty_state(None, due) == clock.NOT_SET


def test_financial_years():
    assert clock.financial_year_of(D(2025, 3, 31)) == 2024
    assert clock.financial_year_of(D(2025, 4, 1)) == 2025
    assert clock.financial_year_bounds(2018) == (D(2018, 4, 1), D(2019, 3, 31))
    assert clock.parse_financial_year("2024-25") == 2024
    assert clock.parse_financial_year("2024/2025") == 2024
    assert clock.parse_financial_year("1999-00") == 1999
    for bad in ["2024", "2024-26", "abcd-ef", "", "24-25"]:
        with pytest.raises(ValueError):
            clock.parse_financial_year(bad)
