"""Measures over the warehouse views.

Two layers:

* a tiny hand-built warehouse (real in-memory DuckDB tables named and shaped as the views in
  ``docs/warehouse.md``) whose every figure is worked out by hand below;
* the demo warehouse (real South Yorkshire data) for the overview of Rotherham 2019/20 and
  2024/25. The exact recount of the raw files is in ``test_counts_recount.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import duckdb
import pytest

from saferstat.analytics import measures
from saferstat.analytics.errors import NoDataError
from saferstat.analytics.measures import counts, overview, unknown_location_count
from saferstat.analytics.periods import month_range, parse_period
from saferstat.analytics.stats import poisson_compare

SY = "south-yorkshire"
LOADED_AT = dt.datetime(2025, 11, 1, 9, 30, tzinfo=dt.UTC)

# LSOA 2021 -> (ward code, ward name, LAD code, residents)
LSOA21 = {
    "E01000001": ("E05000001", "Alpha", "E08000018", 1_000),
    "E01000002": ("E05000002", "Beta", "E08000018", 3_000),
    "E01000003": ("E05000003", "Central", "E08000019", 6_000),
}
# LSOA 2011 -> LSOA 2021 (as the importer would have mapped it)
LSOA11 = {"E01900001": "E01000001", "E01900002": "E01000002", "E01900003": "E01000003"}


def _crime(month, crime_type, lsoa=None, vintage=2021, force=SY):
    if lsoa is None:
        lsoa21 = ward_code = ward_name = lad = None
        vintage = None
    else:
        lsoa21 = lsoa if vintage == 2021 else LSOA11[lsoa]
        ward_code, ward_name, lad, _ = LSOA21[lsoa21]
    return (force, month, crime_type, lsoa, vintage, lsoa21, ward_code, ward_name, lad)


def _crimes():
    rows = []
    # 2023/24-Q4 (Jan-Mar 2024), all loaded: Rotherham 10 burglaries a month in Alpha.
    for month in ("2024-01", "2024-02", "2024-03"):
        rows += [_crime(month, "Burglary", "E01000001")] * 10
    # 2024/25-Q1 (Apr-Jun 2024), 2024-06 not loaded.
    rows += [_crime("2024-04", "Burglary", "E01000001")] * 3
    rows += [_crime("2024-04", "Anti-social behaviour", "E01000002")] * 5
    rows += [_crime("2024-05", "Violence and sexual offences", "E01000002")] * 2
    rows += [_crime("2024-05", "Burglary", "E01000003")] * 7  # Sheffield
    rows += [_crime("2024-05", "Drugs")] * 4  # no location: in no area
    rows += [_crime("2024-05", "Drugs", "E01000001", force="west-yorkshire")]
    # 2018 months coded to 2011 LSOAs.
    rows += [_crime("2018-04", "Robbery", "E01900001", vintage=2011)] * 2
    rows += [_crime("2018-04", "Robbery", "E01900003", vintage=2011)]
    return rows


@pytest.fixture(scope="module")
def mini() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE street_crimes (
            force_slug VARCHAR, month VARCHAR, crime_type VARCHAR, lsoa_code VARCHAR,
            lsoa_vintage INTEGER, lsoa21_code VARCHAR, ward_code VARCHAR, ward_name VARCHAR,
            lad_code VARCHAR)
        """
    )
    con.executemany("INSERT INTO street_crimes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _crimes())
    con.execute(
        "CREATE TABLE lsoa_lookup (lsoa_code VARCHAR, lsoa_vintage INTEGER, lsoa21_code VARCHAR,"
        " ward_code VARCHAR, ward_name VARCHAR, lad_code VARCHAR, lad_name VARCHAR,"
        " is_ward_approximate BOOLEAN)"
    )
    for code, (ward, name, lad, _) in LSOA21.items():
        con.execute(
            "INSERT INTO lsoa_lookup VALUES (?, 2021, ?, ?, ?, ?, 'x', false)",
            [code, code, ward, name, lad],
        )
    for code11, code21 in LSOA11.items():
        ward, name, lad, _ = LSOA21[code21]
        con.execute(
            "INSERT INTO lsoa_lookup VALUES (?, 2011, ?, ?, ?, ?, 'x', ?)",
            [code11, code21, ward, name, lad, code11 == "E01900001"],
        )
    con.execute("CREATE TABLE lsoa21_population (lsoa21_code VARCHAR, population INTEGER)")
    con.executemany(
        "INSERT INTO lsoa21_population VALUES (?, ?)", [(k, v[3]) for k, v in LSOA21.items()]
    )
    con.execute("CREATE TABLE la_codes (lad_code VARCHAR, active_code VARCHAR, lad_name VARCHAR)")
    con.executemany(
        "INSERT INTO la_codes VALUES (?, ?, ?)",
        [
            ("E08000018", "E08000018", "Rotherham"),
            ("E08000019", "E08000039", "Sheffield"),
            ("E08000039", "E08000039", "Sheffield"),
        ],
    )
    con.execute(
        "CREATE TABLE loaded_partitions (dataset VARCHAR, force_slug VARCHAR, month VARCHAR,"
        " row_count BIGINT, source_name VARCHAR, source_sha256 VARCHAR, loaded_at TIMESTAMPTZ)"
    )
    months = ["2018-04", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    con.executemany(
        "INSERT INTO loaded_partitions VALUES ('policeuk_street', ?, ?, 0, 'f', 'h', ?)",
        [(SY, m, LOADED_AT - dt.timedelta(days=i)) for i, m in enumerate(reversed(months))]
        + [("west-yorkshire", "2024-05", LOADED_AT - dt.timedelta(days=30))],
    )
    return con


Q1 = parse_period("2024/25-Q1")


def test_counts_by_crime_type_with_a_gap(mini):
    result = counts(mini, area_codes=["E08000018"], period=Q1, by="crime_type")
    assert result.rows == [
        ("Anti-social behaviour", 5),
        ("Burglary", 3),
        ("Drugs", 1),  # West Yorkshire's record in a Rotherham LSOA counts: LSOA rule
        ("Violence and sexual offences", 2),
    ]
    assert result.missing_months == ["2024-06"]
    assert result.months_loaded == ["2024-04", "2024-05"]
    assert result.total == 11 and not result.is_complete
    assert result.area_codes == ("E08000018",)


def test_counts_restricted_to_a_force(mini):
    result = counts(mini, area_codes=["E08000018"], period=Q1, by="crime_type", force_slugs=[SY])
    assert dict(result.rows) == {
        "Anti-social behaviour": 5,
        "Burglary": 3,
        "Violence and sexual offences": 2,
    }


def test_counts_by_ward_and_month(mini):
    by_ward = counts(mini, area_codes=["E08000018"], period=Q1, by="ward")
    assert by_ward.rows == [("Alpha", 4), ("Beta", 7)]
    by_month = counts(mini, area_codes=["E08000018"], period=Q1, by="month")
    assert by_month.rows == [("2024-04", 8), ("2024-05", 3)]  # 2024-06 absent, not 0
    assert by_month.missing_months == ["2024-06"]


def test_new_and_old_la_codes_are_the_same_area(mini):
    for codes in (["E08000039"], ["E08000019"], ["E08000019", "E08000039"]):
        result = counts(mini, area_codes=codes, period=Q1, by="crime_type")
        assert result.rows == [("Burglary", 7)]
        assert result.area_codes == ("E08000019", "E08000039")
    assert measures.area_name(mini, ["E08000019"]) == "Sheffield"


def test_ward_names_shared_by_two_areas_are_told_apart(mini):
    rows = [("E1", "Central", 2), ("E2", "Central", 3), ("E3", "North", 1)]
    assert measures._ward_keys(rows) == [("Central (E1)", 2), ("Central (E2)", 3), ("North", 1)]


def test_2011_coded_rows_are_mapped(mini):
    april_2018 = parse_period("2018-04")
    assert counts(mini, area_codes=["E08000018"], period=april_2018, by="ward").rows == [
        ("Alpha", 2)
    ]
    assert counts(mini, area_codes=["E08000039"], period=april_2018, by="ward").rows == [
        ("Central", 1)
    ]


def test_unknown_location(mini):
    assert unknown_location_count(mini, force_slug=SY, period=Q1) == 4
    assert unknown_location_count(mini, force_slug="west-yorkshire", period=Q1) == 0
    assert unknown_location_count(mini, force_slug=SY, period=parse_period("2024/25-Q2")) == 0


def test_bad_arguments(mini):
    with pytest.raises(ValueError, match="cannot count by 'lsoa'"):
        counts(mini, area_codes=["E08000018"], period=Q1, by="lsoa")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="area_codes is empty"):
        counts(mini, area_codes=[], period=Q1, by="month")


def test_period_without_any_data(mini):
    """No loaded month is not zero records: both refuse, naming what is missing."""
    fy = parse_period("2022/23")
    for by in ("month", "crime_type", "ward"):
        with pytest.raises(NoDataError) as raised:
            counts(mini, area_codes=["E08000018"], period=fy, by=by)
        assert raised.value.missing_months == tuple(fy.months)
    with pytest.raises(NoDataError, match="No police.uk data is loaded for Rotherham in 2022/23"):
        overview(mini, area_codes=["E08000018"], period=fy)


def test_a_complete_period_says_nothing_about_months_not_loaded(mini):
    """'12 of 12 months loaded ...; not loaded yet.' came from all() over no missing month."""
    ov = overview(mini, area_codes=["E08000018"], period=parse_period("2023/24-Q4"))
    assert ov.is_complete and ov.months_loaded == ["2024-01", "2024-02", "2024-03"]
    assert not [n for n in ov.notes if "not loaded yet" in n or "to date" in n], ov.notes


def test_overview_worked_by_hand(mini):
    ov = overview(mini, area_codes=["E08000018"], period=Q1, force_slugs=[SY])
    assert ov.area_name == "Rotherham"
    assert ov.population == 4_000
    assert ov.comparison_period.label == "2023/24-Q4"
    assert ov.missing_months == ["2024-06"] and not ov.is_complete
    assert ov.comparison_missing_months == [] and ov.comparison_is_complete
    # Total: 10 records in 2 months against 30 in 3 months: 5 a month against 10 a month.
    assert ov.total.count == 10
    assert ov.total.previous_count == 30
    assert ov.total.rate_per_1000 == pytest.approx(10 / 4_000 * 1000)
    assert ov.total.change_pct == pytest.approx(-50.0)
    assert ov.total.p_value == pytest.approx(poisson_compare(30, 10, 3, 2).p_value)
    # By hand: n = 40 records, π0 = 2/(3+2) = 0.4; two-sided p = sum of P(X = k), X ~ Bin(40, 0.4),
    # over every k no more likely than the observed k = 10.
    pmf = [math.comb(40, k) * 0.4**k * 0.6 ** (40 - k) for k in range(41)]
    assert ov.total.p_value == pytest.approx(sum(q for q in pmf if q <= pmf[10] * (1 + 1e-7)))
    assert ov.total.p_value == pytest.approx(0.0541, abs=1e-4)  # halved rate, yet not significant
    assert not ov.total.is_significant
    assert ov.total_excluding_asb.count == 5
    rows = {r.crime_type: r for r in ov.crime_types}
    assert list(rows) == ["Anti-social behaviour", "Burglary", "Violence and sexual offences"]
    assert rows["Burglary"].count == 3 and rows["Burglary"].previous_count == 30
    assert rows["Burglary"].share_pct == pytest.approx(30.0)
    assert rows["Burglary"].change_pct == pytest.approx((3 / 2) / (30 / 3) * 100 - 100)
    assert rows["Anti-social behaviour"].previous_count == 0
    assert math.isinf(rows["Anti-social behaviour"].change_pct)
    assert [(m.month, m.count) for m in ov.monthly] == [
        ("2024-04", 8),
        ("2024-05", 2),
        ("2024-06", None),
    ]
    assert [(w.ward_name, w.count, w.population) for w in ov.wards] == [
        ("Alpha", 3, 1_000),
        ("Beta", 7, 3_000),
    ]
    assert ov.wards[1].rate_per_1000 == pytest.approx(7 / 3)
    assert ov.unknown_location == {SY: 4}
    assert ov.freshness.latest_month == "2024-05"
    assert ov.freshness.latest_month_loaded_at == LOADED_AT
    assert ov.freshness.last_loaded_at == LOADED_AT
    assert ov.geography.lsoa == "LSOA 2021" and ov.geography.ward == "ward 2024"
    assert ov.records_from_lsoa11 == 0 and ov.records_ward_approximate == 0
    notes = " ".join(ov.notes)
    # 2024-06 is after the latest loaded month: "to date", not a gap in the middle.
    assert (
        "2024/25-Q1 to date: 2 of 3 months loaded (latest 2024-05); 2024-06 not loaded yet."
        in notes
    )
    assert "average per loaded month (2 months in 2024/25-Q1, 3 in 2023/24-Q4)" in notes
    assert "4 records of south-yorkshire" in notes


def test_overview_same_period_last_year_without_data(mini):
    ov = overview(mini, area_codes=["E08000018"], period=Q1, compare_with="same_period_last_year")
    assert ov.comparison_period.label == "2023/24-Q1"
    assert ov.total.previous_count is None and ov.total.change_pct is None
    assert ov.total.p_value is None and not ov.total.is_significant
    assert any("No police.uk data is loaded for 2023/24-Q1" in n for n in ov.notes)


def test_overview_says_when_2011_lsoas_were_mapped(mini):
    ov = overview(mini, area_codes=["E08000018"], period=parse_period("2018-04"))
    assert ov.records_from_lsoa11 == 2
    assert ov.records_ward_approximate == 2  # E01900001 is marked as split between wards
    assert measures.GEOGRAPHY_NOTE in ov.notes
    assert any(n.startswith("2 records came from 2011 LSOAs that were split") for n in ov.notes)


def test_month_list_wording():
    assert measures._month_list(["2019-07"]) == "2019-07"
    assert measures._month_list(month_range("2021-10", "2023-12") + ["2025-01"]) == (
        "2021-10 to 2023-12, 2025-01"
    )


# --- the demo warehouse (real data) ----------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_warehouse_con):
    return demo_warehouse_con


ROTHERHAM = ["E08000018"]


def test_demo_population_matches_census(demo):
    # data/README.md: Rotherham 265,791; Barnsley 244,568; Doncaster 308,100; Sheffield 556,519.
    assert measures.population(demo, ["E08000018"]) == 265_791
    assert measures.population(demo, ["E08000038"]) == 244_568
    assert measures.population(demo, ["E08000017"]) == 308_100
    assert measures.population(demo, ["E08000039"]) == 556_519
    wards = measures.ward_populations(demo, ROTHERHAM)
    assert len(wards) == 25
    assert sum(pop for _, _, pop in wards) == 265_791


def test_demo_overview_2019_20_flags_the_gap_and_adjusts(demo):
    ov = overview(demo, area_codes=ROTHERHAM, period=parse_period("2019/20"))
    assert ov.missing_months == ["2019-07"]
    assert ov.comparison_period.label == "2018/19" and ov.comparison_is_complete
    assert [m.count is None for m in ov.monthly] == [m == "2019-07" for m in ov.period.months]
    total = ov.total
    # Season-matched (docs/analytics.md): July 2019 is missing, so July 2018 is left out
    # too and the 11 other calendar months of each year are compared.
    assert ov.season_match is not None
    assert ov.season_match.comparison_months == tuple(
        m for m in month_range("2018-04", "2019-03") if m != "2018-07"
    )
    assert ov.comparison_label == "Apr-Jun 2018, Aug 2018-Mar 2019"
    assert total.matched_count == total.count
    july_2018 = counts(
        demo, area_codes=ROTHERHAM, period=parse_period("2018-07"), by="crime_type"
    ).total
    whole_2018_19 = counts(
        demo, area_codes=ROTHERHAM, period=parse_period("2018/19"), by="crime_type"
    ).total
    assert total.previous_count == whole_2018_19 - july_2018
    expected = poisson_compare(total.previous_count, total.count, 11, 11)
    assert total.p_value == pytest.approx(expected.p_value)
    assert total.change_pct == pytest.approx((total.count / total.previous_count - 1) * 100)
    assert sum(r.count for r in ov.crime_types) == total.count
    assert sum(w.count for w in ov.wards) == total.count
    assert sum(r.share_pct for r in ov.crime_types) == pytest.approx(100.0)
    assert ov.records_from_lsoa11 == total.count
    assert 0 < ov.records_ward_approximate < total.count
    assert ov.notes[0] == (
        "2019/20 is incomplete: 11 of 12 months loaded; no data for 2019-07 "
        "(shown as a gap, not as zero)."
    )
    assert any(
        n.startswith(
            "Season-matched comparison: 2019/20 has only Apr-Jun 2019, Aug 2019-Mar 2020 loaded"
        )
        for n in ov.notes
    )
    assert ov.unknown_location["south-yorkshire"] > 0


def test_demo_overview_2024_25(demo):
    ov = overview(demo, area_codes=ROTHERHAM, period=parse_period("2024/25"))
    assert ov.is_complete and ov.population == 265_791
    assert ov.comparison_months_loaded == ["2024-01", "2024-02", "2024-03"]
    assert len(ov.wards) == 25
    assert ov.records_from_lsoa11 == 0
    assert ov.freshness.latest_month == "2025-09"
    assert ov.freshness.latest_month_loaded_at is not None
    assert ov.total.rate_per_1000 == pytest.approx(ov.total.count / 265_791 * 1000)


def test_demo_overview_year_to_date(demo):
    ov = overview(demo, area_codes=ROTHERHAM, period=parse_period("2025/26"))
    assert ov.months_loaded == month_range("2025-04", "2025-09")
    assert ov.missing_months == month_range("2025-10", "2026-03")
    assert ov.notes[0] == (
        "2025/26 to date: 6 of 12 months loaded (latest 2025-09); 2025-10 to 2026-03 not loaded yet."
    )


def test_analytics_modules_never_import_django():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import saferstat.analytics.periods, saferstat.analytics.stats\n"
        "import saferstat.analytics.measures, saferstat.analytics.charts\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("period", ["2019/20", "2024/25", "2025/26-Q1", "2020-03"])
@pytest.mark.parametrize("compare_with", ["previous", "same_period_last_year"])
@pytest.mark.parametrize("forces", [None, [SY]])
def test_demo_overview_agrees_with_the_single_figure_functions(demo, period, compare_with, forces):
    # overview() reads every figure in one grouped scan; each must equal what the functions
    # that compute one figure each give (counts, unknown_location_count, freshness).
    p = parse_period(period)
    ov = overview(
        demo, area_codes=ROTHERHAM, period=p, compare_with=compare_with, force_slugs=forces
    )
    c = ov.comparison_period

    def by(key, period_):
        return counts(demo, area_codes=ROTHERHAM, period=period_, by=key, force_slugs=forces)

    now, before = by("crime_type", p), by("crime_type", c)
    assert [(r.crime_type, r.count) for r in ov.crime_types if r.count] == now.rows
    if ov.season_match is not None:  # the same calendar months only (seasonal.py)
        matched = Counter()
        for month in ov.season_match.comparison_months:
            matched.update(by("crime_type", parse_period(month)).as_dict())
        before_counts = dict(matched)
    else:
        before_counts = before.as_dict()
    assert {r.crime_type: r.previous_count for r in ov.crime_types} == {
        r.crime_type: (before_counts.get(r.crime_type, 0) if before.months_loaded else None)
        for r in ov.crime_types
    }
    assert (ov.months_loaded, ov.missing_months) == (now.months_loaded, now.missing_months)
    assert ov.comparison_months_loaded == before.months_loaded
    months = by("month", p).as_dict()
    assert [(m.month, m.count) for m in ov.monthly] == [(m, months.get(m)) for m in p.months]
    wards = dict(by("ward", p).rows)
    assert {w.ward_name: w.count for w in ov.wards if w.count} == wards
    expected_unknown = {SY: unknown_location_count(demo, force_slug=SY, period=p)}
    assert ov.unknown_location == (expected_unknown if now.months_loaded else {})
    assert ov.freshness == measures.freshness(demo, forces)
    assert (
        ov.records_from_lsoa11
        == demo.execute(
            "SELECT count(*) FROM street_crimes WHERE lad_code = 'E08000018' AND month >= ? "
            "AND month <= ? AND lsoa_vintage = 2011",
            [p.start, p.end],
        ).fetchone()[0]
    )
