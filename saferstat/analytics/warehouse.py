"""The analytical store: Parquet files published through a manifest, read with DuckDB.

Layout and rules are the contract in ``docs/warehouse.md``. In short:

* every partition (one force-month of police.uk street crimes, or one reference table) is a
  Parquet file with a fresh version in its name, written under ``staging/``, fsynced, checked
  (the stored row count must equal the file's own row count) and then renamed into place;
* ``manifest.json`` names the current file of every partition and is replaced with one
  ``os.replace``; readers only read files the manifest names, so they see the old state or the
  new one and never a mix; a load killed at any moment leaves the previous state;
* writers hold an ``fcntl`` lock on ``.lock`` while they publish (never while they read and
  validate); readers take no lock;
* a replaced file is kept for ``keep_superseded_seconds`` (readers that opened a connection
  before the switch may still be reading it) and then swept; files a killed writer left behind
  are swept by the next writer.

:func:`connect` opens an in-memory DuckDB connection with the views of the contract.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:  # imported where used: loading files never needs DuckDB
    import duckdb

from saferstat.analytics import reference as ref
from saferstat.analytics.policeuk import (
    STORED_SCHEMA,
    PoliceUkValidationError,
    StreetFile,
    UnpackLimits,
    parse_file_name,
    read_street_file,
)

#: Name of the police.uk street-level crime dataset in paths and the manifest.
STREET_DATASET = "policeuk_street"
MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
STAGING_NAME = "staging"
REFERENCE_NAME = "reference"
MANIFEST_FORMAT = 1

#: Names of datasets and owners published with :meth:`Warehouse.publish_partitions`.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")

#: Loading many files: switch the manifest when this many files are staged, or when this
#: long has passed since the last switch (whichever comes first), and after the last file.
PUBLISH_BATCH_MAX = 64
PUBLISH_INTERVAL_SECONDS = 1.0

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


class WarehouseError(RuntimeError):
    """The warehouse refused an operation (and kept its previous state)."""


@dataclass(frozen=True)
class LoadResult:
    """One police.uk file stored.

    Attributes:
        rows: data rows stored (equal to the rows in the file).
        force: force slug from the file name.
        month: ``YYYY-MM`` from the file name.
        replaced: True if that force-month was already loaded (and is now replaced).
        seconds: wall time from starting to read the file to the manifest switch.
        source_name: the file's name.
        version: version of the stored partition.
        path: the stored Parquet file.
    """

    rows: int
    force: str
    month: str
    replaced: bool
    seconds: float
    source_name: str = ""
    version: str = ""
    path: Path | None = None
    previous_rows: int | None = None


@dataclass(frozen=True)
class PendingReplacement:
    """A police.uk month about to be published, shown to a ``before_publish`` check.

    Attributes:
        force: force slug.
        month: ``YYYY-MM``.
        rows: rows in the new file.
        previous_rows: rows of the month now loaded, or None if it is not loaded yet.
        source_name: the new file's name.
    """

    force: str
    month: str
    rows: int
    previous_rows: int | None
    source_name: str


#: ``before_publish(pending)``: called under the writer lock just before a month is
#: published; raising refuses that file (nothing of it is stored).
BeforePublish = Callable[[PendingReplacement], None]


@dataclass(frozen=True)
class LoadRefusal:
    """A file that was not stored, and why."""

    path: Path
    error: Exception

    @property
    def message(self) -> str:
        return str(self.error)


@dataclass(frozen=True)
class ReferenceLoadResult:
    """Reference tables stored: row count per table, and the source files."""

    tables: dict[str, int]
    sources: dict[str, str]
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MonthCoverage:
    """Months loaded for one force, and the months missing between its first and last."""

    force: str
    months: list[str]
    missing: list[str]

    @property
    def first(self) -> str | None:
        return self.months[0] if self.months else None

    @property
    def last(self) -> str | None:
        return self.months[-1] if self.months else None


@dataclass(frozen=True)
class PublishResult:
    """Partitions of a dataset other than police.uk published in one manifest switch.

    Attributes:
        dataset: the dataset name.
        owner: who the partitions belong to (``force_slug`` in the manifest).
        months: the partitions' months, sorted.
        replaced: those of ``months`` that replaced a partition already loaded.
        rows: rows stored in all.
        version: version of the stored files.
        seconds: wall time from the first write to the manifest switch.
    """

    dataset: str
    owner: str
    months: list[str]
    replaced: list[str]
    rows: int
    version: str
    seconds: float


#: ``on_progress(rows_done)``: rows of the file processed so far (called a few times).
ProgressCallback = Callable[[int], None]


# --- small helpers ---------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_version() -> str:
    """A fresh, sortable, unique version name: ``20250101T120000123456Z-a1b2c3``."""
    return f"{_now():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _makedirs_durable(path: Path, stop: Path) -> None:
    """``mkdir -p`` that fsyncs each parent whose entry it created."""
    missing = []
    current = path
    while not current.exists() and current != stop:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
        _fsync_dir(directory.parent)


def months_between(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def missing_months(months: Iterable[str]) -> list[str]:
    """Months absent between the first and the last of ``months`` (a gap is not a zero)."""
    have = sorted(set(months))
    if not have:
        return []
    present = set(have)
    return [m for m in months_between(have[0], have[-1]) if m not in present]


def empty_manifest() -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "generation": 0,
        "updated_at": None,
        "partitions": {},
        "reference": {},
        "retired": [],
    }


def read_manifest(root: str | os.PathLike) -> dict:
    """The current manifest of the warehouse at ``root`` (an empty one if none yet)."""
    path = Path(root) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_manifest()
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WarehouseError(f"{path}: not a valid manifest ({exc})") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise WarehouseError(
            f"{path}: manifest format {manifest.get('format')!r} is not {MANIFEST_FORMAT}"
        )
    for key, value in empty_manifest().items():
        manifest.setdefault(key, value)
    return manifest


def partition_key(dataset: str, force: str, month: str) -> str:
    return f"{dataset}/{force}/{month}"


def _vintage(n_2011_only: int, n_2021_only: int, n_known: int) -> int | None:
    """LSOA vintage of a partition from how many of its codes belong to only one vintage."""
    if n_2011_only > n_2021_only:
        return 2011
    if n_known:
        return 2021  # more 2021-only codes, or only codes valid in both (unchanged areas)
    return None


# --- staging ---------------------------------------------------------------------------


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


class Warehouse:
    """The analytical store at ``root`` (created on first write).

    Args:
        root: the warehouse folder (``SAFERSTAT_WAREHOUSE``, default ``var/warehouse``).
        keep_superseded_seconds: how long a replaced file stays for readers still using it.
        unpack_limits: how far a police.uk ``.csv.gz`` may unpack before it is refused as a
            gzip bomb (default :class:`~saferstat.analytics.policeuk.UnpackLimits`; the web
            app passes its settings).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        keep_superseded_seconds: float = DEFAULT_KEEP_SUPERSEDED_SECONDS,
        unpack_limits: UnpackLimits | None = None,
    ):
        self.root = Path(root)
        self.keep_superseded_seconds = keep_superseded_seconds
        self.unpack_limits = unpack_limits
        self._reference_cache: tuple[str, frozenset[str], frozenset[str]] | None = None

    def __repr__(self) -> str:
        return f"Warehouse({str(self.root)!r})"

    # --- reading -----------------------------------------------------------------------

    def manifest(self) -> dict:
        """The current manifest (see ``docs/warehouse.md``)."""
        return read_manifest(self.root)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the contract's views (see :func:`connect`)."""
        return connect(self.root)

    def months(self, dataset: str = STREET_DATASET) -> dict[str, MonthCoverage]:
        """Loaded months per force, with the gaps between the first and last month.

        Returns:
            ``{force_slug: MonthCoverage}``, forces sorted by slug.
        """
        per_force: dict[str, list[str]] = {}
        for entry in self.manifest()["partitions"].values():
            if entry["dataset"] == dataset:
                per_force.setdefault(entry["force_slug"], []).append(entry["month"])
        return {
            force: MonthCoverage(force, sorted(months), missing_months(months))
            for force, months in sorted(per_force.items())
        }

    def month_rows(self, force: str, month: str, dataset: str = STREET_DATASET) -> int | None:
        """Rows loaded for one force-month, or None if that month is not loaded."""
        entry = self.manifest()["partitions"].get(partition_key(dataset, force, month))
        return None if entry is None else int(entry["row_count"])

    def month_rows_by_area(
        self, force: str, month: str, table: pa.Table | None = None
    ) -> dict[str, int]:
        """Rows of one force-month per local authority (by its current code).

        Counts the month as loaded, or ``table`` (a validated file not yet loaded) instead.
        Rows with no LSOA, or an LSOA the reference data does not know, are in no area.
        """
        con = connect(self.root, force_slugs=[force])
        try:
            if table is None:
                source = "SELECT lsoa_code FROM street_crimes WHERE force_slug = ? AND month = ?"
                params: list[str] = [force, month]
            else:
                con.register("_proposed", table.select(["lsoa_code"]))
                source, params = "SELECT lsoa_code FROM _proposed", []
            rows = con.execute(
                f"""
                SELECT c.active_code, count(*)
                FROM ({source}) r
                JOIN _lsoa_by_code k ON k.lsoa_code = r.lsoa_code
                JOIN la_codes c ON c.lad_code = k.lad_code
                GROUP BY 1
                """,
                params,
            ).fetchall()
        finally:
            con.close()
        return {code: int(n) for code, n in rows}

    # --- loading police.uk files -------------------------------------------------------

    def load_policeuk_file(
        self,
        path: str | os.PathLike,
        *,
        name: str | None = None,
        on_progress: ProgressCallback | None = None,
        before_publish: BeforePublish | None = None,
    ) -> LoadResult:
        """Validate one police.uk street file and publish it as its force-month partition.

        Loading a month again replaces it. Nothing is stored unless the whole file is valid.

        Args:
            path: the file (``.csv`` or ``.csv.gz``).
            name: its real name, if ``path`` is a temporary copy (an upload).
            on_progress: called with the number of rows done so far: once the file is
                validated, again once it is published.
            before_publish: called with the :class:`PendingReplacement` under the writer
                lock, before anything is published; an exception it raises refuses the file.

        Returns:
            What was stored.

        Raises:
            PoliceUkValidationError: the file was refused (``.errors`` lists the problems).
            WarehouseError: the stored copy did not check out; the previous state is kept.
        """
        staged = self._prepare(Path(path), name, on_progress)
        try:
            (result,) = self._publish([staged], on_progress, before_publish)
        finally:
            staged.discard()
        if isinstance(result, LoadRefusal):
            raise result.error
        return result

    def load_policeuk_files(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        workers: int | None = None,
        on_result: Callable[[LoadResult | LoadRefusal], None] | None = None,
        before_publish: BeforePublish | None = None,
    ) -> list[LoadResult | LoadRefusal]:
        """Load many files: read and validate in parallel, publish as each batch is ready.

        Each file is accepted or refused on its own; a refused file does not stop the others.
        If two files are for the same force and month, only the last one given is loaded.

        Args:
            paths: files to load.
            workers: reader threads (default: up to 4, at most the number of CPUs).
            on_result: called once per file, in completion order.
            before_publish: as for :meth:`load_policeuk_file`, once per file; a file it
                refuses is reported as a :class:`LoadRefusal`.

        Returns:
            One :class:`LoadResult` or :class:`LoadRefusal` per file, in the order given.
        """
        paths = [Path(p) for p in paths]
        workers = workers or max(1, min(4, os.cpu_count() or 1, len(paths)))
        results: dict[int, LoadResult | LoadRefusal] = {}

        def report(index: int, outcome: LoadResult | LoadRefusal) -> None:
            results[index] = outcome
            if on_result:
                on_result(outcome)

        last: dict[tuple[str, str], int] = {}
        for index, path in enumerate(paths):
            with contextlib.suppress(PoliceUkValidationError):
                parsed = parse_file_name(path.name)
                last[(parsed.force_slug, parsed.month)] = index
        todo = []
        for index, path in enumerate(paths):
            with contextlib.suppress(PoliceUkValidationError):
                parsed = parse_file_name(path.name)
                keep = last[(parsed.force_slug, parsed.month)]
                if keep != index:
                    report(
                        index,
                        LoadRefusal(
                            path,
                            WarehouseError(
                                f"{path.name}: not loaded: {paths[keep].name} is for the same "
                                f"force and month ({parsed.force_slug} {parsed.month}) and "
                                "comes later"
                            ),
                        ),
                    )
                    continue
            todo.append((index, path))

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saferstat-load") as pool:
            pending: dict[Future, int] = {}
            queue = iter(todo)

            def submit_next() -> None:
                for index, path in queue:
                    pending[pool.submit(self._prepare, path, None, None)] = index
                    return

            for _ in range(workers * 2):  # a little read-ahead, bounded memory
                submit_next()
            ready: list[tuple[int, _Staged]] = []
            last_switch = time.perf_counter()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    submit_next()
                    try:
                        ready.append((index, future.result()))
                    except Exception as exc:  # one bad file must not stop the others
                        report(index, LoadRefusal(paths[index], exc))
                # Switch the manifest at most every PUBLISH_INTERVAL_SECONDS (or every
                # PUBLISH_BATCH_MAX files): each switch rewrites the whole manifest, so one
                # switch per file made loading thousands of files quadratic.
                if not ready or (
                    pending
                    and len(ready) < PUBLISH_BATCH_MAX
                    and time.perf_counter() - last_switch < PUBLISH_INTERVAL_SECONDS
                ):
                    continue
                batch, ready = ready, []
                last_switch = time.perf_counter()
                try:
                    published = self._publish([s for _, s in batch], None, before_publish)
                except Exception as exc:
                    for index, _ in batch:
                        report(index, LoadRefusal(paths[index], exc))
                else:
                    for (index, _), outcome in zip(batch, published, strict=True):
                        if isinstance(outcome, LoadRefusal):
                            outcome = LoadRefusal(paths[index], outcome.error)
                        report(index, outcome)
                finally:
                    for _, staged in batch:
                        staged.discard()
        return [results[i] for i in range(len(paths))]

    def _prepare(
        self, path: Path, name: str | None, on_progress: ProgressCallback | None
    ) -> _Staged:
        """Read, validate, write to staging, fsync, check the stored row count."""
        started = time.perf_counter()
        street = read_street_file(path, name=name, limits=self.unpack_limits)
        if on_progress:
            on_progress(street.rows)
        metadata = {
            "saferstat.dataset": STREET_DATASET,
            "saferstat.force_slug": street.force_slug,
            "saferstat.month": street.month,
            "saferstat.source_name": street.name,
            "saferstat.source_sha256": street.source_sha256,
        }
        staged = self._stage(street.table.replace_schema_metadata(metadata), started)
        try:
            staged.meta = {
                "dataset": STREET_DATASET,
                "force_slug": street.force_slug,
                "month": street.month,
                "source_name": street.name,
                "source_sha256": street.source_sha256,
                "source_rows": street.rows,
            }
            staged.lsoa_codes = pc.unique(street.table.column("lsoa_code").drop_null())
            self._verify(staged, street)
        except BaseException:
            staged.discard()
            raise
        return staged

    def _verify(self, staged: _Staged, street: StreetFile) -> None:
        stored = pq.read_metadata(staged.file)
        if stored.num_rows != street.rows or stored.num_rows != staged.rows:
            raise WarehouseError(
                f"{street.name}: the stored copy has {stored.num_rows:,} rows but the file has "
                f"{street.rows:,}; nothing was published"
            )
        if not stored.schema.to_arrow_schema().remove_metadata().equals(STORED_SCHEMA):
            raise WarehouseError(f"{street.name}: the stored copy has the wrong columns")

    def _stage(self, table: pa.Table, started: float) -> _Staged:
        """Write ``table`` to a new staging folder that this process holds locked."""
        version = new_version()
        staging = self.root / STAGING_NAME
        staging.mkdir(parents=True, exist_ok=True)
        directory = staging / version
        directory.mkdir()
        # Lock the owner file before it gets its name, so that a sweeper never finds it
        # unlocked while we live (a staging folder without one is judged by its age).
        lock_fd = os.open(directory / ".owner.new", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        os.rename(directory / ".owner.new", directory / ".owner")
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

    # --- publishing --------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _move_into_place(
        self, file: Path, relative: str, key: str, manifest: dict, now: datetime, moved: list[Path]
    ) -> tuple[Path, dict | None]:
        """Rename a staged file to ``relative`` (durably) and retire the partition it replaces
        in ``manifest`` (not yet switched). Returns the new path and the replaced entry."""
        target = self.root / relative
        _makedirs_durable(target.parent, self.root)
        os.rename(file, target)
        moved.append(target)
        _fsync_dir(target.parent)
        old = manifest["partitions"].get(key)
        if old is not None:
            manifest["retired"].append({"path": old["path"], "retired_at": _iso(now)})
        return target, old

    def _publish(
        self,
        batch: list[_Staged],
        on_progress: ProgressCallback | None = None,
        before_publish: BeforePublish | None = None,
    ) -> list[LoadResult | LoadRefusal]:
        """Move staged street partitions into place and switch the manifest, under the lock.

        A partition ``before_publish`` refuses is left out (a :class:`LoadRefusal`)."""
        with self._writer_lock():
            manifest = read_manifest(self.root)
            now = _now()
            codes = self._reference_codes(manifest)
            replaced: dict[int, bool] = {}
            previous: dict[int, int | None] = {}
            refused: dict[int, LoadRefusal] = {}
            moved: list[Path] = []
            try:
                for index, staged in enumerate(batch):
                    meta = staged.meta
                    key = partition_key(meta["dataset"], meta["force_slug"], meta["month"])
                    old = manifest["partitions"].get(key)
                    previous[index] = None if old is None else int(old["row_count"])
                    if before_publish is not None:
                        try:
                            before_publish(
                                PendingReplacement(
                                    force=meta["force_slug"],
                                    month=meta["month"],
                                    rows=staged.rows,
                                    previous_rows=previous[index],
                                    source_name=meta["source_name"],
                                )
                            )
                        except Exception as exc:
                            refused[index] = LoadRefusal(staged.file, exc)
                            continue
                    replaced[index] = self._place(manifest, staged, codes, now, moved)
                expired = self._switch(manifest, now) if replaced else []
            except BaseException:
                for target in moved:  # not published: readers never saw them
                    with contextlib.suppress(OSError):
                        target.unlink()
                raise
            self._sweep(manifest, expired)
        finished = time.perf_counter()
        results: list[LoadResult | LoadRefusal] = []
        for index, staged in enumerate(batch):
            if index in refused:
                results.append(refused[index])
                continue
            meta = staged.meta
            entry = manifest["partitions"][
                partition_key(meta["dataset"], meta["force_slug"], meta["month"])
            ]
            results.append(
                LoadResult(
                    rows=staged.rows,
                    force=meta["force_slug"],
                    month=meta["month"],
                    replaced=replaced[index],
                    seconds=finished - staged.started,
                    source_name=meta["source_name"],
                    version=staged.version,
                    path=self.root / entry["path"],
                    previous_rows=previous[index],
                )
            )
            if on_progress:
                on_progress(staged.rows)
        return results

    def _place(
        self,
        manifest: dict,
        staged: _Staged,
        codes: tuple[frozenset[str], frozenset[str]] | None,
        now: datetime,
        moved: list[Path],
    ) -> bool:
        """Rename one staged partition into place and enter it in ``manifest`` (not yet
        switched). Returns True if it replaces a loaded partition."""
        meta = staged.meta
        key = partition_key(meta["dataset"], meta["force_slug"], meta["month"])
        relative = (
            f"dataset={meta['dataset']}/force={meta['force_slug']}/month={meta['month']}"
            f"/part-{staged.version}.parquet"
        )
        target, old = self._move_into_place(staged.file, relative, key, manifest, now, moved)
        vintage = None
        if codes is not None and staged.lsoa_codes is not None:
            vintage = _vintage(*_count_vintages(staged.lsoa_codes, *codes))
        manifest["partitions"][key] = {
            "dataset": meta["dataset"],
            "force_slug": meta["force_slug"],
            "month": meta["month"],
            "path": relative,
            "version": staged.version,
            "row_count": staged.rows,
            "bytes": target.stat().st_size,
            "source_name": meta["source_name"],
            "source_sha256": meta["source_sha256"],
            "loaded_at": _iso(now),
            "lsoa_vintage": vintage,
        }
        return old is not None

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
        # No indent: json's C encoder only runs without one (10x faster on a national manifest
        # of thousands of partitions, rewritten at every switch).
        text = json.dumps(manifest, sort_keys=True) + "\n"
        temporary = self.root / f"{MANIFEST_NAME}.tmp-{new_version()}"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.root / MANIFEST_NAME)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        _fsync_dir(self.root)
        return [item["path"] for item in expired]

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

    # --- other datasets (partner data) -------------------------------------------------

    def publish_partitions(
        self,
        dataset: str,
        tables: dict[str, pa.Table],
        *,
        owner: str,
        source_name: str,
        source_sha256: str,
        details: dict[str, dict] | None = None,
    ) -> PublishResult:
        """Publish one month-partition per table of a dataset, in one manifest switch.

        The generic counterpart of :meth:`load_policeuk_file` for data validated elsewhere
        (partner datasets: ``saferstat.analytics.partner.store``). Each table is written to
        ``dataset=<dataset>/owner=<owner>/month=<YYYY-MM>/part-<version>.parquet`` under the
        same rules (staged, fsynced, row count and columns checked, renamed, one atomic
        manifest switch). A month already loaded for this dataset and owner is replaced;
        other months are kept. Readers see all the new months or none of them.

        Args:
            dataset: the dataset name (lower case, digits, ``_`` and ``-``; not police.uk).
            tables: ``{"YYYY-MM": table}``; every table of one call should share a schema.
            owner: who the data belongs to (a partnership slug); the manifest's ``force_slug``.
            source_name: the file the rows came from.
            source_sha256: its SHA-256.
            details: extra manifest keys per month (JSON values), e.g. ``{"period": ...}``.

        Returns:
            What was published.

        Raises:
            ValueError: a bad name or month, or no tables.
            WarehouseError: a stored copy did not check out; the previous state is kept.
        """
        if not _NAME_RE.match(dataset or "") or dataset == STREET_DATASET:
            raise ValueError(f"{dataset!r} is not a dataset name this method may publish")
        if not _NAME_RE.match(owner or ""):
            raise ValueError(f"{owner!r} is not an owner name (lower case, digits, _ and -)")
        if not tables:
            raise ValueError("nothing to publish: give at least one month")
        for month in tables:
            if not _MONTH_RE.match(month) or not 1 <= int(month[5:7]) <= 12:
                raise ValueError(f"{month!r} is not a month (YYYY-MM)")
        details = details or {}
        started = time.perf_counter()
        staged: dict[str, _Staged] = {}
        try:
            for month, table in sorted(tables.items()):
                metadata = {
                    "saferstat.dataset": dataset,
                    "saferstat.owner": owner,
                    "saferstat.month": month,
                    "saferstat.source_name": source_name,
                    "saferstat.source_sha256": source_sha256,
                }
                item = staged[month] = self._stage(table.replace_schema_metadata(metadata), started)
                stored = pq.read_metadata(item.file)
                if stored.num_rows != table.num_rows:
                    raise WarehouseError(
                        f"{source_name}: the stored copy of {month} has {stored.num_rows:,} rows "
                        f"but {table.num_rows:,} were given; nothing was published"
                    )
                if (
                    not stored.schema.to_arrow_schema()
                    .remove_metadata()
                    .equals(table.schema.remove_metadata())
                ):
                    raise WarehouseError(
                        f"{source_name}: the stored copy of {month} has the wrong columns"
                    )
            with self._writer_lock():
                manifest = read_manifest(self.root)
                now = _now()
                moved: list[Path] = []
                replaced: list[str] = []
                try:
                    for month, item in staged.items():
                        key = partition_key(dataset, owner, month)
                        relative = (
                            f"dataset={dataset}/owner={owner}/month={month}"
                            f"/part-{item.version}.parquet"
                        )
                        target, old = self._move_into_place(
                            item.file, relative, key, manifest, now, moved
                        )
                        if old is not None:
                            replaced.append(month)
                        manifest["partitions"][key] = {
                            **details.get(month, {}),
                            "dataset": dataset,
                            "force_slug": owner,
                            "month": month,
                            "path": relative,
                            "version": item.version,
                            "row_count": item.rows,
                            "bytes": target.stat().st_size,
                            "source_name": source_name,
                            "source_sha256": source_sha256,
                            "loaded_at": _iso(now),
                            "lsoa_vintage": None,
                        }
                    expired = self._switch(manifest, now)
                except BaseException:
                    for target in moved:  # not published: readers never saw them
                        with contextlib.suppress(OSError):
                            target.unlink()
                    raise
                self._sweep(manifest, expired)
        finally:
            for item in staged.values():
                item.discard()
        return PublishResult(
            dataset=dataset,
            owner=owner,
            months=sorted(staged),
            replaced=replaced,
            rows=sum(item.rows for item in staged.values()),
            version=next(iter(staged.values())).version,
            seconds=time.perf_counter() - started,
        )

    # --- reference data ----------------------------------------------------------------

    def load_reference(self, folder: str | os.PathLike) -> ReferenceLoadResult:
        """Build the ONS reference tables from ``folder`` and publish them together.

        Also re-derives the LSOA vintage of every loaded police.uk partition.

        Raises:
            ReferenceDataError: the folder is incomplete or a file breaks a rule.
        """
        started = time.perf_counter()
        built = ref.build_reference_tables(folder)
        staged: dict[str, _Staged] = {}
        try:
            for name, table in built.tables.items():
                staged[name] = self._stage(table, started)
                stored = pq.read_metadata(staged[name].file).num_rows
                if stored != table.num_rows:
                    raise WarehouseError(
                        f"reference table {name}: stored {stored:,} rows, built {table.num_rows:,}"
                    )
            with self._writer_lock():
                manifest = read_manifest(self.root)
                now = _now()
                sources = {
                    key: {"name": s.path.name, "sha256": s.sha256, "rows": s.rows}
                    for key, s in built.sources.items()
                }
                moved: list[Path] = []
                try:
                    for name, item in staged.items():
                        relative = f"{REFERENCE_NAME}/{name}/part-{item.version}.parquet"
                        target = self.root / relative
                        _makedirs_durable(target.parent, self.root)
                        os.rename(item.file, target)
                        moved.append(target)
                        _fsync_dir(target.parent)
                        old = manifest["reference"].get(name)
                        if old is not None:
                            manifest["retired"].append(
                                {"path": old["path"], "retired_at": _iso(now)}
                            )
                        manifest["reference"][name] = {
                            "path": relative,
                            "version": item.version,
                            "row_count": item.rows,
                            "loaded_at": _iso(now),
                            "sources": sources,
                        }
                    self._rederive_vintages(manifest)
                    expired = self._switch(manifest, now)
                except BaseException:
                    for target in moved:  # not published: readers never saw them
                        with contextlib.suppress(OSError):
                            target.unlink()
                    raise
                self._sweep(manifest, expired)
        finally:
            for item in staged.values():
                item.discard()
        return ReferenceLoadResult(
            tables={name: t.num_rows for name, t in built.tables.items()},
            sources={key: str(s.path) for key, s in built.sources.items()},
            seconds=time.perf_counter() - started,
            notes=built.notes,
        )

    def _reference_codes(self, manifest: dict) -> tuple[frozenset[str], frozenset[str]] | None:
        """(2011 codes, 2021 codes) of the current reference, or None if none is loaded."""
        entry = manifest["reference"].get("lsoa_by_code")
        if entry is None:
            return None
        cache = self._reference_cache
        if cache is None or cache[0] != entry["path"]:
            # ParquetFile, not pq.read_table: that goes through pyarrow.dataset, which
            # imports pandas (a second or more) wherever pandas is installed.
            table = pq.ParquetFile(self.root / entry["path"]).read(
                columns=["lsoa_code", "in_2011", "in_2021"]
            )
            codes = table.column("lsoa_code")
            in11 = frozenset(pc.filter(codes, table.column("in_2011")).to_pylist())
            in21 = frozenset(pc.filter(codes, table.column("in_2021")).to_pylist())
            cache = self._reference_cache = (entry["path"], in11, in21)
        return cache[1], cache[2]

    def _rederive_vintages(self, manifest: dict) -> None:
        """Set ``lsoa_vintage`` of every street partition from the (new) reference."""
        entries = [e for e in manifest["partitions"].values() if e["dataset"] == STREET_DATASET]
        if not entries:
            return
        codes = self._reference_codes(manifest)
        if codes is None:
            return
        files = [str(self.root / e["path"]) for e in entries]
        import duckdb

        con = duckdb.connect()
        try:
            con.register("_in11", pa.table({"lsoa_code": pa.array(sorted(codes[0]), pa.string())}))
            con.register("_in21", pa.table({"lsoa_code": pa.array(sorted(codes[1]), pa.string())}))
            rows = con.execute(
                f"""
                WITH codes AS (
                    SELECT DISTINCT filename, lsoa_code
                    FROM read_parquet({_sql_list(files)}, filename = true)
                    WHERE lsoa_code IS NOT NULL
                )
                SELECT filename,
                       count(*) FILTER (WHERE a.lsoa_code IS NOT NULL AND b.lsoa_code IS NULL),
                       count(*) FILTER (WHERE b.lsoa_code IS NOT NULL AND a.lsoa_code IS NULL),
                       count(*) FILTER (WHERE a.lsoa_code IS NOT NULL OR b.lsoa_code IS NOT NULL)
                FROM codes c
                LEFT JOIN _in11 a ON a.lsoa_code = c.lsoa_code
                LEFT JOIN _in21 b ON b.lsoa_code = c.lsoa_code
                GROUP BY filename
                """
            ).fetchall()
        finally:
            con.close()
        by_file = {Path(name).name: counts for name, *counts in rows}
        for entry in entries:
            counts = by_file.get(Path(entry["path"]).name)
            entry["lsoa_vintage"] = _vintage(*counts) if counts else None


