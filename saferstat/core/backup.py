"""Backing up a whole SaferStat install to one file, and restoring it.

A backup is one `.tar.gz` holding:

* `database/`: the operational database. SQLite is copied with SQLite's online backup API
  (safe while the app runs); PostgreSQL is dumped with `pg_dump --format=custom`.
* `warehouse/`: the analytical store as its manifest describes it: `manifest.json` and only
  the Parquet files it names (so no `staging/`, and no replaced versions waiting to be
  swept), copied while holding the warehouse's writer lock (`.lock`, see docs/warehouse.md),
  so no import can publish half-way through. The database is copied under the same lock, so
  the two match.
* `media/`: uploaded files (`MEDIA_ROOT`).
* `backup.json`: when and from what the backup was made, and the SHA-256 of every file.

`backup_restore` checks every checksum before it changes anything, refuses to overwrite an
install that already holds data unless told to, then restores the database (SQLite: the
backup API again; PostgreSQL: `pg_restore --clean --if-exists` in one transaction) and puts
the warehouse and media folders in place by renaming folders it extracted next to them. If
the database restore fails, the folders are put back as they were.

docs/security.md has the how-to; `manage.py backup` and `manage.py restore` call these.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections

from saferstat.analytics.warehouse import (
    LOCK_NAME,
    LockedFiles,
    Warehouse,
    WarehouseBusy,
    WarehouseError,
    writer_lock,
)
from saferstat.analytics.warehouse import MANIFEST_NAME as WAREHOUSE_MANIFEST

ARCHIVE_KIND = "saferstat-backup"
ARCHIVE_FORMAT = 1
BACKUP_JSON = "backup.json"
DATABASE = "database"
WAREHOUSE = "warehouse"
MEDIA = "media"
SQLITE_FILE = f"{DATABASE}/saferstat.sqlite3"
PGDUMP_FILE = f"{DATABASE}/saferstat.pgdump"

#: How long backup and restore wait for an import to finish publishing before giving up.
LOCK_TIMEOUT_SECONDS = 300.0

#: Tables whose rows do not make an install "not empty" (migrate fills them by itself).
_FILLED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "sessions.session"}

#: Django's PostgreSQL OPTIONS that have a libpq environment variable.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(RuntimeError):
    """A backup could not be made, or an archive was refused. The message says what to do."""


@dataclass(frozen=True)
class RestoreResult:
    """What `backup_restore` put in place."""

    archive: Path
    created_at: str
    app_version: str
    database_vendor: str
    warehouse_files: int
    media_files: int


# ------------------------------------------------------------------------------ helpers


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("saferstat")
    except PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _busy(root: Path) -> BackupError:
    return BackupError(
        f"The warehouse at {root} stayed locked by an import for {LOCK_TIMEOUT_SECONDS:.0f} s. "
        "Wait for imports to finish (or stop the task worker) and try again."
    )


@contextlib.contextmanager
def _warehouse_files(root: Path) -> Iterator[LockedFiles]:
    """The warehouse's files as one consistent set, with its writer lock held (writers hold it
    while they publish, so nothing changes meanwhile): `Warehouse.locked_files`."""
    held = contextlib.ExitStack()
    with held:
        try:
            stored = held.enter_context(Warehouse(root).locked_files(timeout=LOCK_TIMEOUT_SECONDS))
        except WarehouseBusy:
            raise _busy(root) from None
        except WarehouseError as exc:
            raise BackupError(str(exc)) from exc
        yield stored


@contextlib.contextmanager
def _warehouse_lock(root: Path) -> Iterator[None]:
    """Hold the warehouse's writer lock, if there is a warehouse (restore swaps its folder)."""
    if not root.is_dir():
        yield
        return
    held = contextlib.ExitStack()
    with held:
        try:
            held.enter_context(writer_lock(root, timeout=LOCK_TIMEOUT_SECONDS))
        except WarehouseBusy:
            raise _busy(root) from None
        yield


def _database_settings() -> dict[str, Any]:
    return connection.settings_dict


