"""Time series (saferstat.analytics.series) and SPC glue (spc_series) against a raw recount."""

from __future__ import annotations

import pytest

from saferstat.analytics.figures import SPC_COLOURS, spc_chart
from saferstat.analytics.series import monthly_counts, periods_between, time_series
from saferstat.analytics.spc_series import SpcGapError, month_runs, spc_series
from tests.analytics.independent import (
    ASB,
    BARNSLEY,
    ROTHERHAM,
    WEAPONS,
    count,
    has_file,
    months_between,
    poisson_p_value,
    population,
)

POP = 265_791


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


def loaded(months):
    return [m for m in months if has_file(m)]


def test_periods_between():
    assert [p.label for p in periods_between("2024-05", "2025-01", "quarter")] == [
        "2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4",
    ]  # fmt: skip
    assert [p.label for p in periods_between("2024-03", "2024-04", "financial_year")] == [
        "2023/24",
        "2024/25",
    ]
    assert [p.label for p in periods_between("2025-08", "2025-09", "rolling12")] == [
        "R12-2025-08",
        "R12-2025-09",
    ]
    with pytest.raises(ValueError, match="unknown series kind"):
        periods_between("2024-01", "2024-02", "week")


def test_quarters_of_2019_20_weapons_with_the_july_gap(con):
    series = time_series(
        con, area_codes=[ROTHERHAM], start="2019-04", end="2020-03", kind="quarter",
        crime_types=[WEAPONS],
    )  # fmt: skip
    assert [p.period.label for p in series.points] == [f"2019/20-Q{q}" for q in (1, 2, 3, 4)]
    assert series.population == population([ROTHERHAM]) == POP
    assert series.label == WEAPONS
    for point in series.points:
        months = point.period.months
        n = count([ROTHERHAM], months, {WEAPONS})
        everything = count([ROTHERHAM], months)
        assert point.count == n
        assert point.months_loaded == tuple(loaded(months))
        assert point.rate_per_1000 == pytest.approx(n / POP * 1000)
        assert point.share_pct == pytest.approx(n / everything * 100)
        for change, earlier in (
            (point.vs_previous, point.period.previous()),
            (point.vs_last_year, point.period.same_period_last_year()),
        ):
            now_months, before_months = loaded(months), loaded(earlier.months)
            if earlier == point.period.same_period_last_year() and (
                len(now_months) < 3 or len(before_months) < 3
            ):
                # Season-matched (docs/analytics.md): the calendar months loaded in both.
                pairs = [(m, f"{int(m[:4]) - 1}{m[4:]}") for m in now_months]
                pairs = [(m, b) for m, b in pairs if b in before_months]
                now_months, before_months = [m for m, _ in pairs], [b for _, b in pairs]
                assert change.season_match is not None
                assert change.season_match.months == tuple(now_months)
            else:
                assert change.season_match is None
            n_now = count([ROTHERHAM], now_months, {WEAPONS})
            before = count([ROTHERHAM], before_months, {WEAPONS})
            e1, e2 = len(before_months), len(now_months)
            assert change.period == earlier and change.count == before
            p_expected = poisson_p_value(before, n_now, e1, e2)
            assert change.p_value == pytest.approx(p_expected, rel=1e-6)
            assert change.change_pct == pytest.approx(((n_now / e2) / (before / e1) - 1) * 100)
            assert change.is_significant == (change.p_value < 0.05)
    q2 = series.points[1]
    assert not q2.is_complete and q2.missing_months == ("2019-07",)
    assert q2.months_loaded == ("2019-08", "2019-09")  # July is a gap, not a zero
    assert any("2019/20-Q2" in note for note in series.notes)


def test_financial_years_rolling_12_and_periods_without_data(con):
    fy = time_series(
        con, area_codes=[ROTHERHAM], start="2022-04", end="2025-03", kind="financial_year"
    )
    by_label = {p.period.label: p for p in fy.points}
    assert by_label["2022/23"].count is None and by_label["2022/23"].rate_per_1000 is None
    assert by_label["2023/24"].count == count([ROTHERHAM], months_between("2024-01", "2024-03"))
    assert by_label["2023/24"].missing_months == tuple(months_between("2023-04", "2023-12"))
    y2425 = by_label["2024/25"]
    assert y2425.count == count([ROTHERHAM], months_between("2024-04", "2025-03"))
    assert y2425.is_complete and y2425.share_pct == pytest.approx(100)
    assert y2425.vs_previous.months_loaded == 3  # 2023/24: only January-March loaded
    assert y2425.vs_previous.period.label == "2023/24"
    assert by_label["2022/23"].vs_previous.change_pct is None
    rolling = time_series(
        con, area_codes=[ROTHERHAM], start="2025-03", end="2025-09", kind="rolling12",
        crime_types=[WEAPONS],
    )  # fmt: skip
    assert rolling.points[0].period.label == "R12-2025-03"
    assert rolling.points[0].count == count(
        [ROTHERHAM], months_between("2024-04", "2025-03"), {WEAPONS}
    )
    last = rolling.points[-1]
    assert last.count == count([ROTHERHAM], months_between("2024-10", "2025-09"), {WEAPONS})
    assert last.vs_last_year.period.label == "R12-2024-09"
    assert last.vs_last_year.months_loaded == 9  # 2023-10 to 2023-12 missing
    # Season-matched: January to September 2025 against January to September 2024.
    assert last.vs_last_year.months_compared == "Jan-Sep 2025 with Jan-Sep 2024"
    n1 = count([ROTHERHAM], months_between("2024-01", "2024-09"), {WEAPONS})
    n2 = count([ROTHERHAM], months_between("2025-01", "2025-09"), {WEAPONS})
    assert last.vs_last_year.count == n1
    assert last.vs_last_year.p_value == pytest.approx(poisson_p_value(n1, n2, 9, 9), rel=1e-6)
    row = rolling.table()[-1]
    assert row["last_year_months_compared"] == "Jan-Sep 2025 with Jan-Sep 2024"
    assert row["last_year_count"] == n1