def _count_vintages(
    codes: pa.Array, in11: frozenset[str], in21: frozenset[str]
) -> tuple[int, int, int]:
    only11 = only21 = known = 0
    for code in codes.to_pylist():
        a, b = code in in11, code in in21
        only11 += a and not b
        only21 += b and not a
        known += a or b
    return only11, only21, known


def _owner_gone(directory: Path) -> bool:
    """True if no live process holds the staging folder's lock."""
    owner = directory / ".owner"
    try:
        fd = os.open(owner, os.O_RDWR)
    except NotADirectoryError:
        return True  # a stray file, not a writer's folder
    except FileNotFoundError:
        # Either being created right now, or a writer died before creating it: decide by age.
        try:
            return time.time() - directory.stat().st_mtime > 60
        except FileNotFoundError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


# --- reading: DuckDB views -------------------------------------------------------------


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_sql_str(i) for i in items) + "]"


_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
}


def _empty_select(schema: pa.Schema) -> str:
    columns = ", ".join(f"CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS {f.name}" for f in schema)
    return f"SELECT {columns} WHERE false"


_STREET_COLUMNS = (
    "crime_id, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, "
    "crime_type, last_outcome_category, context"
)

LOADED_PARTITIONS_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("force_slug", pa.string()),
        ("month", pa.string()),
        ("row_count", pa.int64()),
        ("source_name", pa.string()),
        ("source_sha256", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("lsoa_vintage", pa.int32()),
        ("version", pa.string()),
        ("path", pa.string()),
    ]
)


