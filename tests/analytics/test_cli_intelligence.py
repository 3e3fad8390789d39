"""``saferstat spc``, ``saferstat compare`` and ``saferstat hotspots`` (CliRunner), checked
against the raw recount in tests/analytics/independent.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from saferstat.cli import main
from tests.analytics.independent import (
    BARNSLEY,
    DONCASTER,
    ROTHERHAM,
    SHEFFIELD,
    WEAPONS,
    byar,
    count,
    count_by,
    months_between,
    population,
    ward_population,
)


@pytest.fixture(scope="module")
def warehouse(demo_warehouse):
    return str(demo_warehouse)


def run(warehouse: str, *args: str):
    return CliRunner().invoke(main, [*args, "--warehouse", warehouse], catch_exceptions=False)


def table(stdout: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(stdout)))


def test_compare_csv_is_only_the_table_and_equals_the_recount(warehouse):
    done = run(
        warehouse, "compare", "--area", ROTHERHAM, "--period", "2024/25",
        "--crime-type", WEAPONS, "--format", "csv",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stderr == ""
    rows = table(done.stdout)
    assert list(rows[0]) == [
        "code", "name", "count", "population", "rate_per_1000", "lower", "upper", "method",
        "significance", "funnel", "is_focus",
    ]  # fmt: skip
    months = months_between("2024-04", "2025-03")
    assert {r["code"] for r in rows} == {ROTHERHAM, BARNSLEY, DONCASTER, SHEFFIELD}
    for row in rows:
        n, pop = count([row["code"]], months, {WEAPONS}), population([row["code"]])
        assert (int(row["count"]), int(row["population"])) == (n, pop)
        assert float(row["rate_per_1000"]) == pytest.approx(n / pop * 1000, abs=1e-6)
        assert float(row["lower"]) == pytest.approx(byar(n)[0] / pop * 1000, abs=1e-6)
    assert [r["name"] for r in rows if r["is_focus"] == "True"] == ["Rotherham"]


def test_compare_json_with_chosen_comparators(warehouse):
    done = run(
        warehouse, "compare", "--area", ROTHERHAM, "--period", "2024/25", "--with", BARNSLEY,
        "--crime-type", WEAPONS, "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    months = months_between("2024-04", "2025-03")
    n = count([ROTHERHAM], months, {WEAPONS}) + count([BARNSLEY], months, {WEAPONS})
    assert data["group_count"] == n
    assert data["group_rate_per_1000"] == pytest.approx(n / (265_791 + 244_568) * 1000)
    assert sorted(r["name"] for r in data["rows"]) == ["Barnsley", "Rotherham"]


def test_hotspots_csv_wards_with_a_gap_warning(warehouse):
    done = run(
        warehouse, "hotspots", "--area", ROTHERHAM, "--period", "2019/20", "--rank", "count",
        "--format", "csv",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "warning" in done.stderr and "2019-07" in done.stderr
    rows = table(done.stdout)
    recount = count_by([ROTHERHAM], months_between("2019-04", "2020-03"), 3)
    assert len(rows) == 25
    for row in rows:
        assert int(row["count"]) == recount[row["code"]]
        assert int(row["population"]) == ward_population(row["code"])
    counts = [int(r["count"]) for r in rows]
    assert counts == sorted(counts, reverse=True) and rows[0]["rank"] == "1"


def test_hotspots_table_shows_harm_and_its_source(warehouse):
    done = run(
        warehouse, "hotspots", "--area", ROTHERHAM, "--period", "2024/25-Q1", "--level", "lsoa",
        "--rank", "harm",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "harm estimate" in done.stdout and "range" in done.stdout
    assert "Anti-social behaviour is not a crime" in done.stdout


def test_spc_csv_splits_at_the_gap(warehouse):
    done = run(
        warehouse, "spc", "--area", ROTHERHAM, "--from", "2019-01", "--to", "2019-12",
        "--crime-type", WEAPONS, "--format", "csv",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    rows = table(done.stdout)
    assert [r["month"] for r in rows] == months_between("2019-01", "2019-12")
    july = rows[6]
    assert july["month"] == "2019-07" and july["count"] == "" and july["point_type"] == "no data"
    for row in rows:
        if row["month"] != "2019-07":
            assert int(row["count"]) == count([ROTHERHAM], [row["month"]], {WEAPONS})
    assert {r["segment"] for r in rows} == {"1", "2", ""}
    assert "split" in done.stderr and "fewer than 12" in done.stderr


def test_spc_refuses_a_gap_and_bad_input(warehouse):
    done = run(
        warehouse, "spc", "--area", ROTHERHAM, "--from", "2019-01", "--to", "2019-12",
        "--gaps", "refuse",
    )  # fmt: skip
    assert done.exit_code == 1 and "2019-07" in done.stderr and done.stdout == ""
    done = run(warehouse, "spc", "--area", ROTHERHAM, "--from", "2019-13", "--to", "2019-12")
    assert done.exit_code == 2 and "--from" in done.stderr
    done = run(
        warehouse, "compare", "--area", ROTHERHAM, "--period", "2024/25", "--crime-type", "Knives"
    )
    assert done.exit_code == 2 and "Unknown crime type(s): Knives" in done.stderr
    done = run(warehouse, "hotspots", "--area", "E99999999", "--period", "2024/25")
    assert done.exit_code == 2 and "unknown local authority" in done.stderr


def test_spc_table_gives_the_verdict(warehouse):
    done = run(
        warehouse, "spc", "--area", ROTHERHAM, "--from", "2024-01", "--to", "2025-09",
        "--target", "2000",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "Latest segment 2024-01 to 2025-09: variation" in done.stdout
    assert "assurance" in done.stdout
