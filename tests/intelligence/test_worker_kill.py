"""A task worker killed with SIGKILL in the middle of an import never leaves the import stuck.

The real thing, as `make serve` runs it: `manage.py db_worker` in its own process, on a
file-based SQLite database and a warehouse of its own. The worker is killed at different
moments of a load (task claimed, load started, file validated and being published, part-way
through reading). After each kill the warehouse must still be in a whole state (the previous
one), `manage.py recover_stuck_jobs` must queue the run again, and a worker started again must
finish it. A file whose load was started three times is marked failed with a clear message.
Never stuck.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
MONTH_FILE = ROOT / "demo_data" / "police-uk" / "2024-06-south-yorkshire-street.csv.gz"
MONTH_ROWS = 15057
COPIES = 12  # a big-ish upload (about 180,000 rows, 40 MB), so a load takes a second or so
PARTITION = "policeuk_street/south-yorkshire/2024-06"

SEED = """
from django.core.files import File
from saferstat.core.models import User
from saferstat.core.services import membership_set, partnership_upsert
from saferstat.intelligence.imports.services import import_run_create
p = partnership_upsert(slug="rotherham", name="Safer Rotherham Partnership",
                       force_slug="south-yorkshire", areas=[("E08000018", "Rotherham")])
user = User.objects.filter(username="analyst").first()
if user is None:
    user = User.objects.create_user(username="analyst", password="a-long-test-password-123")
    membership_set(user=user, partnership=p, role="analyst")
with open({path!r}, "rb") as handle:
    run = import_run_create(partnership=p, by=user, upload=File(handle, name={name!r}))
print("RUN", run.pk)
"""

# A force administrator approves the checked file, so the worker's next task loads it.
APPROVE = """
from saferstat.core.models import User
from saferstat.core.services import force_administrator_set
from saferstat.intelligence.models import ImportRun
from saferstat.intelligence.imports.services import import_run_approve
admin = User.objects.filter(username="force-admin").first()
if admin is None:
    admin = User.objects.create_user(username="force-admin", password="a-long-test-password-123")
    force_administrator_set(user=admin, force_slug="south-yorkshire")
