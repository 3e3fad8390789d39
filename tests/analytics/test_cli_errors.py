"""CLI errors blame the right thing (issue 12): a missing warehouse is named as such, and
`saferstat backup` refuses a destination that does not exist."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from saferstat.cli import main


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


COUNTS = ("counts", "--area", "E08000018", "--period", "2024/25")


@pytest.mark.parametrize("where", ["group", "command", "env"])
def test_a_missing_warehouse_is_named_not_the_area_code(tmp_path, where):
    missing = tmp_path / "nonexistent"
    if where == "group":
        done = run("--warehouse", missing, *COUNTS)
    elif where == "command":
        done = run(*COUNTS, "--warehouse", missing)
    else:
        done = run(*COUNTS, env={"SAFERSTAT_WAREHOUSE": str(missing)})
    assert done.exit_code == 2
    assert f"no warehouse at {missing}: the folder does not exist" in done.stderr
    assert "--area" not in done.stderr and "local authority code" not in done.stderr


def test_an_empty_folder_is_not_a_warehouse(tmp_path):
    done = run("months", "--warehouse", tmp_path)
    assert done.exit_code == 2 and "is not a SaferStat warehouse" in done.stderr


def test_the_group_warehouse_option_reaches_the_command(small_warehouse):
    done = run("--warehouse", small_warehouse, "months")
    assert done.exit_code == 0, done.output
    assert "south-yorkshire" in done.output.lower() or "South Yorkshire" in done.output


def test_reference_still_makes_a_new_warehouse_folder(tmp_path):
    # Only the reading commands insist on an existing warehouse.
    done = run("reference", tmp_path / "no-such-ons", "--warehouse", tmp_path / "new")
    assert "no warehouse at" not in done.stderr


def test_backup_refuses_a_destination_that_does_not_exist(tmp_path):
    dest = tmp_path / "nonexistent" / "dir"
    done = run("backup", "--dest", dest)
    assert done.exit_code == 2
    assert "does not exist" in done.stderr
    assert not dest.exists() and not dest.parent.exists()
