"""Reweighting consultation responses to the Census (post-stratification and raking), the
effective sample size, headline figures, free text in survey exports, and public concern
proposed from theme counts: against hand-worked numbers."""

from __future__ import annotations

import math

import pytest

from saferstat.analytics.assessment import (
    DEFAULT_MATRIX,
    Dimension,
    concern_raised,
    effective_size,
    headline,
    parse_responses,
    propose_concern,
    rake,
    wilson,
    wilson_share,
)
from saferstat.analytics.errors import NoDataError, QueryError

HALF = {"F": 50, "M": 50}


def test_one_group_is_population_share_over_response_share():
    # 8 women and 2 men; the population is half and half: a woman counts 0.5/0.8 = 0.625,
    # a man 0.5/0.2 = 2.5 (already mean 1: 8 x 0.625 + 2 x 2.5 = 10).
    people = [{"sex": "F"}] * 8 + [{"sex": "M"}] * 2
    w = rake(people, {"sex": HALF}, ["sex"])
    assert w.weights == pytest.approx((0.625,) * 8 + (2.5,) * 2)
    # Kish: (sum w)^2 / sum w^2 = 100 / (8 x 0.390625 + 2 x 6.25) = 100 / 15.625 = 6.4
    assert w.effective_size == pytest.approx(6.4)
    assert w.design_effect == pytest.approx(10 / 6.4)
    # 4 of the women and both men said "Speeding": 6 in 10 unweighted; weighted
    # (4 x 0.625 + 2 x 2.5) / 10 = 7.5 / 10 = 0.75.
    answers = ["Speeding"] * 4 + ["Litter"] * 4 + ["Speeding"] * 2
    rows, answered, n_eff = headline(answers, w)
    top = rows[0]
    assert (top.answer, top.count, top.share, top.weighted) == ("Speeding", 6, 0.6, 0.75)
    assert answered == 10 and n_eff == pytest.approx(6.4)
    assert (top.low, top.high) == pytest.approx(wilson_share(0.75, 6.4))
    assert rows[1].weighted == pytest.approx(0.25)


def test_two_groups_are_raked_to_both_population_shares():
    # Ages A/B and sex F/M, each half and half in the population; respondents AF, AF, AM,
    # BF, BM. Raking's solution is w = r(age) x c(sex) with both margins equal:
    # r_A (2c_F + c_M) = r_B (c_F + c_M) and c_F (2r_A + r_B) = c_M (r_A + r_B). With
    # r_A = c_M = 1: 4c_F^2 = 2, so c_F = 1/sqrt(2) and r_B = sqrt(2). Weights
    # (1/sqrt2, 1/sqrt2, 1, 1, sqrt2), scaled to mean 1 by 5 / (2 + 2 sqrt2).
    people = [
        {"age": "A", "sex": "F"},
        {"age": "A", "sex": "F"},
        {"age": "A", "sex": "M"},
        {"age": "B", "sex": "F"},
        {"age": "B", "sex": "M"},
        {"age": "", "sex": "F"},  # did not give an age: left out
    ]
    w = rake(people, {"age": {"A": 1, "B": 1}, "sex": HALF}, ["age", "sex"])
    r2 = math.sqrt(2)
    scale = 5 / (2 + 2 * r2)
    expected = [scale / r2, scale / r2, scale, scale, scale * r2]
    assert w.weights[:5] == pytest.approx(expected, abs=1e-9)
    assert w.weights[5] is None and (w.used, w.left_out) == (5, 1)
    # sum w^2 = 0.5 + 0.5 + 1 + 1 + 2 = 5 before scaling: n_eff = (2 + 2 sqrt2)^2 / 5
    assert w.effective_size == pytest.approx((2 + 2 * r2) ** 2 / 5)
    assert w.iterations > 2  # it took more than one pass: this is raking, not one ratio


def test_a_group_nobody_answered_for_is_reported_not_invented():
    people = [{"sex": "F"}] * 3 + [{"sex": "M"}]
    w = rake(people, {"sex": {"F": 40, "M": 40, "X": 20}}, ["sex"])
    assert w.missing == {"sex": ("X",)}
    assert w.targets["sex"] == pytest.approx({"F": 0.5, "M": 0.5})
    with pytest.raises(NoDataError):
        rake([{"sex": ""}], {"sex": HALF}, ["sex"])
    with pytest.raises(QueryError):
        rake(people, {"sex": HALF}, [])
    with pytest.raises(QueryError):
        rake(people, {"sex": HALF}, ["age"])


def test_effective_size_and_wilson_share_agree_with_the_counts_version():
    assert effective_size([1, 1, 1, 1]) == 4
    assert effective_size([2, 0, 0, 0]) == 1
    assert wilson_share(3 / 10, 10) == pytest.approx(wilson(3, 10))


def test_free_text_is_read_and_held_to_its_length():
    header = "age,sex,disability,ethnic_group,area,concern_theme,free_text"
    parsed = parse_responses(f'{header}\n34,,,,,,"Bikes on the park, every night"\n', areas=[])
    assert parsed.rows == [{"age": "25-34", "free_text": "Bikes on the park, every night"}]
    long = "x" * 5001
    parsed = parse_responses(f"{header}\n34,,,,,,{long}\n", areas=[])
    assert parsed.errors == ["line 2: free_text: longer than 5,000 characters"]
    # the column is optional
    assert not parse_responses(
        "age,sex,disability,ethnic_group,area,concern_theme\n", areas=[]
    ).rows


def test_public_concern_counts_each_respondent_once_and_bands_the_share():
    responses = [
        {"concern_theme": "ASB", "tags": ["Anti-social behaviour"]},  # once, not twice
        {"concern_theme": "", "tags": ["anti-social behaviour", "Speeding"]},
        {"concern_theme": "Knife crime", "tags": []},
        {"concern_theme": "", "tags": []},
    ]
    counts, n = concern_raised(
        responses, {"asb": ["ASB", "Anti-social behaviour"], "knives": ["Knife crime"]}
    )
    assert counts == {"asb": 2, "knives": 1} and n == 4
    d = DEFAULT_MATRIX.get("public_concern")
    top = propose_concern(d, raised=2, responses=4, most=2, themes=["ASB"])
    assert top.points == 5 and "2 of 4 consultation respondents (50%)" in top.reasoning
    # 1 in 4 is 25%: the band "20% and more" is 4 when another issue is raised more
    assert propose_concern(d, raised=1, responses=4, most=2, themes=["K"]).points == 4
    assert propose_concern(d, raised=3, responses=100, most=30, themes=["K"]).points == 1
    assert propose_concern(d, raised=5, responses=100, most=30, themes=["K"]).points == 2
    assert propose_concern(d, raised=10, responses=100, most=30, themes=["K"]).points == 3
    # raised most but by fewer than 10%: banded, not the top
    assert propose_concern(d, raised=6, responses=100, most=6, themes=["K"]).points == 2
    # on a 1 to 3 scale the same position
    three = Dimension("public_concern", "Public concern", "likelihood", high=3)
    assert propose_concern(three, raised=2, responses=4, most=2, themes=["A"]).points == 3
    with pytest.raises(NoDataError):
        propose_concern(d, raised=0, responses=0, most=0, themes=["A"])