import_run_approve(run=ImportRun.objects.get(pk={run_id}), by=admin, change_reason="12 copies")
"""

pytestmark = pytest.mark.slow


class Install:
    """A SaferStat install in a temporary folder, driven through manage.py subprocesses."""

    def __init__(self, tmp_path: Path, warehouse: Path):
        self.db = tmp_path / "saferstat.sqlite3"
        self.warehouse = warehouse
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "SAFERSTAT_WAREHOUSE": str(warehouse),
            "SAFERSTAT_MEDIA_DIR": str(tmp_path / "media"),
            "SAFERSTAT_SKIP_DOTENV": "1",
            "SAFERSTAT_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "SECRET_KEY": "kill-test-secret-key-0123456789-0123456789",
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.workers = 0

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (
            f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def start_worker(self) -> subprocess.Popen:
        self.workers += 1
        log = (self.logs / f"worker-{self.workers}.log").open("w")
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.05",
                "--skip-checks",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def query(self, sql: str, *params):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            with con:
                return con.execute(sql, params).fetchone()
        finally:
            con.close()

    def run(self, run_id: int) -> dict:
        status, rows_done, attempts, errors, rows_loaded, replaced = self.query(
            "SELECT status, rows_done, attempts, errors, rows_loaded, replaced_existing "
            "FROM intelligence_importrun WHERE id = ?",
            run_id,
        )
        return {
            "status": status,
            "rows_done": rows_done,
            "attempts": attempts,
            "errors": json.loads(errors),
            "rows_loaded": rows_loaded,
            "replaced": bool(replaced),
        }

    def manifest(self) -> dict:
        return json.loads((self.warehouse / "manifest.json").read_text())

    def verbs(self, run_id: int) -> list[str]:
        con = sqlite3.connect(self.db, timeout=10)
        try:
            rows = con.execute(
                "SELECT verb FROM core_auditevent WHERE object_type = 'intelligence.ImportRun' "
                "AND object_id = ? ORDER BY id",
                (str(run_id),),
            ).fetchall()
        finally:
            con.close()
        return [verb for (verb,) in rows]


def wait_for(what: str, check, worker: subprocess.Popen, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited before {what}")
        time.sleep(0.005)
    pytest.fail(f"timed out waiting for {what}")


def kill_during_load(install: Install, run_id: int, moment: str) -> None:
    """Start a worker, SIGKILL it at `moment` of the load, and check nothing half-done shows."""
    before = install.manifest()
    worker = install.start_worker()
    try:
        if moment == "claimed":  # the worker took the task from the queue
            wait_for(
                moment,
                lambda: install.query(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
                )[0],
                worker,
            )
        else:
            wait_for(moment, lambda: install.run(run_id)["status"] == "running", worker)
            if moment == "validated":  # the file is read and checked: now it is being published
                wait_for(moment, lambda: install.run(run_id)["rows_done"] > 0, worker)
            elif moment == "reading":
                time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    state = install.run(run_id)
    assert state["status"] in {"queued", "running"}, (moment, state)  # stuck until recovered
    after = install.manifest()
    if moment != "validated" or after == before:
        assert after == before, f"killed when {moment}: the manifest changed"
    else:
        # Killed in the instant after the manifest switch: then the new month is whole.
        assert after["partitions"][PARTITION]["row_count"] == MONTH_ROWS * COPIES
    for entry in after["partitions"].values():  # the manifest names only whole files
        assert pq.read_metadata(install.warehouse / entry["path"]).num_rows == entry["row_count"]


def test_a_killed_worker_never_leaves_an_import_stuck(tmp_path, overview_warehouse):
    install = Install(tmp_path, overview_warehouse)
    big = tmp_path / "2024-06-south-yorkshire-street.csv"
    with gzip.open(MONTH_FILE, "rt", encoding="utf-8-sig", newline="") as source:
        header, *rows = source.read().splitlines(keepends=True)
    big.write_text(header + "".join(rows) * COPIES, encoding="utf-8")
    install.manage("migrate", "--no-input", "--skip-checks", "-v", "0")

    def seed() -> int:
        """An analyst's proposal, checked by a worker, then approved: queued to load."""
        out = install.manage(
            "shell", "--no-imports", "-c", SEED.format(path=str(big), name=big.name)
        )
        run_id = int(out.split("RUN")[-1])
        install.manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--skip-checks")
        assert install.run(run_id)["status"] == "awaiting_approval"
        install.manage("shell", "--no-imports", "-c", APPROVE.format(run_id=run_id))
        assert install.run(run_id)["status"] == "queued"
        return run_id

    # 1. Killed three times (as it claims the task, as the load starts, while publishing),
    #    recovered after each, then loaded in full by a worker started again.
    run_id = seed()
    for moment in ("claimed", "running", "validated"):
        kill_during_load(install, run_id, moment)
        out = install.manage("recover_stuck_jobs", "--older-than", "0", "--skip-checks")
        assert f"police.uk import {run_id}" in out and "queued again" in out
        assert install.run(run_id)["status"] == "queued"
    install.manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--skip-checks")
    state = install.run(run_id)
    assert state["status"] == "succeeded", state
    assert state["rows_loaded"] == MONTH_ROWS * COPIES and state["replaced"]
    assert install.manifest()["partitions"][PARTITION]["row_count"] == MONTH_ROWS * COPIES
    leftovers = [p for p in (install.warehouse / "staging").glob("*") if p.is_dir()]
    assert leftovers == [], "the next load sweeps what the killed ones left in staging"
    assert install.verbs(run_id) == [
        "import.upload",
        "import.check",
        "import.approve",
        *["import.requeue"] * 3,
        "import.load",
    ]

    # 2. A file whose load was already started twice (say, it runs the worker out of memory)
    #    is killed part-way through reading a third time: it is refused, with the reason.
    run_id = seed()
    install.query("UPDATE intelligence_importrun SET attempts = 2 WHERE id = ?", run_id)
    kill_during_load(install, run_id, "reading")
    out = install.manage("recover_stuck_jobs", "--older-than", "0", "--skip-checks")
    assert f"police.uk import {run_id}" in out and "marked failed after 3 attempts" in out
    state = install.run(run_id)
    assert state["status"] == "failed" and state["attempts"] == 3, state
    (error,) = state["errors"]
    assert "The background worker stopped 3 times while loading this file" in error
    assert "Nothing from this file was stored" in error
    assert install.verbs(run_id) == [
        "import.upload",
        "import.check",
        "import.approve",
        "import.abandon",
    ]
    # Nothing is left queued or claimed: no worker will touch it again.
    assert install.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
    ) == (0,)