def _vendor() -> str:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _pg_program(name: str) -> str:
    folder = getattr(settings, "SAFERSTAT_PG_BINDIR", None)
    program = str(Path(folder) / name) if folder else shutil.which(name)
    if not program or not Path(program).exists():
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client programs (Debian: "
            "apt-get install postgresql-client), matching or newer than the server's version, "
            "or set SAFERSTAT_PG_BINDIR to the folder that holds them."
        )
    return program


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """libpq environment for the Django database: the password never appears on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, value in (db.get("OPTIONS") or {}).items():
        if option in _PG_OPTION_ENV and value is not None:
            env[_PG_OPTION_ENV[option]] = str(value)
    return env


def _pg_dbname(db: dict[str, Any]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dbname=db["NAME"])


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def _sqlite_source() -> sqlite3.Connection | None:
    """A connection to copy the SQLite database from (None if it uses Django's in-memory one)."""
    if connection.is_in_memory_db():
        return None
    path = Path(_database_settings()["NAME"])
    if not path.is_file():
        raise BackupError(
            f"The SQLite database {path} does not exist: there is nothing to back up."
        )
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)


# ------------------------------------------------------------------------------- backup


def _dump_database(folder: Path) -> tuple[str, Path]:
    """Copy the database to a file in `folder`; returns (name in the archive, file)."""
    vendor = _vendor()
    if vendor == "sqlite":
        target = folder / Path(SQLITE_FILE).name
        source = _sqlite_source()
        copy = sqlite3.connect(target)
        try:
            if source is None:
                connection.ensure_connection()
                connection.connection.backup(copy)
            else:
                with contextlib.closing(source):
                    source.backup(copy)
            # One self-contained file: no -wal beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return SQLITE_FILE, target
    db = _database_settings()
    target = folder / Path(PGDUMP_FILE).name
    _run(
        [
            _pg_program("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={_pg_dbname(db)}",
        ],
        _pg_environment(db),
        "pg_dump",
    )
    return PGDUMP_FILE, target


def _migrations() -> dict[str, str]:
    """The last migration applied in each app, to tell what code the backup belongs with."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


class _HashingReader:
    """Reads a file for `tarfile` and hashes what it reads, so each file is read once."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    return info


def _add_file(tar: tarfile.TarFile, files: dict[str, dict], path: Path, name: str) -> None:
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        reader = _HashingReader(handle)
        tar.addfile(_tar_info(name, stat.st_size, stat.st_mtime), reader)
    files[name] = {"sha256": reader.digest.hexdigest(), "bytes": stat.st_size}


def _add_upload(
    tar: tarfile.TarFile, files: dict[str, dict], path: Path, name: str, scratch: Path
) -> bool:
    """Add an uploaded file. Uploads can be written or removed while we run (no lock covers
    them), so each is first copied aside: a file that changes mid-copy then cannot leave a
    half-written entry in the archive. A file removed meanwhile is skipped."""
    copy = scratch / "upload"
    try:
        shutil.copyfile(path, copy)
    except FileNotFoundError:
        return False
    try:
        _add_file(tar, files, copy, name)
    finally:
        copy.unlink()
    return True


def _add_bytes(tar: tarfile.TarFile, files: dict[str, dict] | None, data: bytes, name: str) -> None:
    tar.addfile(_tar_info(name, len(data), time.time()), io.BytesIO(data))
    if files is not None:
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _unique_archive_path(folder: Path, created: datetime) -> Path:
    stem = f"saferstat-backup-{created:%Y%m%dT%H%M%SZ}"
    candidate, n = folder / f"{stem}.tar.gz", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.tar.gz"
    return candidate


def backup_create(dest_dir: str | os.PathLike | None = None) -> Path:
    """Back up the database, the warehouse and uploaded files to one new `.tar.gz`.

    Args:
        dest_dir: the folder to write it to (default `SAFERSTAT_BACKUP_DIR`); created if needed.

    Returns:
        The archive, named `saferstat-backup-<UTC time>.tar.gz`. It appears under that name
        only once it is complete.

    Raises:
        BackupError: the database could not be copied, or the warehouse is damaged.
    """
    dest = Path(dest_dir or settings.SAFERSTAT_BACKUP_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    warehouse = Path(settings.SAFERSTAT_WAREHOUSE)
    media = Path(settings.MEDIA_ROOT)
    created = datetime.now(UTC)
    files: dict[str, dict] = {}
    partial = dest / f".saferstat-backup-{secrets.token_hex(4)}.partial"
    info: dict[str, Any] = {
        "kind": ARCHIVE_KIND,
        "format": ARCHIVE_FORMAT,
        "created_at": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "app_version": _app_version(),
        "database": {"vendor": _vendor()},
        "warehouse": None,
        "media": {"files": 0},
        "source": {"warehouse": str(warehouse), "media_root": str(media)},
    }
    try:
        # The archive holds password hashes and sensitive data: readable by its owner only.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with (
            tempfile.TemporaryDirectory(dir=dest, prefix=".saferstat-backup-") as scratch,
            tarfile.open(partial, "w:gz", compresslevel=6) as tar,
        ):
            with _warehouse_files(warehouse) as stored:
                name, dump = _dump_database(Path(scratch))
                _add_file(tar, files, dump, name)
                dump.unlink()
                info["database"].update({"file": name, "migrations": _migrations()})
                if stored.manifest_bytes is not None:
                    manifest_name = f"{WAREHOUSE}/{WAREHOUSE_MANIFEST}"
                    _add_bytes(tar, files, stored.manifest_bytes, manifest_name)
                    for relative in stored.files:
                        _add_file(tar, files, stored.path(relative), f"{WAREHOUSE}/{relative}")
                    info["warehouse"] = {
                        "generation": stored.generation,
                        "files": len(stored.files) + 1,
                    }
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        name = f"{MEDIA}/{path.relative_to(media).as_posix()}"
                        if _add_upload(tar, files, path, name, Path(scratch)):
                            info["media"]["files"] += 1
            info["files"] = files
            _add_bytes(
                tar, None, json.dumps(info, indent=1, sort_keys=True).encode() + b"\n", BACKUP_JSON
            )
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        archive = _unique_archive_path(dest, created)
        os.rename(partial, archive)
        _fsync_dir(dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return archive


# ------------------------------------------------------------------------------ restore


def _damaged(archive: Path, detail: str) -> BackupError:
    return BackupError(
        f"{archive.name} is damaged or is not a SaferStat backup ({detail}). Nothing was changed."
    )


def _check_member(archive: Path, member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _damaged(archive, f"unsafe path {member.name!r}")
    if path.parts[0] not in {BACKUP_JSON, DATABASE, WAREHOUSE, MEDIA}:
        raise _damaged(archive, f"unexpected entry {member.name!r}")
    if not (member.isfile() or member.isdir()):
        raise _damaged(archive, f"{member.name!r} is not a plain file")


def _check_compression(archive: Path) -> None:
    """Read the whole gzip stream, so its CRC and length trailer are checked too (tarfile
    stops reading at the end of the tar data and never looks at them)."""
    with gzip.open(archive, "rb") as stream:
        while stream.read(1024 * 1024):
            pass


def _extract_verified(archive: Path, work: Path) -> dict[str, Any]:
    """Extract `archive` into `work` and check it completely; returns its backup.json."""
    try:
        _check_compression(archive)
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(archive, member)
            needed = sum(m.size for m in members)
            free = shutil.disk_usage(work).free
            if needed > free:
                raise BackupError(
                    f"Restoring {archive.name} needs {needed:,} bytes but only {free:,} are free "
                    f"next to {work.parent}. Nothing was changed."
                )
            tar.extractall(work, members=members, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _damaged(archive, str(exc) or type(exc).__name__) from exc
    try:
        info = json.loads((work / BACKUP_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _damaged(archive, f"{BACKUP_JSON} is missing or unreadable") from exc
    if not isinstance(info, dict) or info.get("kind") != ARCHIVE_KIND:
        raise _damaged(archive, f"{BACKUP_JSON} does not describe a SaferStat backup")
    if info.get("format") != ARCHIVE_FORMAT:
        raise BackupError(
            f"{archive.name} has backup format {info.get('format')!r}; this version of SaferStat "
            f"restores format {ARCHIVE_FORMAT}. Nothing was changed."
        )
    listed: dict[str, dict] = info.get("files") or {}
    present = {path.relative_to(work).as_posix() for path in work.rglob("*") if path.is_file()} - {
        BACKUP_JSON
    }
    if missing := sorted(set(listed) - present):
        raise _damaged(archive, f"{len(missing)} listed file(s) missing, e.g. {missing[0]}")
    if extra := sorted(present - set(listed)):
        raise _damaged(archive, f"{len(extra)} unlisted file(s), e.g. {extra[0]}")
    for name in sorted(listed):
        path = work / name
        expected = listed[name]
        if path.stat().st_size != expected.get("bytes") or _sha256(path) != expected.get("sha256"):
            raise BackupError(
                f"{archive.name} failed its checksum check: {name} is not the file that was "
                "backed up (the archive is damaged or was altered). Nothing was changed."
            )
    database = info.get("database") or {}
    if database.get("vendor") not in {"sqlite", "postgresql"} or database.get("file") not in listed:
        raise _damaged(archive, "no database in it")
    if database["vendor"] == "sqlite":
        try:
            with contextlib.closing(
                sqlite3.connect(f"{(work / SQLITE_FILE).as_uri()}?mode=ro", uri=True)
            ) as db:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise _damaged(archive, f"the SQLite database fails its integrity check: {verdict}")
    return info


def _folder_has_files(folder: Path, ignore: set[str] = frozenset()) -> bool:
    if not folder.is_dir():
        return False
    return any(p.is_file() and p.name not in ignore for p in folder.rglob("*"))


def _database_has_data() -> list[str]:
    """Models whose tables hold rows (other than those `migrate` fills by itself)."""
    from django.apps import apps

    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        if not Path(_database_settings()["NAME"]).is_file():
            return []
    tables = set(connection.introspection.table_names())
    found = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.label_lower in _FILLED_BY_MIGRATE or opts.proxy or not opts.managed:
            continue
        if opts.db_table in tables and model._base_manager.exists():
            found.append(opts.label)
    connections.close_all()
    return sorted(found)


def _restore_database(info: dict[str, Any], work: Path) -> None:
    vendor = info["database"]["vendor"]
    connections.close_all()
    if vendor == "sqlite":
        if connection.is_in_memory_db():
            raise BackupError("Cannot restore into an in-memory SQLite database.")
        target = Path(_database_settings()["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"{(work / SQLITE_FILE).as_uri()}?mode=ro", uri=True)
        destination = sqlite3.connect(target, timeout=30)
        try:
            # The backup API replaces the whole database in one locked step and keeps the
            # destination's WAL consistent: safer than copying the file over it.
            source.backup(destination)
        except sqlite3.Error as exc:
            raise BackupError(
                f"Restoring the SQLite database {target} failed: {exc}. Is the app still "
                "running? Stop it and the task worker, then try again. Nothing was changed."
            ) from exc
        finally:
            destination.close()
            source.close()
        return
    db = _database_settings()
    _run(
        [
            _pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_dbname(db)}",
            str(work / PGDUMP_FILE),
        ],
        _pg_environment(db),
        "pg_restore (the database is unchanged)",
    )


@dataclass
class _Swap:
    """A folder extracted from the archive, to be put in place of `target`."""

    incoming: Path
    target: Path
    old: Path | None = None
    done: bool = False

    def commit(self) -> None:
        if self.target.exists() or self.target.is_symlink():
            self.old = self.target.parent / f".{self.target.name}.replaced-{secrets.token_hex(4)}"
            try:
                os.rename(self.target, self.old)
            except OSError as exc:
                self.old = None
                raise BackupError(
                    f"Could not move {self.target} aside ({exc.strerror}). Restore needs to replace "
                    "the whole folder, so it cannot be a mount point: mount its parent instead."
                ) from exc
        os.rename(self.incoming, self.target)
        self.done = True
        _fsync_dir(self.target.parent)

    def revert(self) -> None:
        if self.done:
            os.rename(self.target, self.incoming)
            self.done = False
        if self.old is not None:
            os.rename(self.old, self.target)
            self.old = None

    def finish(self) -> None:
        if self.old is not None:
            shutil.rmtree(self.old, ignore_errors=True)
        shutil.rmtree(self.incoming, ignore_errors=True)


def _prepare_swap(extracted: Path, target: Path) -> _Swap:
    """Get `extracted` onto the same file system as `target`, next to it, ready to rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.parent / f".{target.name}.incoming-{secrets.token_hex(4)}"
    if not extracted.exists():
        extracted.mkdir(parents=True)
    try:
        os.rename(extracted, incoming)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copytree(extracted, incoming)
    return _Swap(incoming, target)


def backup_restore(
    archive: str | os.PathLike, *, force: bool = False, expected_sha256: str | None = None
) -> RestoreResult:
    """Restore a backup made by `backup_create` into this install.

    Stop the web app and the task worker first. Every file is checked against its checksum
    before anything changes. An install that already holds data (rows in the database other
    than those `migrate` creates, or files in the warehouse or media folders) is only
    overwritten with `force`.

    Args:
        archive: the `.tar.gz`.
        force: replace the data this install already holds.
        expected_sha256: the archive's SHA-256 as `manage.py backup` printed it; when given,
            the whole archive must match it (this also detects deliberate tampering, which
            the checksums inside the archive alone cannot).

    Returns:
        What was restored.

    Raises:
        BackupError: the archive is damaged or altered, is for another database vendor, or
            the install is not empty and `force` is false. Nothing was changed.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist.")
    if expected_sha256 and archive_sha256(archive) != expected_sha256.strip().lower():
        raise BackupError(
            f"{archive.name} does not have the SHA-256 recorded when it was made: it was damaged "
            "or altered since. Nothing was changed."
        )
    warehouse = Path(settings.SAFERSTAT_WAREHOUSE)
    media = Path(settings.MEDIA_ROOT)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    # Extract next to the warehouse, so the warehouse folder is put in place by a rename.
    work = Path(tempfile.mkdtemp(prefix=f".{warehouse.name}.restore-", dir=warehouse.parent))
    swaps: list[_Swap] = []
    try:
        info = _extract_verified(archive, work)
        vendor = info["database"]["vendor"]
        if vendor != _vendor():
            raise BackupError(
                f"{archive.name} holds a {vendor} database but this install uses {connection.vendor}. "
                "Restore it into an install with the same kind of database. Nothing was changed."
            )
        if not force:
            reasons = []
            if tables := _database_has_data():
                reasons.append(f"the database has rows in {', '.join(tables)}")
            if _folder_has_files(warehouse, {LOCK_NAME}):
                reasons.append(f"the warehouse {warehouse} has files")
            if _folder_has_files(media):
                reasons.append(f"the media folder {media} has files")
            if reasons:
                raise BackupError(
                    "This install is not empty: "
                    + "; ".join(reasons)
                    + ". Restoring would replace "
                    "all of it with the backup. Run restore again with --force to do that. "
                    "Nothing was changed."
                )
        with _warehouse_lock(warehouse):
            for extracted, target in ((work / WAREHOUSE, warehouse), (work / MEDIA, media)):
                swaps.append(_prepare_swap(extracted, target))
            try:
                for swap in swaps:
                    swap.commit()
                _restore_database(info, work)
            except BaseException:
                for swap in reversed(swaps):
                    with contextlib.suppress(OSError):
                        swap.revert()
                raise
    finally:
        for swap in swaps:
            swap.finish()
        shutil.rmtree(work, ignore_errors=True)
        connections.close_all()
    listed = info.get("files") or {}
    return RestoreResult(
        archive=archive,
        created_at=info.get("created_at", ""),
        app_version=info.get("app_version", ""),
        database_vendor=vendor,
        warehouse_files=sum(1 for name in listed if name.startswith(f"{WAREHOUSE}/")),
        media_files=sum(1 for name in listed if name.startswith(f"{MEDIA}/")),
    )


def archive_sha256(archive: str | os.PathLike) -> str:
    """The SHA-256 of the whole archive: record it elsewhere to detect tampering later."""
    return _sha256(Path(archive))
