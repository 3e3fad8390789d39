"""Storing a validated partner file in the warehouse, one partition per period."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Collection
from dataclasses import dataclass

import pyarrow as pa

from saferstat.analytics.partner.files import (
    read_table,
)
from saferstat.analytics.partner.schema import (
    _SLUG_RE,
    STORED_SCHEMA,
    DatasetSchema,
    dataset_name,
)
from saferstat.analytics.partner.validation import (
    ValidatedFile,
    validate,
)
from saferstat.analytics.warehouse import Warehouse

# --- storing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreResult:
    """A partner file stored.

    Attributes:
        dataset: warehouse dataset name (``partner_<partnership>_<dataset>``).
        rows: data rows stored (equal to the rows of the file).
        periods: periods stored, in time order.
        replaced: those of ``periods`` that were loaded before and are now replaced.
        version: version of the stored partitions.
        seconds: time from reading the file to the manifest switch (:func:`load_file`), or
            of the publishing alone (:func:`store`).
    """

    dataset: str
    rows: int
    periods: list[str]
    replaced: list[str]
    version: str
    seconds: float


def _warehouse(where: Warehouse | str | os.PathLike) -> Warehouse:
    return where if isinstance(where, Warehouse) else Warehouse(where)


def store(warehouse, data: ValidatedFile, *, partnership_slug: str) -> StoreResult:
    """Publish a validated file: one partition per period, all in one manifest switch.

    The periods in the file replace the same periods already loaded for the dataset; other
    periods are kept. Readers see all of the old periods or all of the new, never a mix.

    Args:
        warehouse: a :class:`~saferstat.analytics.warehouse.Warehouse` or its folder.
        data: from :func:`validate`.
        partnership_slug: the partnership that owns the data.

    Raises:
        WarehouseError: a stored copy did not check out; the previous state is kept.
    """
    if not _SLUG_RE.match(partnership_slug or ""):
        raise ValueError(f"{partnership_slug!r} is not a partnership slug")
    started = time.perf_counter()
    wh = _warehouse(warehouse)
    table = data.table
    n = table.num_rows
    full = pa.table(
        {
            "source_line": table["source_line"],
            "partnership_slug": pa.array([partnership_slug] * n, pa.string()),
            "dataset_slug": pa.array([data.schema.slug] * n, pa.string()),
            **{name: table[name] for name in STORED_SCHEMA.names[3:]},
        },
        schema=STORED_SCHEMA,
    )
    months = full["month"].to_pylist()
    labels = full["period"].to_pylist()
    by_month: dict[str, list[int]] = {}
    label_of: dict[str, str] = {}
    for i, month in enumerate(months):
        by_month.setdefault(month, []).append(i)
        label_of[month] = labels[i]
    tables = {month: full.take(pa.array(rows, pa.int64())) for month, rows in by_month.items()}
    details = {
        month: {
            "period": label_of[month],
            "granularity": data.schema.granularity,
            "area_level": data.schema.area_level,
        }
        for month in tables
    }
    dataset = dataset_name(partnership_slug, data.schema.slug)
    published = wh.publish_partitions(
        dataset,
        tables,
        owner=partnership_slug,
        source_name=data.name,
        source_sha256=data.sha256,
        details=details,
    )
    return StoreResult(
        dataset=dataset,
        rows=n,
        periods=[label_of[m] for m in sorted(tables)],
        replaced=[label_of[m] for m in sorted(published.replaced)],
        version=published.version,
        seconds=time.perf_counter() - started,
    )


def load_file(
    warehouse,
    path: str | os.PathLike,
    *,
    schema: DatasetSchema,
    partnership_slug: str,
    known_area_codes: Collection[str],
    name: str | None = None,
) -> StoreResult:
    """Read, validate and store one partner file (nothing is stored unless all of it is valid).

    Raises:
        PartnerValidationError: the file was refused; ``.messages`` lists the problems.
    """
    started = time.perf_counter()
    data = validate(schema, read_table(path, name=name), known_area_codes=known_area_codes)
    result = store(warehouse, data, partnership_slug=partnership_slug)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)
