"""Backup and restore of a whole install: database, warehouse and uploaded files.

Each install here is real: its own SQLite file (or PostgreSQL database), warehouse folder and
media folder, driven through `manage.py` in a subprocess, as an operator would. Restoring
into an empty install must give back every table row for row and every warehouse file byte
for byte; a damaged archive must be refused before anything changes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from saferstat.analytics import warehouse as wh
from saferstat.core.backup import BackupError, archive_sha256, backup_create, backup_restore

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo_data"
PASSWORD = "a-long-test-password-123"
POSTGRES_URL = os.environ.get("SAFERSTAT_TEST_POSTGRES_URL")

# One xdist worker builds the source install once and runs these tests.
pytestmark = pytest.mark.xdist_group("backup")

POPULATE = """
from saferstat.core.choices import OrganisationKind, Role
from saferstat.core.models import User
from saferstat.core.services import (
    membership_set, organisation_upsert, partnership_publish_overview, partnership_upsert,
)
from saferstat.intelligence.models import ImportRun
from django.conf import settings
from pathlib import Path

rotherham = partnership_upsert(
    slug="rotherham", name="Safer Rotherham Partnership", force_slug="south-yorkshire",
    areas=[("E08000018", "Rotherham")],
)
sheffield = partnership_upsert(
    slug="sheffield", name="Safer Sheffield Partnership", force_slug="south-yorkshire",
    areas=[("E08000039", "Sheffield")],
)
rotherham.neighbours.add(sheffield)
admin = User.objects.create_user("rotherham-admin", password=PASSWORD, display_name="Zoë Admin")
analyst = User.objects.create_user("rotherham-analyst", display_name="Ana Lyst")
police = organisation_upsert(
    partnership=rotherham, name="South Yorkshire Police", kind=OrganisationKind.POLICE,
    is_responsible_authority=True, by=admin,
)
membership_set(user=admin, partnership=rotherham, role=Role.ADMIN, by=admin)
membership_set(user=analyst, partnership=rotherham, role=Role.ANALYST, organisation=police, by=admin)
partnership_publish_overview(partnership=rotherham, by=admin, published=True)
upload = Path(settings.MEDIA_ROOT) / "uploads" / "0f3a" / "2024-04-south-yorkshire-street.csv"
upload.parent.mkdir(parents=True, exist_ok=True)
upload.write_bytes(b"Crime ID,Month\\r\\n,2024-04\\r\\n")
ImportRun.objects.create(
    partnership=rotherham, uploaded_by=analyst, original_name=upload.name,
    stored_path=str(upload), size_bytes=upload.stat().st_size, status="failed",
    errors=[{"line": 2, "field": "Month", "reason": "café – ünïcode"}],
)
"""

# Every table: its row count and a hash of all its rows in a fixed order.
DIGEST = """
import hashlib, json
from django.db import connection

qn = connection.ops.quote_name
out = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        listed = ", ".join(qn(c) for c in columns)
        cursor.execute(f"SELECT {listed} FROM {qn(table)} ORDER BY {listed}")
        rows = cursor.fetchall()
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(row).encode())
        out[table] = [len(rows), digest.hexdigest()]