_READ_CACHE: dict[Path, tuple[tuple[int, int, int], dict]] = {}
_READ_CACHE_LOCK = threading.Lock()


def _manifest_for_reading(root: Path) -> tuple[tuple[int, int, int] | None, dict]:
    """The current manifest for a reader and its version key, parsed once per version.

    A national manifest (thousands of partitions, a few MB) takes ~0.1 s to parse, and a web
    request opens a connection each time. The manifest is only ever replaced (a new file
    renamed over it), so (inode, size, mtime) names a version. Writers never use this: they
    re-read under the lock and change what they read; readers must not change the result.
    """
    try:
        st = (root / MANIFEST_NAME).stat()
    except FileNotFoundError:
        return None, read_manifest(root)
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    with _READ_CACHE_LOCK:
        cached = _READ_CACHE.get(root)
    if cached is not None and cached[0] == key:
        return key, cached[1]
    manifest = read_manifest(root)
    with _READ_CACHE_LOCK:
        _READ_CACHE[root] = (key, manifest)
    return key, manifest


#: Built catalogues: an in-memory DuckDB database holding the views over one manifest
#: version (and one set of forces). :func:`connect` hands out a cursor on one, a new
#: connection to the same database, in microseconds instead of building the views again
#: (~50 ms at national scale): a web request opens one each time.
_CATALOGUES: OrderedDict[tuple, duckdb.DuckDBPyConnection] = OrderedDict()
_CATALOGUES_MAX = 8


