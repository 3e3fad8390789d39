"""Money is whole pence: parsed without floats, totals are integer sums."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferstat.delivery.money import parse_pounds, pounds


@pytest.mark.parametrize(
    "text, pence",
    [
        ("118000", 11_800_000),
        ("£118,000", 11_800_000),
        ("12500.5", 1_250_050),
        ("0.10", 10),
        ("0", 0),
        (250, 25_000),
    ],
)
def test_parse_pounds(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    "text", ["", "-5", "1e5", "12.345", "twelve", "1,23", 12.5, True, "1" * 13, "١٢"]
)
def test_parse_pounds_refuses(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_pounds_writes_whole_and_part_pounds():
    assert pounds(11_800_000) == "£118,000"
    assert pounds(1_250_050) == "£12,500.50"
    assert pounds(-5_000) == "-£50"
    assert pounds(None) == "–"


@given(st.integers(min_value=0, max_value=10**13))
def test_round_trip_is_exact(pence):
    text = pounds(pence)
    assert parse_pounds(text) == pence


def test_a_float_sum_would_be_wrong_but_pence_are_right():
    amounts = ["0.10"] * 3
    assert sum(parse_pounds(a) for a in amounts) == 30
    assert 0.1 + 0.1 + 0.1 != 0.3  # why no floats
