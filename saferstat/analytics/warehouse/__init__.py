"""The analytical store: Parquet files published through a manifest, read with DuckDB.

Layout and rules are the contract in ``docs/warehouse.md``. In short:

* every partition (one force-month of police.uk street crimes, one month of a partner
  dataset, or one reference table) is a Parquet file with a fresh version in its name,
  written under ``staging/``, fsynced, checked (the stored row count must equal the file's
  own row count) and then renamed into place;
* ``manifest.json`` names the current file of every partition and is replaced with one
  ``os.replace``; readers only read files the manifest names, so they see the old state or the
  new one and never a mix; a load killed at any moment leaves the previous state;
* writers hold an ``fcntl`` lock on ``.lock`` while they publish (never while they read and
  validate); readers take no lock;
* a replaced file is kept for ``keep_superseded_seconds`` (readers that opened a connection
  before the switch may still be reading it) and then swept; files a killed writer left behind
  are swept by the next writer.

The package, by concern:

* :mod:`.manifest`: the manifest, the writer lock, and :func:`locked_files` (a consistent,
  locked set of the warehouse's files, for backups);
* :mod:`.publish`: staging and the one publish-and-roll-back transaction, sweeping;
* :mod:`.loads`: police.uk street files (and LSOA vintages);
* :mod:`.datasets`: ONS reference tables and partner datasets;
* :mod:`.catalogue`: :func:`connect` and the DuckDB views, cached per manifest version;
* :mod:`.store`: the :class:`Warehouse` object tying them together.
"""

from __future__ import annotations

# ``os`` and ``pq`` are here for tests that break a write on purpose (monkeypatching their
# functions changes them for every module of the package).
import os  # noqa: F401

import pyarrow.parquet as pq  # noqa: F401

from saferstat.analytics.periods import missing_months
from saferstat.analytics.periods import month_range as months_between
from saferstat.analytics.warehouse.catalogue import (
    _CATALOGUES,
    _CATALOGUES_MAX,
    LOADED_PARTITIONS_SCHEMA,
    PARTNER_DATASET_PREFIX,
    PARTNER_STORED_SCHEMA,
    connect,
)
from saferstat.analytics.warehouse.datasets import PublishResult, ReferenceLoadResult
from saferstat.analytics.warehouse.loads import (
    PUBLISH_BATCH_MAX,
    PUBLISH_INTERVAL_SECONDS,
    BeforePublish,
    LoadRefusal,
    LoadResult,
    PendingReplacement,
    ProgressCallback,
)
from saferstat.analytics.warehouse.manifest import (
    LOCK_NAME,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    REFERENCE_NAME,
    STAGING_NAME,
    STREET_DATASET,
    LockedFiles,
    WarehouseBusy,
    WarehouseError,
    empty_manifest,
    locked_files,
    new_version,
    partition_key,
    read_manifest,
    writer_lock,
)
from saferstat.analytics.warehouse.publish import DEFAULT_KEEP_SUPERSEDED_SECONDS, PARQUET_OPTIONS
from saferstat.analytics.warehouse.store import MonthCoverage, Warehouse


def load_reference(root: str | os.PathLike, folder: str | os.PathLike) -> ReferenceLoadResult:
    """``Warehouse(root).load_reference(folder)``."""
    return Warehouse(root).load_reference(folder)


__all__ = [
    "DEFAULT_KEEP_SUPERSEDED_SECONDS",
    "LOADED_PARTITIONS_SCHEMA",
    "LOCK_NAME",
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "PARQUET_OPTIONS",
    "PARTNER_DATASET_PREFIX",
    "PARTNER_STORED_SCHEMA",
    "PUBLISH_BATCH_MAX",
    "PUBLISH_INTERVAL_SECONDS",
    "REFERENCE_NAME",
    "STAGING_NAME",
    "STREET_DATASET",
    "_CATALOGUES",
    "_CATALOGUES_MAX",
    "BeforePublish",
    "LoadRefusal",
    "LoadResult",
    "LockedFiles",
    "MonthCoverage",
    "PendingReplacement",
    "ProgressCallback",
    "PublishResult",
    "ReferenceLoadResult",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseError",
    "connect",
    "empty_manifest",
    "load_reference",
    "locked_files",
    "missing_months",
    "months_between",
    "new_version",
    "partition_key",
    "read_manifest",
    "writer_lock",
]
