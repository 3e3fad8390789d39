"""Reporting periods: parsing, months, previous and same period last year."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferstat.analytics.periods import (
    Period,
    PeriodError,
    add_months,
    financial_year,
    financial_year_of,
    fy_start_year,
    month_period,
    month_range,
    parse_month_range,
    parse_period,
    quarter_of,
    quarter_period,
    rolling12,
)


def test_financial_year_runs_april_to_march():
    fy = parse_period("2024/25")
    assert fy == Period("financial_year", "2024/25", "2024-04", "2025-03")
    assert fy.months == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09",
        "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03",
    ]  # fmt: skip
    assert fy.title == "2024/25 (April 2024 to March 2025)"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024/25-Q1", "2024-04", "2024-06"),
        ("2024/25-Q2", "2024-07", "2024-09"),
        ("2024/25-Q3", "2024-10", "2024-12"),
        ("2024/25-Q4", "2025-01", "2025-03"),
    ],
)
def test_quarters(text, start, end):
    q = parse_period(text)
    assert (q.kind, q.label, q.start, q.end) == ("quarter", text, start, end)
    assert len(q.months) == 3


def test_month_and_rolling12():
    assert parse_period("2024-05") == Period("month", "2024-05", "2024-05", "2024-05")
    r = parse_period("R12-2025-09")
    assert (r.kind, r.start, r.end, len(r.months)) == ("rolling12", "2024-10", "2025-09", 12)
    assert r.title == "12 months to September 2025 (October 2024 to September 2025)"


def test_parse_is_lenient_on_spaces_and_case_only():
    assert parse_period(" 2024/25-q3 ").label == "2024/25-Q3"
    assert parse_period("r12-2024-12").label == "R12-2024-12"


def test_century_financial_year():
    assert parse_period("1999/00").end == "2000-03"
    assert financial_year(2099).label == "2099/00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024/26", "second year must follow the first"),
        ("2024/26", "'2024/25'"),
        ("2024/25-Q5", "Q1 to Q4"),
        ("2024/25-Q0", "Q1 to Q4"),
        ("2024/26-Q1", "second year must follow the first"),
        ("2024-13", "01 to 12"),
        ("2024-00", "01 to 12"),
        ("R12-2024-13", "01 to 12"),
        ("2024", "expected a month '2024-05'"),
        ("FY2024", "is not a period"),
        ("", "is not a period"),
        ("2024/2025", "is not a period"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")) as excinfo:
        parse_period(text)
    assert repr(text) in str(excinfo.value)


def test_not_a_string():
    with pytest.raises(ValueError):
        parse_period(2024)  # type: ignore[arg-type]


def test_previous():
    assert parse_period("2024/25").previous().label == "2023/24"
    assert parse_period("2024/25-Q1").previous().label == "2023/24-Q4"
    assert parse_period("2024/25-Q4").previous().label == "2024/25-Q3"
    assert parse_period("2024-01").previous().label == "2023-12"
    assert parse_period("R12-2025-09").previous().label == "R12-2024-09"


def test_same_period_last_year():
    assert parse_period("2024-05").same_period_last_year().label == "2023-05"
    assert parse_period("2024/25-Q4").same_period_last_year() == Period(
        "quarter", "2023/24-Q4", "2024-01", "2024-03"
    )
    assert parse_period("2024/25").same_period_last_year().label == "2023/24"
    assert parse_period("R12-2025-09").same_period_last_year().label == "R12-2024-09"


@pytest.mark.parametrize(
    ("month", "fy"),
    [
        ("2024-04", "2024/25"),
        ("2025-03", "2024/25"),
        ("2024-03", "2023/24"),
        ("2019-07", "2019/20"),
    ],
)
def test_financial_year_of(month, fy):
    assert financial_year_of(month).label == fy
    assert month in financial_year_of(month)


def test_quarter_of():
    assert quarter_of("2025-02").label == "2024/25-Q4"
    assert quarter_of("2024-04").label == "2024/25-Q1"
    assert quarter_of("2024-12").label == "2024/25-Q3"


def test_month_helpers():
    assert add_months("2024-12", 1) == "2025-01"
    assert add_months("2024-01", -1) == "2023-12"
    assert add_months("2024-05", -29) == "2021-12"
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2025-02", "2024-11") == []


def test_period_rejects_end_before_start():
    with pytest.raises(ValueError, match="before it starts"):
        Period("quarter", "x", "2024-06", "2024-04")
    with pytest.raises(ValueError, match="unknown period kind"):
        Period("week", "x", "2024-06", "2024-06")  # type: ignore[arg-type]


def test_periods_are_hashable_values():
    assert {parse_period("2024/25"), financial_year(2024)} == {financial_year(2024)}


months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2090), st.integers(1, 12))


@given(months)
def test_every_month_lies_in_exactly_one_quarter_of_its_financial_year(month):
    fy = financial_year_of(month)
    quarters = [quarter_period(fy_start_year(month), q) for q in (1, 2, 3, 4)]
    assert sum(month in q for q in quarters) == 1
    assert [m for q in quarters for m in q.months] == fy.months
    assert quarter_of(month) in quarters


@given(months)
def test_labels_round_trip(month):
    for period in (
        month_period(month),
        financial_year_of(month),
        quarter_of(month),
        rolling12(month),
    ):
        assert parse_period(period.label) == period
        assert parse_period(str(period)) == period


@given(months)
def test_previous_is_adjacent_and_same_length(month):
    for period in (
        month_period(month),
        quarter_of(month),
        financial_year_of(month),
        rolling12(month),
    ):
        prev = period.previous()
        assert prev.kind == period.kind
        assert len(prev.months) == len(period.months)
        assert add_months(prev.end, 1) == period.start
        last_year = period.same_period_last_year()
        assert last_year.start == add_months(period.start, -12)
        assert last_year.end == add_months(period.end, -12)


# --- text from outside: one reader, one error ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0000-01",  # the year before year 0 has no four-digit form
        "0000/01",
        "0000/01-Q1",
        "R12-0000-01",
        "1899-12",
        "3000-01",
        "9999/00",  # ends in year 10000
        "R12-9999-12",
        "٢٠٢٤-٠٥",  # Arabic-Indic digits
        "２０２４/２５",  # full-width digits
        "2024-05\x00",
        "2024/25-Q99999999999999999999",
    ],
)
def test_text_outside_the_years_or_ascii_digits_is_a_period_error(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_period_error_is_a_value_error_and_names_the_years():
    with pytest.raises(ValueError, match="1900 to 2999"):
        parse_period("0000-01")
    assert issubclass(PeriodError, ValueError)


def test_kinds_limit_what_is_accepted():
    assert parse_period("2024/25", kinds=("financial_year",)).label == "2024/25"
    with pytest.raises(PeriodError, match="a financial year such as 2024/25"):
        parse_period("2024-05", kinds=("financial_year",))


def test_month_ranges():
    assert parse_month_range(" 2024-04", "2025-03") == ("2024-04", "2025-03")
    with pytest.raises(PeriodError, match="must not be after"):
        parse_month_range("2025-03", "2024-04")
    with pytest.raises(PeriodError, match="at most 25 years"):
        parse_month_range("1990-01", "2024-12")
    with pytest.raises(PeriodError):
        parse_month_range("2024/25", "2025-03")
    assert parse_month_range("2000-01", "2024-12") == ("2000-01", "2024-12")


@given(st.text(max_size=20) | st.from_regex(r"\A[0-9]{4}([-/][0-9]{2}(-Q[0-9])?)?\Z"))
def test_any_text_is_a_usable_period_or_a_period_error(text):
    """Whatever a URL holds: a period whose neighbours can be computed, or PeriodError."""
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert period.previous().n_months == period.n_months
    assert period.same_period_last_year().end < period.end
    assert parse_period(period.label) == period
