"""The strategic assessment's arithmetic against hand-worked numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from scipy.stats import binomtest

from saferstat.analytics.assessment import (
    DEFAULT_MATRIX,
    Dimension,
    Matrix,
    census_population,
    coverage,
    disagreement,
    parse_responses,
    rank,
    score,
    spread,
    tension_trend,
    weighted_share,
    weights,
    wilson,
)
from saferstat.analytics.errors import NoDataError, QueryError
from tests.conftest import DEMO_DATA

SMALL = Matrix(
    (
        Dimension("h1", "Harm A", "harm"),
        Dimension("h2", "Harm B", "harm", weight=3),
        Dimension("v", "Volume", "likelihood"),
        Dimension("c", "Capacity gap", "capacity"),
    ),
    disagreement=2,
)


def test_score_is_weighted_group_means_multiplied():
    # harm = (1*1 + 5*3) / 4 = 4; likelihood 3; capacity 2 -> risk 12, total 24
    s = score({"h1": 1, "h2": 5, "v": 3, "c": 2}, SMALL)
    assert (s.harm, s.likelihood, s.capacity, s.risk, s.total) == (4, 3, 2, 12, 24)
    assert SMALL.highest == 125


@pytest.mark.parametrize(
    "values,message",
    [
        ({"h1": 1, "h2": 5, "v": 3}, "Capacity gap: no score"),
        ({"h1": 0, "h2": 5, "v": 3, "c": 2}, "from 1 to 5"),
        ({"h1": 6, "h2": 5, "v": 3, "c": 2}, "from 1 to 5"),
        ({"h1": 2.5, "h2": 5, "v": 3, "c": 2}, "whole number"),
    ],
)
def test_score_refuses_missing_or_out_of_scale(values, message):
    with pytest.raises(QueryError, match=message):
        score(values, SMALL)


def test_matrix_needs_each_group_and_unique_keys():
    with pytest.raises(QueryError, match="capacity"):
        Matrix((Dimension("h", "H", "harm"), Dimension("v", "V", "likelihood")))
    with pytest.raises(QueryError, match="own key"):
        Matrix((Dimension("h", "H", "harm"), Dimension("h", "V", "likelihood")))
    assert Matrix.from_data(DEFAULT_MATRIX.as_data()) == DEFAULT_MATRIX


def test_disagreement_flags_dimensions_two_points_apart_and_never_one_scorer():
    a = {"h1": 1, "h2": 4, "v": 3, "c": 2}
    b = {"h1": 3, "h2": 5, "v": 3, "c": 2}
    out = {d.dimension.key: d for d in disagreement([a, b], SMALL)}
    assert out["h1"].flagged and out["h1"].spread.range == 2
    assert not out["h2"].flagged and not out["v"].flagged
    assert not any(d.flagged for d in disagreement([{"h1": 1, "h2": 5, "v": 1, "c": 5}], SMALL))


def test_rank_by_median_total_with_the_spread_kept():
    issues = {
        # totals 24 and 60 -> median 42
        "knife": [{"h1": 1, "h2": 5, "v": 3, "c": 2}, {"h1": 5, "h2": 5, "v": 4, "c": 3}],
        # totals 40 and 40 -> median 40
        "asb": [{"h1": 2, "h2": 2, "v": 5, "c": 4}, {"h1": 2, "h2": 2, "v": 5, "c": 4}],
        "none": [],
    }
    ranked = rank(issues, SMALL)
    assert [r.key for r in ranked] == ["knife", "asb"]
    assert ranked[0].totals.values == (24, 60) and ranked[0].totals.median == 42
    assert ranked[0].flagged == 1  # h1 differs by 4 points
    assert ranked[1].flagged == 0 and ranked[1].risk == 10 and ranked[1].capacity == 4


def test_rank_ties_go_to_the_issue_nobody_scored_low():
    same = {"h1": 2, "h2": 2, "v": 2, "c": 2}  # total 8
    issues = {
        "a": [{"h1": 1, "h2": 1, "v": 1, "c": 1}, {"h1": 3, "h2": 3, "v": 2, "c": 3}, same],
        "b": [same, same, same],
    }
    assert [r.key for r in rank(issues, SMALL)] == ["b", "a"]


def test_spread_of_nothing_is_no_data():
    with pytest.raises(NoDataError):
        spread([])


def test_wilson_matches_hand_worked_and_scipy():
    low, high = wilson(10, 100)
    # p=0.1, z=1.96: centre=(0.1+0.019208)/1.038415=0.114799; half=0.059594
    assert low == pytest.approx(0.05522, abs=1e-5)
    assert high == pytest.approx(0.17437, abs=1e-5)
    for k, n in [(0, 20), (3, 7), (20, 20), (57, 412)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)
    with pytest.raises(QueryError):
        wilson(1, 0)


def test_coverage_flags_groups_not_heard_beyond_the_margin():
    population = {"Disabled": 21, "Not disabled": 79}  # 21%
    rows = {r.group: r for r in coverage({"Disabled": 10, "Not disabled": 90}, population)}
    d = rows["Disabled"]
    assert d.share == 0.1 and d.population_share == 0.21
    assert d.high == pytest.approx(0.17437, abs=1e-5)
    assert d.verdict == "under-represented"
    assert rows["Not disabled"].verdict == "over-represented"
    # with a 5-point margin, 17.4% is within 21% - 5%: not flagged
    rows = {
        r.group: r for r in coverage({"Disabled": 10, "Not disabled": 90}, population, margin=0.05)
    }
    assert rows["Disabled"].verdict == "in line"
    # a group nobody from answered is still listed, with its interval
    rows = {r.group: r for r in coverage({"Not disabled": 30}, population)}
    assert rows["Disabled"].responses == 0 and rows["Disabled"].low == 0
    assert rows["Disabled"].high == pytest.approx(0.11351, abs=1e-5)
    with pytest.raises(NoDataError):
        coverage({}, population)
    with pytest.raises(QueryError):
        coverage({"Martian": 1}, population)


def test_weights_bring_the_mix_to_the_population():
    w = weights({"F": 30, "M": 10}, {"F": 50, "M": 50})
    assert w == pytest.approx({"F": 0.5 / 0.75, "M": 0.5 / 0.25})
    answers = [("F", True)] * 30 + [("M", False)] * 10
    raw, weighted = weighted_share(answers, w)
    assert raw == 0.75 and weighted == pytest.approx(0.5)
    assert "X" not in weights({"F": 3}, {"F": 1, "X": 1})


def test_census_extract_has_rotherham_as_the_readme_says():
    pop = census_population(DEMO_DATA / "census" / "census2021_south_yorkshire.csv", ["E08000018"])
    assert pop["sex"] == {"Female": 135547, "Male": 130260}
    assert pop["disability"]["Disabled"] == 56177
    assert pop["ethnic_group"]["White"] == 241954
    assert pop["ethnic_group"]["Asian, Asian British or Asian Welsh"] == 14176
    # 16+ bands: TS009's total (265,811) less those under 16
    assert 200_000 < sum(pop["age"].values()) < 220_000
    with pytest.raises(NoDataError):
        census_population(DEMO_DATA / "census" / "census2021_south_yorkshire.csv", ["E09000001"])


def test_parse_responses_refuses_bad_rows_with_line_numbers_and_keeps_none():
    header = "age,sex,disability,ethnic_group,area,concern_theme"
    good = f"{header}\n34,Female,Disabled,White,Maltby,ASB\n,,,,,\n17,male,,Other ethnic group,,\n"
    parsed = parse_responses(good, areas=["Maltby"], themes=["ASB"])
    assert not parsed.errors
    assert parsed.rows[0] == {
        "age": "25-34",
        "sex": "Female",
        "disability": "Disabled",
        "ethnic_group": "White",
        "area": "Maltby",
        "concern_theme": "ASB",
    }
    assert parsed.rows[2] == {"age": "16-24", "sex": "Male", "ethnic_group": "Other ethnic group"}
    bad = f"{header}\n34,Female,,White,Maltby,\n212,Female,,White,Atlantis,\n9,X,,,,\n"
    parsed = parse_responses(bad, areas=["Maltby"])
    assert parsed.rows == []
    assert parsed.errors == [
        "line 3: age: '212' is not an age from 16 to 110",
        "line 3: area: 'Atlantis' is not a ward here",
        "line 4: age: '9' is not an age from 16 to 110",
        "line 4: sex: 'X' is not a known group",
    ]
    wrong = parse_responses("name,age\nx,3\n", areas=[])
    assert wrong.rows == [] and "no column sex" in wrong.errors[0]


def test_tension_trend_counts_weeks_with_real_zeros():
    reports = [
        (dt.date(2025, 6, 2), "low"),
        (dt.date(2025, 6, 4), "high"),
        (dt.date(2025, 6, 18), "medium"),
    ]
    weeks = tension_trend(reports, start=dt.date(2025, 6, 3), end=dt.date(2025, 6, 20))
    assert [w["week"] for w in weeks] == [
        dt.date(2025, 6, 2),
        dt.date(2025, 6, 9),
        dt.date(2025, 6, 16),
    ]
    assert [w["total"] for w in weeks] == [2, 0, 1]
    assert [w["highest"] for w in weeks] == ["high", "", "medium"]
    with pytest.raises(QueryError):
        tension_trend(
            [(dt.date(2025, 6, 2), "apocalyptic")],
            start=dt.date(2025, 6, 1),
            end=dt.date(2025, 6, 2),
        )
