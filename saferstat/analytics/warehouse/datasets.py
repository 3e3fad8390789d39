"""Publishing the other datasets: ONS reference tables and partner datasets.

Both go through the same staging checks and the one publish transaction as police.uk months
(:mod:`saferstat.analytics.warehouse.publish`).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import pyarrow as pa

from saferstat.analytics import ons
from saferstat.analytics.warehouse.manifest import (
    REFERENCE_NAME,
    STREET_DATASET,
    _iso,
    partition_key,
)
from saferstat.analytics.warehouse.publish import _Staged, _Store

#: Names of datasets and owners published with :meth:`_Datasets.publish_partitions`.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class ReferenceLoadResult:
    """Reference tables stored: row count per table, and the source files."""

    tables: dict[str, int]
    sources: dict[str, str]
    seconds: float
    notes: list[str] = field(default_factory=list)


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


class _Datasets(_Store):
    """Reference tables and partner datasets (a part of
    :class:`~saferstat.analytics.warehouse.Warehouse`)."""

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
        replaced: list[str] = []
        try:
            for month, table in sorted(tables.items()):
                metadata = {
                    "saferstat.dataset": dataset,
                    "saferstat.owner": owner,
                    "saferstat.month": month,
                    "saferstat.source_name": source_name,
                    "saferstat.source_sha256": source_sha256,
                }
                staged[month] = self._stage_checked(
                    table.replace_schema_metadata(metadata),
                    started,
                    what=source_name,
                    of=f" of {month}",
                )
            with self._publishing() as tx:
                for month, item in staged.items():
                    key = partition_key(dataset, owner, month)
                    relative = (
                        f"dataset={dataset}/owner={owner}/month={month}/part-{item.version}.parquet"
                    )
                    target, old = tx.place(item.file, relative, "partitions", key)
                    if old is not None:
                        replaced.append(month)
                    tx.manifest["partitions"][key] = {
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
                        "loaded_at": _iso(tx.now),
                        "lsoa_vintage": None,
                    }
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

    def load_reference(self, folder: str | os.PathLike) -> ReferenceLoadResult:
        """Build the ONS reference tables from ``folder`` and publish them together.

        Also re-derives the LSOA vintage of every loaded police.uk partition.

        Raises:
            ReferenceDataError: the folder is incomplete or a file breaks a rule.
        """
        started = time.perf_counter()
        built = ons.build_reference_tables(folder)
        staged: dict[str, _Staged] = {}
        try:
            for name, table in built.tables.items():
                staged[name] = self._stage_checked(
                    table, started, what=f"reference table {name}", source="the built table"
                )
            with self._publishing() as tx:
                sources = {
                    key: {"name": s.path.name, "sha256": s.sha256, "rows": s.rows}
                    for key, s in built.sources.items()
                }
                for name, item in staged.items():
                    relative = f"{REFERENCE_NAME}/{name}/part-{item.version}.parquet"
                    tx.place(item.file, relative, "reference", name)
                    tx.manifest["reference"][name] = {
                        "path": relative,
                        "version": item.version,
                        "row_count": item.rows,
                        "loaded_at": _iso(tx.now),
                        "sources": sources,
                    }
                self._rederive_vintages(tx.manifest)  # loads._PoliceUkLoads
        finally:
            for item in staged.values():
                item.discard()
        return ReferenceLoadResult(
            tables={name: t.num_rows for name, t in built.tables.items()},
            sources={key: str(s.path) for key, s in built.sources.items()},
            seconds=time.perf_counter() - started,
            notes=built.notes,
        )
