"""Staging, the one publish-and-roll-back transaction, and sweeping.

Every kind of data (police.uk months, reference tables, partner datasets) is published the
same way: written to ``staging/<version>/`` and checked (:meth:`_Store._stage_checked`),
then, under the writer lock, renamed into place and entered in the manifest inside
:meth:`_Store._publishing`, which switches the manifest once at the end, or, if anything
fails, deletes every file it moved so that readers never see them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from saferstat.analytics.warehouse.manifest import (
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    REFERENCE_NAME,
    STAGING_NAME,
    WarehouseError,
    _fsync_dir,
    _iso,
    _makedirs_durable,
    _now,
    _parse_iso,
    new_version,
    read_manifest,
    write_manifest,
    writer_lock,
)

#: How long a replaced file stays on disk for readers that still use it.
DEFAULT_KEEP_SUPERSEDED_SECONDS = 3600.0

#: Dictionary-encode the repetitive columns only (crime IDs are unique; trying costs time).
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": [
        "reported_by",
        "falls_within",
        "location",
        "lsoa_code",
        "lsoa_name",
        "crime_type",
        "last_outcome_category",
        "context",
        "month_date",
    ],
    # Statistics (min/max per row group) only where queries filter: they cost write time.
    "write_statistics": ["month_date", "lsoa_code", "crime_type"],
}


@dataclass
class _Staged:
    """A Parquet file written and checked under ``staging/<version>/``, not yet published."""

    version: str
    directory: Path
    file: Path
    lock_fd: int
    rows: int
    started: float
    meta: dict = field(default_factory=dict)
    lsoa_codes: pa.Array | None = None

    def discard(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        self.close()

    def close(self) -> None:
        if self.lock_fd >= 0:
            os.close(self.lock_fd)
            self.lock_fd = -1


class _Transaction:
    """One publish under the writer lock: files moved into place, the manifest being edited.

    Attributes:
        manifest: the manifest read under the lock; edit it, it is switched at the end.
        now: the time of this publish (``loaded_at``, ``retired_at``).
    """

    def __init__(self, root: Path, manifest: dict, now: datetime):
        self.root = root
        self.manifest = manifest
        self.now = now
        self.moved: list[Path] = []

    def place(self, file: Path, relative: str, section: str, key: str) -> tuple[Path, dict | None]:
        """Rename a staged ``file`` to ``relative`` (durably) and retire the entry it replaces
        in ``manifest[section][key]`` (the caller enters the new one). Returns the new path
        and the replaced entry (None if there was none)."""
        target = self.root / relative
        _makedirs_durable(target.parent, self.root)
        os.rename(file, target)
        self.moved.append(target)
        _fsync_dir(target.parent)
        old = self.manifest[section].get(key)
        if old is not None:
            self.manifest["retired"].append({"path": old["path"], "retired_at": _iso(self.now)})
        return target, old

    def roll_back(self) -> None:
        for target in self.moved:  # not published: readers never saw them
            with contextlib.suppress(OSError):
                target.unlink()


class _Store:
    """The writing side every loader shares: staging, publishing, sweeping."""

    root: Path
    keep_superseded_seconds: float

    # --- staging -----------------------------------------------------------------------

    def _stage(self, table: pa.Table, started: float) -> _Staged:
        """Write ``table`` to a new staging folder that this process holds locked."""
        version = new_version()
        staging = self.root / STAGING_NAME
        staging.mkdir(parents=True, exist_ok=True)
        directory = staging / version
        # Between making the folder and locking its owner file a sweeper would find a folder
        # with no live owner; creating it under the shared staging lock (which a sweeper
        # takes exclusively) closes that window, even for a writer killed inside it.
        with _staging_lock(self.root, fcntl.LOCK_SH):
            directory.mkdir()
            lock_fd = os.open(directory / ".owner", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
        staged = _Staged(
            version,
            directory,
            directory / f"part-{version}.parquet",
            lock_fd,
            table.num_rows,
            started,
        )
        try:
            with open(staged.file, "wb") as handle:
                pq.write_table(table, handle, **PARQUET_OPTIONS)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            staged.discard()
            raise
        return staged

    def _stage_checked(
        self,
        table: pa.Table,
        started: float,
        *,
        what: str,
        of: str = "",
        source: str = "the file",
        schema: pa.Schema | None = None,
    ) -> _Staged:
        """:meth:`_stage`, then check the stored copy: its row count must be the table's and
        its columns ``schema`` (default: the table's). ``what``, ``of`` and ``source`` word
        the error: ``"<what>: the stored copy<of> has 9 rows but <source> has 10"``."""
        staged = self._stage(table, started)
        try:
            stored = pq.read_metadata(staged.file)
            if stored.num_rows != table.num_rows:
                raise WarehouseError(
                    f"{what}: the stored copy{of} has {stored.num_rows:,} rows but {source} has "
                    f"{table.num_rows:,}; nothing was published"
                )
            wanted = (schema or table.schema).remove_metadata()
            if not stored.schema.to_arrow_schema().remove_metadata().equals(wanted):
                raise WarehouseError(f"{what}: the stored copy{of} has the wrong columns")
        except BaseException:
            staged.discard()
            raise
        return staged

    # --- publishing --------------------------------------------------------------------

    def _writer_lock(self):
        return writer_lock(self.root)

    @contextlib.contextmanager
    def _publishing(self) -> Iterator[_Transaction]:
        """The one publish transaction (police.uk months, reference tables, partner data).

        Takes the writer lock and reads the manifest; the block places staged files with
        :meth:`_Transaction.place` and enters them in ``manifest``. At the end the manifest
        is switched once (if anything was placed) and expired files are swept; if the block
        or the switch fails, every file it placed is deleted and the previous state stays.
        """
        with self._writer_lock():
            tx = _Transaction(self.root, read_manifest(self.root), _now())
            try:
                yield tx
                expired = self._switch(tx.manifest, tx.now) if tx.moved else []
            except BaseException:
                tx.roll_back()
                raise
            self._sweep(tx.manifest, expired)

    def _switch(self, manifest: dict, now: datetime) -> list[str]:
        """Write ``manifest`` as the new current one (atomically). Returns files to delete.

        Retired files older than the grace period leave the manifest here and are deleted
        by :meth:`_sweep` after the switch.
        """
        keep = timedelta(seconds=self.keep_superseded_seconds)
        still, expired = [], []
        for item in manifest["retired"]:
            (expired if now - _parse_iso(item["retired_at"]) >= keep else still).append(item)
        manifest["retired"] = still
        manifest["generation"] = int(manifest.get("generation", 0)) + 1
        manifest["updated_at"] = _iso(now)
        manifest["format"] = MANIFEST_FORMAT
        write_manifest(self.root, manifest)
        return [item["path"] for item in expired]

    # --- sweeping ----------------------------------------------------------------------

    def _sweep(
        self, manifest: dict, expired: Iterable[str] = (), *, full: bool = False
    ) -> list[Path]:
        """Delete what no reader can need. Call with the writer lock held.

        Always deletes expired retired files, stale manifest temporaries and staging folders
        whose owner is gone. A dead owner means a writer was killed, perhaps after renaming
        a file into place but before the manifest switch: then (or when ``full``) every
        Parquet file the manifest does not know is deleted too, with empty folders.
        """
        removed: list[Path] = []
        known = {e["path"] for e in manifest["partitions"].values()}
        known |= {e["path"] for e in manifest["reference"].values()}
        known |= {item["path"] for item in manifest["retired"]}
        for relative in expired:
            if relative not in known:
                with contextlib.suppress(FileNotFoundError):
                    (self.root / relative).unlink()
                    removed.append(self.root / relative)
        for temporary in self.root.glob(f"{MANIFEST_NAME}.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
                removed.append(temporary)
        staging = self.root / STAGING_NAME
        if staging.is_dir():
            with _staging_lock(self.root, fcntl.LOCK_EX):
                for directory in staging.iterdir():
                    if _owner_gone(directory):
                        if directory.is_dir():
                            shutil.rmtree(directory, ignore_errors=True)
                        else:
                            directory.unlink(missing_ok=True)
                        removed.append(directory)
                        full = True
        if full:
            removed += self._sweep_orphans(known)
        return removed

    def _sweep_orphans(self, known: set[str]) -> list[Path]:
        removed = []
        for top in [*self.root.glob("dataset=*"), self.root / REFERENCE_NAME]:
            if not top.is_dir():
                continue
            for directory, _dirs, files in os.walk(top, topdown=False):
                here = Path(directory)
                for name in files:
                    candidate = here / name
                    if candidate.relative_to(self.root).as_posix() not in known:
                        with contextlib.suppress(FileNotFoundError):
                            candidate.unlink()
                            removed.append(candidate)
                if here != top:
                    with contextlib.suppress(OSError):
                        here.rmdir()  # only succeeds when empty
        return removed

    def sweep(self) -> list[Path]:
        """Delete expired and orphaned files now (takes the writer lock).

        Returns:
            What was deleted.
        """
        with self._writer_lock():
            manifest = read_manifest(self.root)
            now = _now()
            keep = timedelta(seconds=self.keep_superseded_seconds)
            if any(now - _parse_iso(i["retired_at"]) >= keep for i in manifest["retired"]):
                expired = self._switch(manifest, now)
            else:
                expired = []
            return self._sweep(manifest, expired, full=True)


@contextlib.contextmanager
def _staging_lock(root: Path, mode: int) -> Iterator[None]:
    """Writers make staging folders under it shared; a sweeper judges them under it exclusive.

    It lives beside ``staging/`` (not in it) so that a sweep never takes it for a folder.
    """
    fd = os.open(root / f"{STAGING_NAME}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)


def _owner_gone(directory: Path) -> bool:
    """True if no live process holds the staging folder's lock.

    Call under the exclusive staging lock: then no writer is between making a folder and
    locking its owner file, so a folder without a locked owner file has no live writer.
    """
    owner = directory / ".owner"
    try:
        fd = os.open(owner, os.O_RDWR)
    except NotADirectoryError:
        return True  # a stray file, not a writer's folder
    except FileNotFoundError:
        return directory.exists()  # its writer died before locking it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