from saferstat.core.models import User
admin = User.objects.filter(username="rotherham-admin").first()
out["admin can sign in"] = bool(admin and admin.check_password(PASSWORD))
print(json.dumps(out))
"""


@dataclass
class Install:
    """One SaferStat install: a database, a warehouse folder and a media folder."""

    root: Path
    database_url: str

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def media(self) -> Path:
        return self.root / "media"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFERSTAT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            SAFERSTAT_SKIP_DOTENV="1",
            SECRET_KEY="backup-test-" + "k" * 50,
            DEBUG="0",
            DATABASE_URL=self.database_url,
            SAFERSTAT_WAREHOUSE=str(self.warehouse),
            SAFERSTAT_MEDIA_DIR=str(self.media),
            SAFERSTAT_BACKUP_DIR=str(self.root / "backups"),
        )
        return env

    def manage(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok:
            assert result.returncode == 0, (
                f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
            )
        return result

    def python(self, code: str) -> str:
        prelude = f"import django\ndjango.setup()\nPASSWORD = {PASSWORD!r}\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def digest(self) -> dict[str, list]:
        return json.loads(self.python(DIGEST))

    def backup(self) -> Path:
        out = self.manage("backup", "--dest", str(self.root / "backups")).stdout
        line = next(line for line in out.splitlines() if line.startswith("Backup written: "))
        return Path(line.removeprefix("Backup written: ").strip())

    def copy_to(self, root: Path, database_url: str) -> Install:
        """A copy of this install (stopped) at `root`; SQLite only."""
        shutil.copytree(self.root, root, ignore=shutil.ignore_patterns("backups"))
        return Install(root, database_url)


def sqlite_install(root: Path) -> Install:
    return Install(root, f"sqlite:///{root / 'db.sqlite3'}")


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def current_warehouse_files(root: Path) -> set[str]:
    """What a backup of the warehouse at `root` must hold: the manifest and the files it names."""
    manifest = wh.read_manifest(root)
    named = {e["path"] for e in manifest["partitions"].values()}
    named |= {e["path"] for e in manifest["reference"].values()}
    return named | {"manifest.json"}


def build_warehouse(root: Path) -> None:
    """Reference data and one month loaded twice: the first version stays on disk, replaced
    (waiting to be swept) but still there, and a stray staging file; neither may be backed up."""
    warehouse = wh.Warehouse(root)
    warehouse.load_reference(DEMO / "ons")
    month = DEMO / "police-uk" / "2024-04-south-yorkshire-street.csv.gz"
    warehouse.load_policeuk_file(month)
    warehouse.load_policeuk_file(month)
    assert wh.read_manifest(root)["retired"], "the replaced version should wait to be swept"
    stray = root / "staging" / "20990101T000000000000Z-dead00" / "part-x.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PAR1 half-written PAR1")


@dataclass
class Source:
    install: Install
    archive: Path
    digest: dict[str, list]
    warehouse: dict[str, bytes]
    media: dict[str, bytes]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Source:
    """A populated SQLite install, and a backup made of it."""
    install = sqlite_install(tmp_path_factory.mktemp("source"))
    install.manage("migrate", "--no-input", "-v", "0")
    install.python(POPULATE)
    build_warehouse(install.warehouse)
    archive = install.backup()
    return Source(
        install, archive, install.digest(), files_of(install.warehouse), files_of(install.media)
    )


def assert_same_as_source(target: Install, source: Source) -> None:
    digest = target.digest()
    assert digest == source.digest
    assert digest["core_partnership"][0] == 2
    assert digest["core_user"][0] == 2
    assert digest["core_auditevent"][0] >= 5
    assert digest["intelligence_importrun"][0] == 1
    expected = {
        name: source.warehouse[name] for name in current_warehouse_files(source.install.warehouse)
    }
    assert files_of(target.warehouse) == expected
    assert files_of(target.media) == source.media
    assert digest["admin can sign in"]


def leftovers(folder: Path) -> list[str]:
    """Temporary folders a restore might have left next to the warehouse or media folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------- round trip


def test_restore_into_an_empty_install_gives_back_everything(source, tmp_path):
    target = sqlite_install(tmp_path / "new-server")  # nothing exists yet, not even the folder
    result = target.manage("restore", str(source.archive))
    assert "Restored the backup" in result.stdout

    assert_same_as_source(target, source)
    assert leftovers(target.root) == []
    # The restored warehouse reads like the original.
    with wh.connect(source.install.warehouse) as before, wh.connect(target.warehouse) as after:
        query = "SELECT count(*), count(DISTINCT crime_type), count(ward_code) FROM street_crimes"
        assert after.execute(query).fetchone() == before.execute(query).fetchone()
        assert after.execute(query).fetchone()[0] > 1000


def test_the_archive_lists_every_file_with_its_checksum(source):
    with tarfile.open(source.archive, "r:gz") as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    info = json.loads(contents.pop("backup.json"))
    assert info["kind"] == "saferstat-backup" and info["format"] == 1
    assert info["created_at"].endswith("Z")
    assert info["app_version"] == version("saferstat")
    assert info["database"]["vendor"] == "sqlite"
    assert info["database"]["migrations"]["core"][:5].rstrip("_").isdigit()
    assert set(info["files"]) == set(contents)
    for name, data in contents.items():
        assert info["files"][name] == {
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }

    warehouse = {n.removeprefix("warehouse/") for n in contents if n.startswith("warehouse/")}
    assert warehouse == current_warehouse_files(source.install.warehouse)
    on_disk = set(source.warehouse)
    left_out = on_disk - warehouse
    assert any(name.startswith("staging/") for name in left_out)
    assert any(name.startswith("dataset=") for name in left_out)  # the replaced version
    assert {n for n in contents if n.startswith("media/")} == {f"media/{n}" for n in source.media}
    assert contents["database/saferstat.sqlite3"].startswith(b"SQLite format 3\x00")
    assert source.archive.stat().st_mode & 0o777 == 0o600  # password hashes: owner only