def test_monthly_months_with_a_gap_are_none_not_zero(con):
    values = monthly_counts(
        con, area_codes=[BARNSLEY], start="2019-06", end="2019-08", crime_types=[ASB]
    )
    assert [v.month for v in values] == ["2019-06", "2019-07", "2019-08"]
    assert values[1].count is None
    assert values[0].count == count([BARNSLEY], ["2019-06"], {ASB}) > 0


# --- SPC -------------------------------------------------------------------------------


def xmr_by_hand(values: list[int]) -> tuple[float, float, float]:
    """(mean, lower limit, upper limit) with the 3.267 moving-range screen, by hand."""
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mr = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * mr]
    mr = sum(kept) / len(kept)
    return mean, mean - 2.66 * mr, mean + 2.66 * mr


def test_spc_series_splits_at_gaps_and_limits_match_a_hand_calculation(con):
    chart = spc_series(
        con, area_codes=[ROTHERHAM], start="2018-01", end="2025-09", crime_types=[WEAPONS]
    )
    assert [(s.start, s.end) for s in chart.segments] == [
        ("2018-01", "2019-06"),
        ("2019-08", "2021-09"),
        ("2024-01", "2025-09"),
    ]
    assert chart.missing_months == ("2019-07", *months_between("2021-10", "2023-12"))
    assert "split" in chart.warnings[0] and "2019-07" in chart.warnings[0]
    for segment in chart.segments:
        expected = [count([ROTHERHAM], [m], {WEAPONS}) for m in segment.months]
        assert list(segment.counts) == expected
        mean, lpl, upl = xmr_by_hand(expected)
        group = segment.chart.groups[0]
        assert group.mean == pytest.approx(mean)
        assert (group.lpl, group.upl) == (pytest.approx(lpl), pytest.approx(upl))
    assert chart.latest is chart.segments[-1]
    assert chart.variation_icon == chart.segments[-1].chart.variation_icon
    rows = chart.table()
    assert len(rows) == len(months_between("2018-01", "2025-09"))
    gap = next(r for r in rows if r["month"] == "2019-07")
    assert gap["count"] is None and gap["upl"] is None and gap["point_type"] == "no data"


def test_spc_series_refuses_gaps_when_asked(con):
    with pytest.raises(SpcGapError, match="2019-07") as caught:
        spc_series(con, area_codes=[ROTHERHAM], start="2019-01", end="2019-12", gaps="refuse")
    assert caught.value.missing_months == ("2019-07",)
    whole = spc_series(
        con, area_codes=[ROTHERHAM], start="2024-01", end="2025-09", gaps="refuse",
        polarity="decrease", target=2000,
    )  # fmt: skip
    assert len(whole.segments) == 1 and whole.missing_months == ()
    assert whole.segments[0].counts == tuple(
        count([ROTHERHAM], [m]) for m in months_between("2024-01", "2025-09")
    )
    assert whole.assurance_icon is not None
    with pytest.raises(ValueError, match="polarity"):
        spc_series(con, area_codes=[ROTHERHAM], start="2024-01", end="2024-12", polarity="up")


def test_spc_series_rebase_within_a_segment(con):
    chart = spc_series(
        con, area_codes=[ROTHERHAM], start="2024-01", end="2025-09",
        rebase_at={"2025-04": "new recording practice"},
    )  # fmt: skip
    groups = chart.segments[0].chart.groups
    assert len(groups) == 2 and groups[1].rebase_reason == "new recording practice"
    assert groups[1].start_date.isoformat() == "2025-04-01"
    after_gap = spc_series(
        con, area_codes=[ROTHERHAM], start="2019-01", end="2019-12", rebase_at={"2019-08": "x"}
    )
    assert any("already" in w for w in after_gap.warnings)
    with pytest.raises(ValueError, match="no data"):
        spc_series(
            con, area_codes=[ROTHERHAM], start="2019-01", end="2019-12", rebase_at={"2019-07": "x"}
        )


def test_spc_chart_colours_points_and_returns_its_table(con):
    chart = spc_series(
        con, area_codes=[ROTHERHAM], start="2018-01", end="2021-09", crime_types=[WEAPONS]
    )
    figure = spc_chart(chart)
    assert figure.rows == tuple(chart.table())
    assert figure.columns[:2] == ("month", "count")
    text = str(figure.spec)
    for colour in ("#289de0", "#fab428", "#7b7d7d"):
        assert colour in text and colour in SPC_COLOURS.values()
    assert "blue = special cause improvement" in figure.description
    assert "no data" in text  # the gap is labelled
    svg = figure.svg()
    assert "<title>" in svg and "SPC" in svg
    assert month_runs(["2019-07", "2021-10", "2021-11"]) == [["2019-07"], ["2021-10", "2021-11"]]
