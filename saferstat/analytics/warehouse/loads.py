"""Loading police.uk street files: read and validate in parallel, publish in batches.

Each file becomes its force-month partition (``dataset=policeuk_street/force=<slug>/
month=<YYYY-MM>/part-<version>.parquet``); the LSOA vintage of each partition (2011 or 2021
boundaries) is worked out from the reference data when it is published, and again for every
partition when new reference data is loaded.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from saferstat.analytics.policeuk import (
    STORED_SCHEMA,
    PoliceUkValidationError,
    UnpackLimits,
    parse_file_name,
    read_street_file,
)
from saferstat.analytics.warehouse.catalogue import _sql_list
from saferstat.analytics.warehouse.manifest import (
    STREET_DATASET,
    WarehouseError,
    _iso,
    partition_key,
)
from saferstat.analytics.warehouse.publish import _Staged, _Store, _Transaction

#: Loading many files: switch the manifest when this many files are staged, or when this
#: long has passed since the last switch (whichever comes first), and after the last file.
PUBLISH_BATCH_MAX = 64
PUBLISH_INTERVAL_SECONDS = 1.0


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


#: ``on_progress(rows_done)``: rows of the file processed so far (called a few times).
ProgressCallback = Callable[[int], None]


def _vintage(n_2011_only: int, n_2021_only: int, n_known: int) -> int | None:
    """LSOA vintage of a partition from how many of its codes belong to only one vintage."""
    if n_2011_only > n_2021_only:
        return 2011
    if n_known:
        return 2021  # more 2021-only codes, or only codes valid in both (unchanged areas)
    return None


class _PoliceUkLoads(_Store):
    """Loading police.uk street files (a part of :class:`~saferstat.analytics.warehouse.Warehouse`)."""

    unpack_limits: UnpackLimits | None
    _reference_cache: tuple[str, frozenset[str], frozenset[str]] | None

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
        staged = self._stage_checked(
            street.table.replace_schema_metadata(metadata),
            started,
            what=street.name,
            schema=STORED_SCHEMA,
        )
        staged.meta = {
            "dataset": STREET_DATASET,
            "force_slug": street.force_slug,
            "month": street.month,
            "source_name": street.name,
            "source_sha256": street.source_sha256,
            "source_rows": street.rows,
        }
        staged.lsoa_codes = pc.unique(street.table.column("lsoa_code").drop_null())
        return staged

    def _publish(
        self,
        batch: list[_Staged],
        on_progress: ProgressCallback | None = None,
        before_publish: BeforePublish | None = None,
    ) -> list[LoadResult | LoadRefusal]:
        """Move staged street partitions into place and switch the manifest, under the lock.

        A partition ``before_publish`` refuses is left out (a :class:`LoadRefusal`)."""
        replaced: dict[int, bool] = {}
        previous: dict[int, int | None] = {}
        refused: dict[int, LoadRefusal] = {}
        with self._publishing() as tx:
            codes = self._reference_codes(tx.manifest)
            for index, staged in enumerate(batch):
                meta = staged.meta
                key = partition_key(meta["dataset"], meta["force_slug"], meta["month"])
                old = tx.manifest["partitions"].get(key)
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
                replaced[index] = self._place(tx, staged, codes)
            manifest = tx.manifest
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
        tx: _Transaction,
        staged: _Staged,
        codes: tuple[frozenset[str], frozenset[str]] | None,
    ) -> bool:
        """Rename one staged partition into place and enter it in the manifest (not yet
        switched). Returns True if it replaces a loaded partition."""
        meta = staged.meta
        key = partition_key(meta["dataset"], meta["force_slug"], meta["month"])
        relative = (
            f"dataset={meta['dataset']}/force={meta['force_slug']}/month={meta['month']}"
            f"/part-{staged.version}.parquet"
        )
        target, old = tx.place(staged.file, relative, "partitions", key)
        vintage = None
        if codes is not None and staged.lsoa_codes is not None:
            vintage = _vintage(*_count_vintages(staged.lsoa_codes, *codes))
        tx.manifest["partitions"][key] = {
            "dataset": meta["dataset"],
            "force_slug": meta["force_slug"],
            "month": meta["month"],
            "path": relative,
            "version": staged.version,
            "row_count": staged.rows,
            "bytes": target.stat().st_size,
            "source_name": meta["source_name"],
            "source_sha256": meta["source_sha256"],
            "loaded_at": _iso(tx.now),
            "lsoa_vintage": vintage,
        }
        return old is not None

    # --- LSOA vintages -----------------------------------------------------------------

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
