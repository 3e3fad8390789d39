"""Upgrades (docs/upgrade.md): the migrations run forward from the previous release's schema
with its demo data in it, keeping every row, and no migration rewrites or locks a large table
while the site is up without saying so (saferstat/core/migration_safety.py).

The previous release is commit 0ae89eb. Its database, after `migrate` and every demo loader
(`make demo` without the web server), is tests/fixtures/upgrade/0ae89eb-demo.sqlite3.xz; the
script that made it is scripts/make_upgrade_fixture.sh. At each release, make a new one from
the release just made and point PREVIOUS_RELEASE at it.
"""

from __future__ import annotations

import json
import lzma
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from saferstat.core.migration_safety import LARGE_TABLES, declaration, risky_operations

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = ROOT / "tests" / "fixtures" / "upgrade" / "0ae89eb-demo.sqlite3.xz"
#: Tables whose rows a new release adds to: the migration record, and Django's rows for new
#: models (content types, permissions).
GROWS_WITH_CODE = {"django_migrations", "django_content_type", "auth_permission"}


def our_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        migration
        for migration in loader.disk_migrations.values()
        if migration.__module__.startswith("saferstat.")
    ]


def test_every_large_table_is_a_model():
    for label in LARGE_TABLES:
        assert apps.get_model(label) is not None, label


def test_no_migration_rewrites_a_large_table_without_saying_so():
    found = our_migrations()
    assert len(found) >= 15
    undeclared = [
        f"{m.app_label}.{m.name}: {'; '.join(risky_operations(m))}"
        for m in found
        if risky_operations(m) and declaration(m) is None
    ]
    assert not undeclared, (
        "these migrations may rewrite or lock a large table while the site is up: give each "
        "a saferstat_online or saferstat_downtime text (saferstat/core/migration_safety.py)\n"
        + "\n".join(undeclared)
    )
    declared = [m for m in found if declaration(m)]
    assert {f"{m.app_label}.{m.name}" for m in declared} >= {
        "core.0004_two_factor_django_otp",
        "core.0005_force_administrator",
    }


def _migration(*operations, app="core"):
    migration = migrations.Migration("0999_example", app)
    migration.operations = list(operations)
    return migration


@pytest.mark.parametrize(
    ("operation", "flagged"),
    [
        (migrations.AlterField("auditevent", "verb", models.CharField(max_length=80)), True),
        (migrations.AddField("auditevent", "note", models.TextField(default="")), True),
        (migrations.AddField("auditevent", "note", models.TextField()), True),  # NOT NULL
        (migrations.AddField("auditevent", "note", models.TextField(null=True)), False),
        (migrations.RemoveField("auditevent", "after"), True),
        (
            migrations.AddIndex("auditevent", models.Index(fields=["verb"], name="verb_idx")),
            True,
        ),
        (migrations.AlterField("partnership", "name", models.CharField(max_length=300)), False),
        (migrations.AddField("partnership", "x", models.TextField(default="")), False),
        (migrations.CreateModel("Example", [("id", models.AutoField(primary_key=True))]), False),
        (migrations.RunPython(migrations.RunPython.noop), True),
        (migrations.RunSQL("SELECT 1"), True),
    ],
)
def test_what_the_check_flags(operation, flagged):
    """Each kind of operation, on a large table (the audit log) and a small one."""
    migration = _migration(operation)
    assert bool(risky_operations(migration)) is flagged
    migration.saferstat_downtime = "Rewrites the audit log: about a minute per million rows."
    assert declaration(migration) == ("downtime", migration.saferstat_downtime)


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


