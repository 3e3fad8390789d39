"""`saferstat load` is the operator's audited path: every month it loads is recorded, as the
command line and the OS user, in each partnership of the force; a large change of a month's
total needs --confirm-change with a reason."""

from __future__ import annotations

import getpass
import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferstat.analytics.warehouse import Warehouse
from saferstat.cli import EXIT_NEEDS_CONFIRMATION, main
from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import ImportRun, ImportStatus

DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "police-uk"
NAME = "2024-05-south-yorkshire-street.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def cut(tmp_path: Path, keep: int) -> Path:
    """2024-05 with only its first ``keep`` data rows."""
    with gzip.open(DEMO / f"{NAME}.gz", "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    folder = tmp_path / "cut"
    folder.mkdir()
    (folder / NAME).write_text("".join(lines[: keep + 1]), encoding="utf-8")
    return folder / NAME


@pytest.mark.django_db
def test_cli_load_is_audited_in_every_partnership_and_large_changes_need_a_reason(
    tmp_path, make_partnership
):
    partnerships = [
        make_partnership(slug="rotherham"),
        make_partnership(slug="doncaster", code="E08000017", area="Doncaster"),
    ]
    root = tmp_path / "wh"
    label = f"command line (OS user {getpass.getuser()})"

    # A first load needs no confirmation, and is recorded as the command line.
    done = run("load", DEMO / f"{NAME}.gz", "--warehouse", root)
    assert done.exit_code == 0, done.output
    first = ImportRun.objects.get()
    assert (first.status, first.rows_before, first.rows_loaded) == (
        ImportStatus.SUCCEEDED,
        None,
        15_887,
    )
    assert first.actor_label == label and first.uploaded_by is None
    events = AuditEvent.objects.filter(verb="import.load", object_id=str(first.pk))
    assert sorted(e.partnership.slug for e in events) == ["doncaster", "rotherham"]
    for event in events:
        assert event.actor is None and event.actor_label == label
        assert event.after["month_rows_before"] is None
        assert event.after["month_rows_after"] == 15_887

    # Replacing it with a file of 1,000 rows (-93.7%) is refused without a reason: exit 3.
    small = cut(tmp_path, 1_000)
    done = run("load", small, "--warehouse", root)
    assert done.exit_code == EXIT_NEEDS_CONFIRMATION
    assert "would change South Yorkshire Police's 2024-05 total from 15,887 to 1,000" in done.stderr
    assert "--confirm-change" in done.stderr
    assert Warehouse(root).month_rows("south-yorkshire", "2024-05") == 15_887
    assert ImportRun.objects.count() == 1

    # With a reason it loads, and the reason is in every partnership's audit log.
    done = run("load", small, "--warehouse", root, "--confirm-change", "Test cut of the month")
    assert done.exit_code == 0, done.output
    assert Warehouse(root).month_rows("south-yorkshire", "2024-05") == 1_000
    second = ImportRun.objects.exclude(pk=first.pk).get()
    assert (second.rows_before, second.rows_loaded) == (15_887, 1_000)
    assert second.change_reason == "Test cut of the month"
    for partnership in partnerships:
        event = AuditEvent.objects.get(
            partnership=partnership, verb="import.load", object_id=str(second.pk)
        )
        assert event.after["change_reason"] == "Test cut of the month"
        assert (event.after["month_rows_before"], event.after["month_rows_after"]) == (
            15_887,
            1_000,
        )
        assert second in ImportRun.objects.filter(force_slug=partnership.force_slug)


@pytest.mark.django_db
def test_cli_small_change_needs_no_reason(tmp_path, make_partnership):
    make_partnership()
    root = tmp_path / "wh"
    assert run("load", DEMO / f"{NAME}.gz", "--warehouse", root).exit_code == 0
    nearly = cut(tmp_path, 15_000)  # -5.6%
    done = run("load", nearly, "--warehouse", root)
    assert done.exit_code == 0, done.output
    assert Warehouse(root).month_rows("south-yorkshire", "2024-05") == 15_000


@pytest.mark.django_db
def test_the_share_is_a_setting(tmp_path, make_partnership, settings):
    settings.SAFERSTAT_REPLACE_CONFIRM_SHARE = 0.01
    make_partnership()
    root = tmp_path / "wh"
    shutil.copy(DEMO / f"{NAME}.gz", tmp_path / f"{NAME}.gz")
    assert run("load", tmp_path / f"{NAME}.gz", "--warehouse", root).exit_code == 0
    done = run("load", cut(tmp_path, 15_000), "--warehouse", root)
    assert done.exit_code == EXIT_NEEDS_CONFIRMATION
    assert "more than 1%" in done.stderr
