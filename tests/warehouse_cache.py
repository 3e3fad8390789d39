"""Session warehouses built once and kept between test runs (and shared by xdist workers).

Building the demo warehouse (reference data and 65 police.uk months) takes ~10 s on each
worker of each run; its files depend only on the input files, the code under
``saferstat/analytics`` and the DuckDB and PyArrow versions. So a built warehouse is kept
under ``.pytest_cache/saferstat-warehouses/<name>-<key>`` (the key hashes all of those) and
copied for the next session: any change to the loader or the data builds it again. The
copy is what tests get (the kept one is never handed out), and a kept folder appears by an
atomic rename, so a worker never reads a half-written one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".pytest_cache" / "saferstat-warehouses"


def _key(inputs: Iterable[Path]) -> str:
    import duckdb
    import pyarrow

    digest = hashlib.sha256(f"{duckdb.__version__} {pyarrow.__version__}".encode())
    for path in sorted(inputs):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for item in files:
            st = item.stat()
            digest.update(f"{item.relative_to(ROOT)} {st.st_size} {st.st_mtime_ns}\n".encode())
    for source in sorted((ROOT / "saferstat" / "analytics").rglob("*")):
        if source.is_file() and source.suffix in (".py", ".json", ".csv"):
            digest.update(source.relative_to(ROOT).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


def cached_warehouse(name: str, root: Path, inputs: list[Path], build: Callable[[Path], None]):
    """``root`` holding the warehouse ``build(root)`` makes from ``inputs``: a copy of the
    kept one when its key matches, else built now (and kept for next time)."""
    if os.environ.get("SAFERSTAT_TEST_NO_WAREHOUSE_CACHE") == "1":
        build(root)
        return root
    kept = CACHE / f"{name}-{_key(inputs)}"
    if kept.is_dir():
        shutil.copytree(kept, root)
        return root
    build(root)
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = CACHE / f".{kept.name}.{os.getpid()}"
    shutil.copytree(root, staging)
    try:
        os.rename(staging, kept)
    except OSError:  # another worker kept the same one first
        shutil.rmtree(staging, ignore_errors=True)
    for old in CACHE.glob(f"{name}-*"):
        if old != kept:
            shutil.rmtree(old, ignore_errors=True)
    return root