def test_restore_refuses_an_install_with_data_unless_forced(source, tmp_path):
    target = source.install.copy_to(
        tmp_path / "busy", f"sqlite:///{tmp_path / 'busy' / 'db.sqlite3'}"
    )
    target.python(
        "from saferstat.core.services import partnership_upsert\n"
        "partnership_upsert(slug='barnsley', name='Safer Barnsley', force_slug='south-yorkshire',"
        " areas=[('E08000016', 'Barnsley')])"
    )
    before = target.digest()

    refused = target.manage("restore", str(source.archive), ok=False)
    assert refused.returncode != 0
    assert "This install is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert "core.Partnership" in refused.stderr
    assert target.digest() == before

    target.manage("restore", "--force", str(source.archive))
    assert_same_as_source(target, source)  # Barnsley is gone, and so are swept versions
    assert leftovers(target.root) == []


# ---------------------------------------------------------------------------- damaged files


def flip_byte(archive: Path, position: int, dest: Path) -> Path:
    data = bytearray(archive.read_bytes())
    data[position] ^= 0x5A
    dest.write_bytes(bytes(data))
    return dest


def with_altered_member(archive: Path, member: str, dest: Path) -> Path:
    """The same archive, properly compressed, but with one byte of `member` changed."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == member:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            out.addfile(info, io.BytesIO(data))
    return dest


def snapshot(install: Install) -> tuple:
    return (
        hashlib.sha256((install.root / "db.sqlite3").read_bytes()).hexdigest(),
        files_of(install.warehouse),
        files_of(install.media),
    )


def test_a_damaged_archive_is_refused_and_nothing_changes(source, tmp_path):
    bad = flip_byte(source.archive, source.archive.stat().st_size // 2, tmp_path / "bad.tar.gz")
    # An install with other data in it, restored with --force: only the check can stop it.
    target = source.install.copy_to(
        tmp_path / "live", f"sqlite:///{tmp_path / 'live' / 'db.sqlite3'}"
    )
    target.python(
        "from saferstat.core.services import partnership_upsert\n"
        "partnership_upsert(slug='doncaster', name='Safer Doncaster', force_slug='south-yorkshire',"
        " areas=[('E08000017', 'Doncaster')])"
    )
    before, digest = snapshot(target), target.digest()

    refused = target.manage("restore", "--force", str(bad), ok=False)
    assert refused.returncode != 0
    assert "is damaged" in refused.stderr
    assert "Nothing was changed." in refused.stderr
    assert snapshot(target) == before
    assert target.digest() == digest
    assert leftovers(target.root) == []


@pytest.fixture
def scratch_install(source, tmp_path, settings):
    """This process's settings pointed at a copy of the source's folders (no database use:
    the checks below must refuse the archive before the database is looked at)."""
    target = source.install.copy_to(tmp_path / "scratch", "sqlite:///unused")
    settings.SAFERSTAT_WAREHOUSE = target.warehouse
    settings.MEDIA_ROOT = target.media
    return target


@pytest.mark.parametrize("member", ["database/saferstat.sqlite3", "a warehouse partition"])
def test_a_file_changed_inside_a_well_formed_archive_fails_its_checksum(
    source, scratch_install, tmp_path, member
):
    if member == "a warehouse partition":
        member = next(
            f"warehouse/{p}"
            for p in sorted(current_warehouse_files(source.install.warehouse))
            if p.startswith("dataset=")
        )
    bad = with_altered_member(source.archive, member, tmp_path / "bad.tar.gz")
    before = snapshot(scratch_install)
    with pytest.raises(BackupError, match=f"failed its checksum check: {member}") as refused:
        backup_restore(bad, force=True)
    assert "Nothing was changed." in str(refused.value)
    assert snapshot(scratch_install) == before
    assert leftovers(scratch_install.root) == []


@pytest.mark.parametrize("where", [0.1, 0.25, 0.5, 0.75, 0.9, -8, -4, -1])
def test_any_changed_byte_of_the_compressed_data_is_refused(
    source, scratch_install, tmp_path, where
):
    size = source.archive.stat().st_size
    position = int(size * where) if where > 0 else size + where  # negative: the gzip trailer
    bad = flip_byte(source.archive, position, tmp_path / "bad.tar.gz")
    before = snapshot(scratch_install)
    with pytest.raises(BackupError, match="Nothing was changed"):
        backup_restore(bad, force=True)
    assert snapshot(scratch_install) == before
    assert leftovers(scratch_install.root) == []


def test_an_archive_that_differs_from_its_recorded_sha256_is_refused(source, scratch_install):
    recorded = archive_sha256(source.archive)
    assert len(recorded) == 64
    with pytest.raises(BackupError, match="does not have the SHA-256 recorded"):
        backup_restore(source.archive, force=True, expected_sha256="0" * 64)


def malicious_archive(dest: Path, name: str, kind: bytes = tarfile.REGTYPE) -> Path:
    with tarfile.open(dest, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
        data = b"x"
        info.size = len(data) if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return dest


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("../escaped.txt", tarfile.REGTYPE),
        ("/tmp/absolute.txt", tarfile.REGTYPE),
        ("warehouse/../../escaped.txt", tarfile.REGTYPE),
        ("warehouse/link", tarfile.SYMTYPE),
        ("something-else.txt", tarfile.REGTYPE),
    ],
)
def test_unsafe_entries_are_refused(scratch_install, tmp_path, name, kind):
    bad = malicious_archive(tmp_path / "evil.tar.gz", name, kind)
    with pytest.raises(BackupError, match="is damaged or is not a SaferStat backup"):
        backup_restore(bad, force=True)
    assert not (scratch_install.root.parent / "escaped.txt").exists()
    assert not Path("/tmp/absolute.txt").exists()


def test_not_a_backup_at_all_is_refused(scratch_install, tmp_path):
    plain = tmp_path / "notes.tar.gz"
    plain.write_bytes(gzip.compress(b"just some text"))
    with pytest.raises(BackupError, match="is damaged or is not a SaferStat backup"):
        backup_restore(plain)
    with pytest.raises(BackupError, match="does not exist"):
        backup_restore(tmp_path / "missing.tar.gz")


def test_backup_waits_for_an_import_to_finish_publishing(tmp_path, settings, monkeypatch):
    """The warehouse is copied under its writer lock: while an import holds it, backup waits
    (and here, with a short timeout, gives up with a clear message and leaves nothing)."""
    import fcntl

    from saferstat.core import backup

    settings.SAFERSTAT_WAREHOUSE = tmp_path / "warehouse"
    settings.SAFERSTAT_WAREHOUSE.mkdir()
    monkeypatch.setattr(backup, "LOCK_TIMEOUT_SECONDS", 0.3)
    with open(settings.SAFERSTAT_WAREHOUSE / wh.LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(BackupError, match="stayed locked by an import"):
            backup_create(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


# ------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def postgres_databases():
    """Two new, empty PostgreSQL databases (source and target), dropped afterwards."""
    import psycopg

    base = urlsplit(POSTGRES_URL)
    names = [f"saferstat_backup_{secrets.token_hex(4)}_{side}" for side in ("source", "target")]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [urlunsplit(base._replace(path=f"/{name}")) for name in names]
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(
    not POSTGRES_URL, reason="set SAFERSTAT_TEST_POSTGRES_URL to test PostgreSQL (CI does)"
)
def test_postgresql_backup_restores_into_an_empty_database(postgres_databases, tmp_path):
    source_url, target_url = postgres_databases
    source = Install(tmp_path / "source", source_url)
    source.manage("migrate", "--no-input", "-v", "0")
    source.python(POPULATE)
    build_warehouse(source.warehouse)
    archive = source.backup()
    with tarfile.open(archive, "r:gz") as tar:
        assert "database/saferstat.pgdump" in tar.getnames()
    expected = Source(
        source, archive, source.digest(), files_of(source.warehouse), files_of(source.media)
    )

    target = Install(tmp_path / "target", target_url)  # an empty database: not even migrated
    target.manage("restore", str(archive))
    assert_same_as_source(target, expected)

    # Over data: refused, then replaced with --force (sequences still work afterwards).
    target.python(
        "from saferstat.core.services import partnership_upsert\n"
        "partnership_upsert(slug='barnsley', name='Safer Barnsley', force_slug='south-yorkshire',"
        " areas=[('E08000016', 'Barnsley')])"
    )
    assert "This install is not empty" in target.manage("restore", str(archive), ok=False).stderr
    target.manage("restore", "--force", str(archive))
    assert_same_as_source(target, expected)
    target.python(
        "from saferstat.core.models import Partnership\n"
        "Partnership.objects.create(name='After restore', slug='after', force_slug='x')"
    )

    # A SQLite install will not take a PostgreSQL backup.
    other = sqlite_install(tmp_path / "sqlite")
    refused = other.manage("restore", str(archive), ok=False)
    assert "holds a postgresql database but this install uses sqlite" in refused.stderr


def test_the_saferstat_command_backs_up_and_restores(source, tmp_path):
    """`saferstat backup` / `saferstat restore` are the same services as the manage.py commands."""
    cli = [sys.executable, "-m", "saferstat.cli"]
    (tmp_path / "cli-backups").mkdir()  # `saferstat backup` refuses a folder that is missing
    made = subprocess.run(
        [*cli, "backup", "--dest", str(tmp_path / "cli-backups")],
        cwd=ROOT,
        env=source.install.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().splitlines()[-1])
    assert archive.parent == tmp_path / "cli-backups" and archive.name.endswith(".tar.gz")
    target = sqlite_install(tmp_path / "cli-target")
    restored = subprocess.run(
        [*cli, "restore", str(archive)],
        cwd=ROOT,
        env=target.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout
    assert_same_as_source(target, source)
    again = subprocess.run(
        [*cli, "restore", str(archive)],
        cwd=ROOT,
        env=target.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode != 0 and "--force" in again.stderr
