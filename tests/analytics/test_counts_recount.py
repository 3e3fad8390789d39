"""THE KEY TEST: counts from the warehouse equal an independent recount of the raw files.

The recount below reads the police.uk files in ``demo_data/police-uk`` with ``gzip`` and
``csv`` and the ONS lookups with ``csv``, and applies the rules of ``docs/analytics.md`` by
itself. It never calls the importer or the code under test for the mapping:

* a row belongs to an authority when its LSOA lies in it; rows with no LSOA belong to none;
* files before 2022 use 2011 LSOA codes, mapped to 2021 LSOAs with the ONS
  LSOA 2011 -> 2021 lookup (a split 2011 LSOA goes to the part the importer's documented
  rule picks, see ``split_part``); files from 2024 use 2021 codes;
* the ward is the 2024 ONS ward of the 2021 LSOA;
* an authority's codes are all codes with the same active code in ``la_all_codes.csv``
  (Sheffield E08000019 = E08000039);
* a month without a file is missing, never zero.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from saferstat.analytics.measures import counts, unknown_location_count
from saferstat.analytics.periods import Period, parse_period

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
POLICE = DEMO / "police-uk"
ONS = DEMO / "ons"
LSOA11_TO_21 = (
    ONS / "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_"
    "and_Wales.csv"
)
LSOA21_TO_WARD = ONS / "LSOA21_WD24_LAD24_EW_LU.csv"
LA_CODES = ONS / "la_all_codes.csv"
CENSUS = ONS / "census2021_usual_residents_by_lsoa21.csv"
FORCE = "south-yorkshire"

ROTHERHAM = "E08000018"
SHEFFIELD_OLD, SHEFFIELD_NEW = "E08000019", "E08000039"
BARNSLEY_NEW = "E08000038"
DONCASTER = "E08000017"


# --- the independent recount -----------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@cache
def ward_of_lsoa21() -> dict[str, tuple[str, str, str]]:
    """LSOA21CD -> (WD24CD, WD24NM, LAD24CD)."""
    return {
        r["LSOA21CD"]: (r["WD24CD"], r["WD24NM"], r["LAD24CD"]) for r in _read_csv(LSOA21_TO_WARD)
    }


@cache
def lsoa11_parts() -> dict[str, list[tuple[str, str]]]:
    """F_LSOA11CD -> [(LSOA21CD, LAD22CD), ...] in file order."""
    parts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _read_csv(LSOA11_TO_21):
        parts[r["F_LSOA11CD"]].append((r["LSOA21CD"], r["LAD22CD"]))
    return parts


@cache
def census_population() -> dict[str, int]:
    """LSOA21CD -> Census 2021 usual residents (the Nomis export ends with footer lines)."""
    with open(CENSUS, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        assert next(reader)[1] == "LSOA21CD"
        return {row[1]: int(row[2]) for row in reader if len(row) == 3 and row[2].isdigit()}


def split_part(lsoa11: str, parts: list[tuple[str, str]]) -> str:
    """The 2021 LSOA that a split 2011 LSOA's records are given to.

    Rule (docs/warehouse.md, saferstat/analytics/reference.py): the part with the largest
    Census 2021 population; on a tie, the lowest code.
    """
    return min((code for code, _ in parts), key=lambda code: (-census_population()[code], code))


def place(lsoa: str, vintage: int) -> tuple[str, str, str, str] | None:
    """-> (LSOA21, ward code, ward name, LAD code), or None outside the lookups."""
    if vintage == 2011:
        parts = lsoa11_parts().get(lsoa)
        if not parts:
            return None
        lsoa21 = parts[0][0] if len(parts) == 1 else split_part(lsoa, parts)
        lad = dict(parts)[lsoa21] if lsoa21 in dict(parts) else parts[0][1]
    else:
        lsoa21 = lsoa
    ward = ward_of_lsoa21().get(lsoa21)
    if ward is None:
        return None
    if vintage == 2021:
        lad = ward[2]
    return lsoa21, ward[0], ward[1], lad


@cache
def same_authority() -> dict[str, frozenset[str]]:
    active: dict[str, str] = {r["LADCD"]: r["LADCD_ACTIVE"] for r in _read_csv(LA_CODES)}
    groups: dict[str, set[str]] = defaultdict(set)
    for code, act in active.items():
        groups[act].add(code)
    return {code: frozenset(groups[act]) for code, act in active.items()}


def file_of(month: str) -> Path:
    return POLICE / f"{month}-south-yorkshire-street.csv.gz"


@cache
def raw_month(month: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """Every row of one month's file as (crime type, ward code, ward name, LAD code)."""
    vintage = 2011 if month < "2022-01" else 2021
    rows = []
    with gzip.open(file_of(month), "rb") as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8-sig", newline="")
        for r in csv.DictReader(text):
            assert r["Month"] == month
            lsoa = r["LSOA code"].strip()
            where = place(lsoa, vintage) if lsoa else None
            if where is None:
                rows.append((r["Crime type"], None, None, None))
            else:
                rows.append((r["Crime type"], where[1], where[2], where[3]))
    return tuple(rows)


