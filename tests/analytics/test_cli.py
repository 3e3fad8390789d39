"""The ``saferstat`` command (saferstat.cli), run through click's CliRunner."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferstat.analytics.warehouse import read_manifest
from saferstat.cli import expand_paths, main

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo_data" / "police-uk"
ONS = REPO / "demo_data" / "ons"
SAMPLE = REPO / "tests" / "fixtures" / "policeuk" / "2024-12-south-yorkshire-street.csv"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def raw_counts(month: str, name_prefix: str) -> Counter:
    """Crime types of one demo month in LSOAs whose name starts with ``name_prefix``."""
    path = DEMO / f"{month}-south-yorkshire-street.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return Counter(
            row["Crime type"]
            for row in csv.DictReader(handle)
            if row["LSOA name"].startswith(name_prefix)
        )


# --- load, reference, months -----------------------------------------------------------


@pytest.mark.django_db  # `load` records each month in the audit log
def test_reference_then_load_a_folder_then_months(tmp_path):
    root = tmp_path / "wh"
    done = run("reference", ONS, "--warehouse", root)
    assert done.exit_code == 0, done.output
    assert "lsoa_lookup: 70,425 rows" in done.stdout
    folder = tmp_path / "download" / "2024-12"
    folder.mkdir(parents=True)
    for month in ("2024-11", "2024-12"):
        name = f"{month}-south-yorkshire-street.csv.gz"
        (folder / name).write_bytes((DEMO / name).read_bytes())
    (folder / "2024-12-south-yorkshire-outcomes.csv").write_text("ignored")
    done = run("load", tmp_path / "download", "--warehouse", root)
    assert done.exit_code == 0, done.output
    assert "Loaded 2 of 2 files, 28,105 rows" in done.stdout
    assert "0 refused" in done.stdout
    assert sorted(e["month"] for e in read_manifest(root)["partitions"].values()) == [
        "2024-11",
        "2024-12",
    ]
    done = run("load", DEMO / "2024-09-south-yorkshire-street.csv.gz", "--warehouse", root)
    assert done.exit_code == 0
    done = run("months", "--warehouse", root)
    assert done.exit_code == 0
    assert "south-yorkshire" in done.stdout and "2024-10" in done.stdout
    done = run("months", "--format", "json", "--warehouse", root)
    (force,) = json.loads(done.stdout)
    assert force["months"] == ["2024-09", "2024-11", "2024-12"]
    assert force["missing"] == ["2024-10"]
    done = run("months", "--format", "csv", "--warehouse", root)
    assert done.stdout.splitlines() == [
        "force,month,status",
        "south-yorkshire,2024-09,loaded",
        "south-yorkshire,2024-10,missing",
        "south-yorkshire,2024-11,loaded",
        "south-yorkshire,2024-12,loaded",
    ]


@pytest.mark.django_db  # `load` records each month in the audit log
def test_load_with_a_glob_and_loading_again_replaces(tmp_path):
    root = tmp_path / "wh"
    pattern = str(DEMO / "2025-0[12]-*-street.csv.gz")
    assert run("load", pattern, "--warehouse", root).exit_code == 0
    done = run("load", pattern, "--warehouse", root, "--workers", "1")
    assert done.exit_code == 0
    assert "2 replaced an earlier load" in done.stdout
    assert len(read_manifest(root)["partitions"]) == 2


@pytest.mark.django_db  # `load` records each month in the audit log
def test_a_refused_file_is_printed_with_its_errors_and_exits_1(tmp_path):
    root = tmp_path / "wh"
    bad = tmp_path / "2024-12-south-yorkshire-street.csv"
    lines = SAMPLE.read_text().splitlines()
    lines[4] = lines[4].replace("Violence and sexual offences", "Violent crime")
    bad.write_text("\n".join(lines) + "\n")
    done = run("load", bad, DEMO / "2024-11-south-yorkshire-street.csv.gz", "--warehouse", root)
    assert done.exit_code == 1
    assert (
        "2024-12-south-yorkshire-street.csv:5: Crime type: 'Violent crime' is not one of the 14"
        in done.stderr
    )
    assert "Loaded 1 of 2 files" in done.stdout and "1 refused" in done.stdout
    assert [e["month"] for e in read_manifest(root)["partitions"].values()] == ["2024-11"]


def test_a_path_that_matches_nothing_exits_2(tmp_path):
    done = run("load", tmp_path / "nowhere" / "*.csv", "--warehouse", tmp_path / "wh")
    assert done.exit_code == 2
    assert "no police.uk street files there" in done.stderr
    assert not (tmp_path / "wh").exists()


def test_expand_paths(tmp_path):
    (tmp_path / "a").mkdir()
    one = tmp_path / "a" / "2024-01-x-street.csv"
    two = tmp_path / "a" / "2024-02-x-street.csv.gz"
    one.write_text("")
    two.write_text("")
    (tmp_path / "a" / "2024-01-x-outcomes.csv").write_text("")
    files, unmatched = expand_paths([str(tmp_path / "a"), str(one), str(tmp_path / "zz*")])
    assert files == [one, two] and unmatched == [str(tmp_path / "zz*")]


@pytest.mark.django_db  # `load` records each month in the audit log
def test_the_warehouse_comes_from_the_environment(tmp_path):
    root = tmp_path / "from-env"
    done = run("load", SAMPLE, env={"SAFERSTAT_WAREHOUSE": str(root)})
    assert done.exit_code == 0, done.output
    assert (root / "manifest.json").exists()


def test_reference_refuses_an_incomplete_folder(tmp_path):
    folder = tmp_path / "ons"
    folder.mkdir()
    (folder / "la_all_codes.csv").write_bytes((ONS / "la_all_codes.csv").read_bytes())
    done = run("reference", folder, "--warehouse", tmp_path / "wh")
    assert done.exit_code == 1
    assert "no file with columns" in done.stderr


# --- counts ----------------------------------------------------------------------------


def test_counts_csv_is_exactly_header_and_sorted_rows(small_warehouse):
    done = run(
        "counts",
        "--area",
        "E08000018",
        "--period",
        "2024-12",
        "--by",
        "crime_type",
        "--format",
        "csv",
        "--warehouse",
        small_warehouse,
    )
    assert done.exit_code == 0, done.output
    expected = raw_counts("2024-12", "Rotherham ")
    lines = done.stdout.splitlines()
    assert lines[0] == "crime_type,count"
    assert lines[1:] == [f"{k},{v}" for k, v in sorted(expected.items())]
    assert done.stdout.endswith("\n") and done.stderr == ""


def test_counts_with_missing_months_warn_on_stderr_and_still_answer(small_warehouse):
    done = run(
        "counts",
        "--area",
        "E08000018",
        "--period",
        "2019/20",
        "--by",
        "month",
        "--format",
        "csv",
        "--warehouse",
        small_warehouse,
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == "month,count"
    months = [line.split(",")[0] for line in done.stdout.splitlines()[1:]]
    assert months == ["2019-06", "2019-08"]
    rotherham_june = sum(raw_counts("2019-06", "Rotherham ").values())
    assert done.stdout.splitlines()[1] == f"2019-06,{rotherham_june}"
    assert "warning: 2019/20 is incomplete" in done.stderr
    assert "2019-04 to 2019-05, 2019-07, 2019-09 to 2020-03" in done.stderr
    assert "(10 of 12 months)" in done.stderr


def test_counts_by_ward_with_the_new_barnsley_code(small_warehouse):
    old = run(
        "counts",
        "--area",
        "E08000016",
        "--period",
        "2024-12",
        "--by",
        "ward",
        "--format",
        "csv",
        "--warehouse",
        small_warehouse,
    )
    new = run(
        "counts",
        "--area",
        "E08000038",
        "--period",
        "2024-12",
        "--by",
        "ward",
        "--format",
        "csv",
        "--warehouse",
        small_warehouse,
    )
    assert old.exit_code == new.exit_code == 0
    assert old.stdout == new.stdout
    assert old.stdout.splitlines()[0] == "ward,count"
    total = sum(int(line.rsplit(",", 1)[1]) for line in new.stdout.splitlines()[1:])
    assert total == sum(raw_counts("2024-12", "Barnsley ").values())


def test_counts_json_and_table(small_warehouse):
    done = run(
        "counts",
        "--area",
        "E08000018",
        "--period",
        "2024-12",
        "--format",
        "json",
        "--warehouse",
        small_warehouse,
    )
    data = json.loads(done.stdout)
    assert data["period"] == "2024-12" and data["area_codes"] == ["E08000018"]
    assert data["total"] == sum(raw_counts("2024-12", "Rotherham ").values())
    assert data["missing_months"] == []
    done = run(
        "counts", "--area", "E08000018", "--period", "2024-12", "--warehouse", small_warehouse
    )
    assert done.exit_code == 0 and "Violence and sexual offences" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "E08000099", "--period", "2024/25"], "unknown local authority code"),
        (["--area", "E08000018", "--period", "2024-13"], "--period"),
        (["--area", "E08000018", "--period", "2024/25", "--by", "lsoa"], "--by"),
    ],
)
def test_counts_refuses_bad_arguments(small_warehouse, args, message):
    done = run("counts", *args, "--warehouse", small_warehouse)
    assert done.exit_code == 2
    assert message in done.stderr and done.stdout == ""


# --- help and packaging ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["reference", "load", "months", "counts"])
def test_every_command_has_help_with_an_example_and_the_warehouse_option(command):
    done = run(command, "--help")
    assert done.exit_code == 0
    assert "Example" in done.stdout and f"saferstat {command}" in done.stdout
    assert "--warehouse" in done.stdout and "SAFERSTAT_WAREHOUSE" in done.stdout


def test_every_command_is_documented():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in main.commands:
        assert f"saferstat {command}" in text, command


def test_the_entry_point():
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "saferstat"]
    assert script.value == "saferstat.cli:main"


def test_analytics_and_cli_never_import_django():
    code = (
        "import pkgutil, importlib, sys\n"
        "import saferstat.analytics as a\n"
        "for m in pkgutil.iter_modules(a.__path__):\n"
        "    importlib.import_module('saferstat.analytics.' + m.name)\n"
        "import saferstat.cli\n"
        "bad = sorted(n for n in sys.modules if n == 'django' or n.startswith('django.'))\n"
        "print(len([n for n in sys.modules if n.startswith('saferstat.analytics.')]))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.strip()) >= 5


def test_a_broken_manifest_is_one_clear_error(tmp_path):
    root = tmp_path / "wh"
    root.mkdir()
    (root / "manifest.json").write_text("{")
    done = CliRunner().invoke(main, ["months", "--warehouse", str(root)])
    assert done.exit_code == 1
    assert "not a valid manifest" in done.stderr and "Traceback" not in done.output
