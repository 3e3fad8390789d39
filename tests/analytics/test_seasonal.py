"""Season-matched comparisons (saferstat/analytics/seasonal.py, docs/analytics.md).

The rule by hand on small cases, then the overview of Rotherham 2024/25 against a 2023/24
with only January to March 2024 loaded, checked against an independent recount of the raw
police.uk files (tests/analytics/independent.py) and the exact test from its formula.
"""

from __future__ import annotations

import pytest

from saferstat.analytics.measures import overview
from saferstat.analytics.periods import month_range, parse_period
from saferstat.analytics.seasonal import months_label, season_match, season_note
from tests.analytics import independent as ind

FY24, FY23 = parse_period("2024/25"), parse_period("2023/24")


def test_months_label_short_ranges():
    assert months_label(["2024-01", "2024-02", "2024-03"]) == "Jan-Mar 2024"
    assert months_label(["2024-11", "2024-12", "2025-01"]) == "Nov 2024-Jan 2025"
    assert months_label(["2018-08", "2018-04", "2018-05"]) == "Apr-May 2018, Aug 2018"
    assert months_label(["2024-06"]) == "Jun 2024"


def test_complete_periods_are_compared_whole():
    loaded = month_range("2023-04", "2025-03")
    assert season_match(FY24, FY23, loaded) is None


def test_incomplete_comparison_compares_the_same_calendar_months():
    loaded = month_range("2024-01", "2025-03")  # 2023/24: January to March 2024 only
    match = season_match(FY24, FY23, loaded)
    assert match is not None
    assert match.months == ("2025-01", "2025-02", "2025-03")
    assert match.comparison_months == ("2024-01", "2024-02", "2024-03")
    assert (match.label, match.comparison_label) == ("Jan-Mar 2025", "Jan-Mar 2024")
    assert match.period_complete and not match.comparison_complete
    assert "2023/24 has only Jan-Mar 2024 loaded" in season_note(match, FY24, FY23)


def test_year_to_date_compares_the_same_months_last_year():
    loaded = month_range("2024-04", "2025-09")
    match = season_match(parse_period("2025/26"), FY24, loaded)
    assert match.months == tuple(month_range("2025-04", "2025-09"))
    assert match.comparison_label == "Apr-Sep 2024"


def test_a_gap_on_either_side_drops_its_calendar_month_from_both():
    loaded = [m for m in month_range("2023-04", "2025-03") if m not in ("2023-05", "2024-12")]
    match = season_match(FY24, FY23, loaded)
    assert "2024-05" not in match.months and "2024-12" not in match.months
    assert "2023-05" not in match.comparison_months and "2023-12" not in match.comparison_months
    assert match.n_months == 10
    assert not match.period_complete and not match.comparison_complete


def test_no_calendar_month_in_common_is_not_matched():
    # A quarter against the quarter before: no calendar month in common, keep the average.
    q1, q4 = parse_period("2024/25-Q1"), parse_period("2023/24-Q4")
    assert season_match(q1, q4, ["2024-01", "2024-04", "2024-05", "2024-06"]) is None
    # Nothing loaded in the comparison: no comparison at all, not a matched one.
    assert season_match(FY24, FY23, month_range("2024-04", "2025-03")) is None


@pytest.fixture(scope="module")
def rotherham_2024_25(demo_warehouse_con):
    return overview(demo_warehouse_con, area_codes=[ind.ROTHERHAM], period=FY24)


def test_rotherham_2024_25_is_compared_with_jan_mar_2024_only(rotherham_2024_25):
    ov = rotherham_2024_25
    # The demo data holds 2024-01 onwards: 2023/24 has January to March 2024 only.
    assert [m for m in FY23.months if ind.has_file(m)] == ["2024-01", "2024-02", "2024-03"]
    assert ov.season_match is not None
    assert ov.comparison_label == "Jan-Mar 2024"
    assert ov.season_match.label == "Jan-Mar 2025"
    assert any(n.startswith("Season-matched comparison: 2023/24 has only") for n in ov.notes)
    # No note may still say the change uses 12 months against 3.
    assert not any("12 months in 2024/25, 3 in 2023/24" in n for n in ov.notes)


def test_rotherham_season_matched_counts_equal_an_independent_recount(rotherham_2024_25):
    ov = rotherham_2024_25
    codes = [ind.ROTHERHAM]
    whole = ind.count_by(codes, FY24.months, 1)
    now = ind.count_by(codes, ["2025-01", "2025-02", "2025-03"], 1)
    before = ind.count_by(codes, ["2024-01", "2024-02", "2024-03"], 1)
    rows = {r.crime_type: r for r in ov.crime_types}
    assert set(rows) == set(whole) | set(before)
    for name, row in rows.items():
        assert row.count == whole[name], name  # the year's count is still the whole year
        assert row.matched_count == now[name], name
        assert row.previous_count == before[name], name
        if before[name] or now[name]:
            assert row.change_pct == pytest.approx((now[name] / before[name] - 1) * 100), name
            p = ind.poisson_p_value(before[name], now[name], 3, 3)
            assert row.p_value == pytest.approx(p, rel=1e-6), name
    total = ov.total
    assert total.count == sum(whole.values())
    assert (total.matched_count, total.previous_count) == (
        sum(now.values()),
        sum(before.values()),
    )
    assert total.p_value == pytest.approx(
        ind.poisson_p_value(sum(before.values()), sum(now.values()), 3, 3), rel=1e-6
    )
    asb = ind.ASB
    assert ov.total_excluding_asb.previous_count == sum(before.values()) - before[asb]
    assert ov.total_excluding_asb.matched_count == sum(now.values()) - now[asb]