#: Run in the upgraded install: the plan, `migrate`, then every model read back through the
#: current code's ORM (a column the code expects but the database lacks fails here).
UPGRADE = """
import json, django
from io import StringIO
django.setup()
from django.apps import apps
from django.core.management import call_command
plan = StringIO()
call_command("upgrade_plan", stdout=plan)
call_command("migrate", "--no-input", verbosity=0)
call_command("migrate", "--check", verbosity=0)  # exits non-zero if anything is left
read = {}
for model in apps.get_models():
    rows = list(model._base_manager.all()[:200])
    for row in rows:
        str(row)
    read[model._meta.label] = len(rows)
print(json.dumps({"plan": plan.getvalue(), "read": read}))
"""


def test_upgrade_from_the_previous_release_keeps_every_row(tmp_path):
    database = tmp_path / "saferstat.sqlite3"
    with lzma.open(PREVIOUS_RELEASE) as packed, database.open("wb") as out:
        shutil.copyfileobj(packed, out)
    before = _counts(database)
    applied = {(a, n) for a, n in _rows(database, "SELECT app, name FROM django_migrations")}
    on_disk = {(m.app_label, m.name) for m in MigrationLoader(None).disk_migrations.values()}
    assert applied <= on_disk, f"released migrations gone or renamed: {applied - on_disk}"
    pending = on_disk - applied
    people = _rows(database, "SELECT username FROM core_user ORDER BY username")
    partnerships = _rows(database, "SELECT slug, name FROM core_partnership ORDER BY slug")
    applicants = _rows(database, "SELECT id, applicant_name FROM casereviews_application")
    assert before["core_auditevent"] > 100 and applicants and len(people) > 5  # data to keep

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SAFERSTAT_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SAFERSTAT_SKIP_DOTENV="1",
        SECRET_KEY="upgrade-test-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{database}",
        SAFERSTAT_WAREHOUSE=str(tmp_path / "warehouse"),
        SAFERSTAT_MEDIA_DIR=str(tmp_path / "media"),
        LOG_LEVEL="WARNING",
    )
    ran = subprocess.run(
        [sys.executable, "-c", UPGRADE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.strip().splitlines()[-1])

    after = _counts(database)
    lost = {t: (n, after.get(t)) for t, n in before.items() if t not in GROWS_WITH_CODE}
    lost = {t: counts for t, counts in lost.items() if counts[0] != counts[1]}
    assert not lost, f"tables whose rows changed in the upgrade (before, after): {lost}"
    assert after["django_migrations"] == before["django_migrations"] + len(pending)
    assert _rows(database, "SELECT username FROM core_user ORDER BY username") == people
    assert _rows(database, "SELECT slug, name FROM core_partnership ORDER BY slug") == partnerships
    assert _rows(database, "SELECT id, applicant_name FROM casereviews_application") == applicants
    # The current code reads every model of the upgraded database.
    assert result["read"]["core.AuditEvent"] == min(before["core_auditevent"], 200)
    assert result["read"]["core.Partnership"] == len(partnerships)
    for app, name in pending:
        assert f"{app}.{name}" in result["plan"]
    assert (
        "Safe to migrate while the site is up" in result["plan"]
        or "STOP THE SITE" in (result["plan"])
    )


def test_changes_to_a_table_made_in_the_same_migration_are_not_flagged():
    created = migrations.CreateModel("AuditEvent", [("id", models.AutoField(primary_key=True))])
    index = migrations.AddIndex("auditevent", models.Index(fields=["id"], name="x_idx"))
    assert risky_operations(_migration(created, index)) == []
    assert risky_operations(_migration(index)) == ["AddIndex core.auditevent"]
    initial = _migration(index)
    initial.initial = True  # an app's first migrations make its tables
    assert risky_operations(initial) == []
    initial.operations.append(migrations.RunPython(migrations.RunPython.noop))
    assert risky_operations(initial) == ["RunPython (may touch any table)"]


@pytest.mark.django_db  # makemigrations reads the migration history of the database
def test_the_models_and_the_migrations_agree():
    """A model changed without its migration fails here (and `make check`, which builds its
    test database from the models, would not notice)."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"makemigrations found model changes without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