def recount(codes: list[str], period: Period, by: str) -> tuple[dict[str, int], list[str]]:
    """Independent counts and missing months for an authority and period."""
    lads = frozenset().union(*(same_authority().get(c, frozenset({c})) for c in codes))
    result: Counter[str] = Counter()
    missing = []
    for month in period.months:
        if not file_of(month).exists():
            missing.append(month)
            continue
        if by == "month":
            result[month] += 0
        for crime_type, _ward_code, ward_name, lad in raw_month(month):
            if lad in lads:
                key = {"crime_type": crime_type, "ward": ward_name, "month": month}[by]
                result[key] += 1
    return dict(sorted(result.items())), missing


def recount_unknown(period: Period) -> int:
    return sum(
        1
        for month in period.months
        if file_of(month).exists()
        for _, _, _, lad in raw_month(month)
        if lad is None
    )


# --- the comparison --------------------------------------------------------------------


@pytest.fixture(scope="module")
def con(demo_warehouse_con):
    return demo_warehouse_con


CASES = [
    (codes, period, by)
    for codes in ([ROTHERHAM], [SHEFFIELD_OLD], [SHEFFIELD_NEW])
    for period in ("2019/20", "2024/25")
    for by in ("crime_type", "ward", "month")
] + [
    ([ROTHERHAM], "2024/25-Q3", "crime_type"),
    ([ROTHERHAM], "2019/20-Q2", "ward"),  # July-September 2019: July missing
    ([ROTHERHAM], "2024-05", "ward"),
    ([SHEFFIELD_NEW], "2020-02", "crime_type"),
    ([BARNSLEY_NEW], "2019/20", "ward"),
    (["E08000016"], "2024/25-Q1", "crime_type"),
    ([DONCASTER], "2024/25", "ward"),
    ([DONCASTER], "R12-2021-09", "crime_type"),
    ([ROTHERHAM, DONCASTER], "2018/19", "crime_type"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("codes", "period_text", "by"), CASES)
def test_counts_equal_independent_recount(con, codes, period_text, by):
    period = parse_period(period_text)
    expected, missing = recount(codes, period, by)
    result = counts(con, area_codes=codes, period=period, by=by)
    assert result.rows == list(expected.items())
    assert result.missing_months == missing
    assert result.months_loaded == [m for m in period.months if m not in missing]
    assert sum(expected.values()) > 0


@pytest.mark.slow
def test_2019_20_reports_july_2019_missing(con):
    result = counts(con, area_codes=[ROTHERHAM], period=parse_period("2019/20"), by="month")
    assert result.missing_months == ["2019-07"]
    assert "2019-07" not in dict(result.rows)
    assert len(result.rows) == 11
    assert not result.is_complete


@pytest.mark.slow
def test_2024_25_is_complete(con):
    result = counts(con, area_codes=[ROTHERHAM], period=parse_period("2024/25"), by="crime_type")
    assert result.missing_months == [] and result.is_complete
    assert len(result.months_loaded) == 12


@pytest.mark.slow
def test_old_and_new_sheffield_codes_agree(con):
    period = parse_period("2024/25")
    old = counts(con, area_codes=[SHEFFIELD_OLD], period=period, by="ward")
    new = counts(con, area_codes=[SHEFFIELD_NEW], period=period, by="ward")
    assert old.rows == new.rows and old.total > 0


@pytest.mark.slow
@pytest.mark.parametrize("period_text", ["2019/20", "2024/25"])
def test_unknown_location_equals_recount(con, period_text):
    period = parse_period(period_text)
    assert unknown_location_count(con, force_slug=FORCE, period=period) == recount_unknown(period)


@pytest.mark.slow
def test_every_row_is_in_an_authority_or_unknown(con):
    # Nothing silently dropped: over a year, the four authorities + other authorities +
    # unknown location add up to the rows in the files.
    period = parse_period("2024/25")
    rows_in_files = sum(len(raw_month(m)) for m in period.months)
    by_lad = Counter(lad for m in period.months for *_, lad in raw_month(m))
    assert sum(by_lad.values()) == rows_in_files
    in_sy = sum(
        counts(con, area_codes=[code], period=period, by="month").total
        for code in (ROTHERHAM, SHEFFIELD_NEW, BARNSLEY_NEW, DONCASTER)
    )
    sy_lads = {
        ROTHERHAM,
        DONCASTER,
        *same_authority()[SHEFFIELD_NEW],
        *same_authority()[BARNSLEY_NEW],
    }
    assert in_sy == sum(n for lad, n in by_lad.items() if lad in sy_lads)
    assert by_lad[None] == unknown_location_count(con, force_slug=FORCE, period=period)


def test_recount_reads_the_lookups_as_documented():
    # Guards on the recount itself (no warehouse needed): the README's figures.
    assert sum(1 for v in lsoa11_parts().values() if len(v) > 1) > 0
    rotherham21 = [k for k, v in ward_of_lsoa21().items() if v[2] == ROTHERHAM]
    assert len(rotherham21) == 170
    assert len({ward_of_lsoa21()[k][0] for k in rotherham21}) == 25
    assert same_authority()[SHEFFIELD_NEW] == {SHEFFIELD_OLD, SHEFFIELD_NEW}
    assert same_authority()[ROTHERHAM] == {ROTHERHAM}
    assert not file_of("2019-07").exists() and file_of("2019-08").exists()
    assert (
        sum(census_population()[k] for k, v in ward_of_lsoa21().items() if v[2] == ROTHERHAM)
        == 265_791
    )
    # A split across two Rotherham wards: E01007693 -> E01034246 (Wath) or E01034247 (Hoober).
    parts = lsoa11_parts()["E01007693"]
    chosen = split_part("E01007693", parts)
    assert chosen in {"E01034246", "E01034247"}
    assert census_population()[chosen] == max(census_population()[c] for c, _ in parts)


# --- the CLI prints the same counts ----------------------------------------------------


def _cli_counts(warehouse: Path, *args: str):
    from click.testing import CliRunner

    from saferstat.cli import main

    runner = CliRunner()  # click >= 8.2 keeps stderr apart from stdout
    return runner.invoke(main, ["counts", "--warehouse", str(warehouse), "--format", "csv", *args])


@pytest.fixture(scope="module")
def warehouse_dir(demo_warehouse) -> Path:
    return demo_warehouse


@pytest.mark.slow
def test_cli_counts_csv_with_a_gap(warehouse_dir):
    period = parse_period("2019/20")
    result = _cli_counts(warehouse_dir, "--area", ROTHERHAM, "--period", "2019/20", "--by", "ward")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "ward,count"
    rows = [(key, int(n)) for key, n in csv.reader(lines[1:])]
    expected, _ = recount([ROTHERHAM], period, "ward")
    assert rows == list(expected.items())  # sorted by key, nothing else on stdout
    assert len(lines) == 1 + 25
    assert "warning" in result.stderr and "2019-07" in result.stderr
    assert "2019-07" not in result.stdout


@pytest.mark.slow
def test_cli_counts_csv_complete_period_old_sheffield_code(warehouse_dir):
    period = parse_period("2024/25-Q2")
    result = _cli_counts(
        warehouse_dir, "--area", SHEFFIELD_OLD, "--period", "2024/25-Q2", "--by", "crime_type"
    )
    assert result.exit_code == 0, result.stderr
    expected, _ = recount([SHEFFIELD_NEW], period, "crime_type")
    assert result.stdout == "crime_type,count\n" + "".join(
        f"{key},{n}\n" for key, n in expected.items()
    )
    assert result.stderr == ""


@pytest.mark.slow
def test_cli_counts_by_month_as_a_separate_process(warehouse_dir):
    # The installed console script, with real stdout/stderr pipes.
    import subprocess
    import sys

    script = Path(sys.executable).with_name("saferstat")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "saferstat.cli"]
    done = subprocess.run(
        [*command, "counts", "--warehouse", str(warehouse_dir), "--format", "csv",
         "--area", ROTHERHAM, "--period", "2019/20-Q2", "--by", "month"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected, missing = recount([ROTHERHAM], parse_period("2019/20-Q2"), "month")
    assert missing == ["2019-07"]
    assert done.stdout == "month,count\n" + "".join(f"{k},{n}\n" for k, n in expected.items())
    assert "2019-07" in done.stderr and "warning" in done.stderr


def test_cli_refuses_a_bad_period(warehouse_dir):
    result = _cli_counts(warehouse_dir, "--area", ROTHERHAM, "--period", "2024/26")
    assert result.exit_code == 2
    assert "second year must follow the first" in result.stderr
    assert result.stdout == ""
