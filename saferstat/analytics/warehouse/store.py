"""The :class:`Warehouse`: one object for the folder, its loads and its questions."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:  # imported where used: loading files never needs DuckDB
    import duckdb

from saferstat.analytics.periods import missing_months
from saferstat.analytics.policeuk import UnpackLimits
from saferstat.analytics.warehouse.catalogue import connect
from saferstat.analytics.warehouse.datasets import _Datasets
from saferstat.analytics.warehouse.loads import _PoliceUkLoads
from saferstat.analytics.warehouse.manifest import (
    STREET_DATASET,
    LockedFiles,
    locked_files,
    partition_key,
    read_manifest,
)
from saferstat.analytics.warehouse.publish import DEFAULT_KEEP_SUPERSEDED_SECONDS


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


class Warehouse(_PoliceUkLoads, _Datasets):
    """The analytical store at ``root`` (created on first write).

    Loading police.uk files is in :mod:`~saferstat.analytics.warehouse.loads`, reference and
    partner datasets in :mod:`~saferstat.analytics.warehouse.datasets`, the publish
    transaction and sweeping in :mod:`~saferstat.analytics.warehouse.publish`.

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

    @contextlib.contextmanager
    def locked_files(self, *, timeout: float | None = None) -> Iterator[LockedFiles]:
        """Every file of the warehouse as one consistent set, held still while the block
        runs (the writer lock is held: no load publishes meanwhile). For backups: copy
        :attr:`~LockedFiles.manifest_bytes` and each of :attr:`~LockedFiles.files`.

        Raises:
            WarehouseBusy: an import held the lock for ``timeout`` seconds.
            WarehouseError: the manifest names a file that is missing (a damaged warehouse).
        """
        with locked_files(self.root, timeout=timeout) as files:
            yield files

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