def connect(
    root: str | os.PathLike,
    *,
    manifest: dict | None = None,
    force_slugs: Iterable[str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection over the warehouse at ``root``, with these views.

    ``street_crimes``, ``lsoa_lookup``, ``lsoa21_population``, ``la_codes``,
    ``loaded_partitions`` (the contract), plus ``lsoa11_lsoa21``, ``lsoa11_ward19`` and
    ``lsoa11_imd2019``. Column lists are in ``docs/warehouse.md``.

    The connection sees the warehouse as it was when it was opened (one manifest); open one
    per request or task rather than keeping it for hours (replaced files are deleted
    ``keep_superseded_seconds`` after they were replaced). A warehouse that does not exist
    yet gives empty views. Connections opened on the same manifest version share one
    in-memory database (each is a cursor on it), so opening one is cheap; a connection's
    own temporary tables and registered objects stay its own. Never run ``SET``, ``ATTACH``
    or a non-``TEMP`` ``CREATE``/``DROP`` on one: it would change the database every other
    connection on that version shares.

    Args:
        root: the warehouse folder.
        manifest: a manifest already read (default: read it now). Given, the connection
            gets a database of its own.
        force_slugs: put only these forces' police.uk files in ``street_crimes`` (default:
            every force). For a connection that answers for one partnership, which passes
            the same ``force_slugs`` to the measures anyway: DuckDB binds the view's file
            list on every query, about 20 microseconds a file, so with a national warehouse
            (43 forces x 120 months) each query would otherwise pay ~0.1 s before reading
            a row. ``loaded_partitions`` still lists every force.
    """
    root = Path(root).resolve()
    forces = None if force_slugs is None else frozenset(force_slugs)
    if manifest is not None:
        return _build_catalogue(root, manifest, forces)
    version, manifest = _manifest_for_reading(root)
    key = (root, version, forces)
    with _READ_CACHE_LOCK:
        base = _CATALOGUES.get(key)
        if base is not None:
            _CATALOGUES.move_to_end(key)
            return base.cursor()
    built = _build_catalogue(root, manifest, forces)
    with _READ_CACHE_LOCK:
        base = _CATALOGUES.setdefault(key, built)  # another thread may have been quicker
        while len(_CATALOGUES) > _CATALOGUES_MAX:
            _CATALOGUES.popitem(last=False)  # open cursors keep their database alive
        return base.cursor()


def _build_catalogue(
    root: Path, manifest: dict, forces: frozenset[str] | None
) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        _create_views(con, root, manifest, None if forces is None else set(forces))
    except BaseException:
        con.close()
        raise
    return con


_REFERENCE_TABLES: dict[Path, pa.Table] = {}


def _reference_table(path: Path) -> pa.Table:
    """A reference table read once per process (its file name carries its version, so the file
    never changes). Every street query joins the LSOA lookup: scanning it from memory instead
    of decoding its Parquet file each time halves a small query's time."""
    with _READ_CACHE_LOCK:
        table = _REFERENCE_TABLES.get(path)
    if table is None:
        table = pq.ParquetFile(path).read()  # not pq.read_table: see _reference_codes
        with _READ_CACHE_LOCK:
            if len(_REFERENCE_TABLES) > 32:  # superseded versions: start again
                _REFERENCE_TABLES.clear()
            _REFERENCE_TABLES[path] = table
    return table


def _create_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """A table in the database (not a registered Arrow object, which only the connection
    that registered it sees): cursors on the catalogue share it."""
    con.register("_arrow", table)
    try:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _arrow")
    finally:
        con.unregister("_arrow")


def _create_views(
    con: duckdb.DuckDBPyConnection, root: Path, manifest: dict, forces: set[str] | None = None
) -> None:
    for name, schema in ref.SCHEMAS.items():
        entry = manifest["reference"].get(name)
        if entry is None:
            body = _empty_select(schema)
        else:
            columns = ", ".join(schema.names)
            _create_table(con, f"_ref_{name}", _reference_table(root / entry["path"]))
            body = f"SELECT {columns} FROM _ref_{name}"
        view = "_lsoa_by_code" if name == "lsoa_by_code" else name
        con.execute(f"CREATE VIEW {view} AS {body}")

    entries = sorted(
        manifest["partitions"].values(), key=lambda e: (e["dataset"], e["force_slug"], e["month"])
    )
    partitions = pa.table(
        {
            "dataset": [e["dataset"] for e in entries],
            "force_slug": [e["force_slug"] for e in entries],
            "month": [e["month"] for e in entries],
            "row_count": [e["row_count"] for e in entries],
            "source_name": [e["source_name"] for e in entries],
            "source_sha256": [e["source_sha256"] for e in entries],
            "loaded_at": [_parse_iso(e["loaded_at"]) for e in entries],
            "lsoa_vintage": [e.get("lsoa_vintage") for e in entries],
            "version": [e["version"] for e in entries],
            "path": [e["path"] for e in entries],
        },
        schema=LOADED_PARTITIONS_SCHEMA,
    )
    _create_table(con, "_loaded_partitions", partitions)
    con.execute("CREATE VIEW loaded_partitions AS SELECT * FROM _loaded_partitions")

    street = [
        e
        for e in entries
        if e["dataset"] == STREET_DATASET and (forces is None or e["force_slug"] in forces)
    ]
    groups: dict[int | None, list[str]] = {}
    for e in street:
        groups.setdefault(e.get("lsoa_vintage"), []).append(str(root / e["path"]))
    selects = []
    for vintage, files in sorted(groups.items(), key=lambda kv: kv[0] or 0):
        selects.append(
            f"""SELECT force AS force_slug, month, month_date, source_line, {_STREET_COLUMNS},
                   CAST({"NULL" if vintage is None else vintage} AS INTEGER) AS partition_vintage
            FROM read_parquet({_sql_list(files)}, hive_partitioning = true,
                 hive_types = {{'dataset': VARCHAR, 'force': VARCHAR, 'month': VARCHAR}})"""
        )
    if not selects:
        nulls = ", ".join(
            f"CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS {f.name}"
            for f in STORED_SCHEMA
            if f.name not in ("source_line", "month_date")
        )
        selects.append(
            "SELECT CAST(NULL AS VARCHAR) AS force_slug, CAST(NULL AS VARCHAR) AS month, "
            f"CAST(NULL AS DATE) AS month_date, CAST(NULL AS BIGINT) AS source_line, {nulls}, "
            "CAST(NULL AS INTEGER) AS partition_vintage WHERE false"
        )
    con.execute("CREATE VIEW _street_raw AS " + "\nUNION ALL\n".join(selects))
    con.execute(
        """
        CREATE VIEW street_crimes AS
        SELECT r.force_slug, r.month, r.month_date, r.source_line, r.crime_id, r.reported_by,
               r.falls_within, r.longitude, r.latitude, r.location, r.lsoa_code, r.lsoa_name,
               r.crime_type, r.last_outcome_category, r.context,
               CAST(CASE WHEN k.lsoa_code IS NULL THEN NULL
                         WHEN k.in_2011 AND k.in_2021 THEN coalesce(r.partition_vintage, 2021)
                         WHEN k.in_2021 THEN 2021
                         ELSE 2011 END AS INTEGER) AS lsoa_vintage,
               k.lsoa21_code, k.ward_code, k.ward_name, k.lad_code
        FROM _street_raw r
        LEFT JOIN _lsoa_by_code k ON k.lsoa_code = r.lsoa_code
        """
    )

    from saferstat.analytics import partner  # partner imports this module

    partner.create_views(con, root, entries)
