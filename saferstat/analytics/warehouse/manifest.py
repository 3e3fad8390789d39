"""The manifest and the writer lock: what the warehouse holds, and who may change it.

``manifest.json`` names the current file of every partition and is only ever replaced whole
(one ``os.replace``); writers hold an ``fcntl`` lock on ``.lock`` while they publish. Anything
that needs the warehouse's files as one consistent set (a backup) takes the same lock through
:func:`locked_files` instead of reading these internals itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from saferstat.analytics.constants import STREET_DATASET  # noqa: F401 (re-exported)

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
STAGING_NAME = "staging"
REFERENCE_NAME = "reference"
MANIFEST_FORMAT = 1


class WarehouseError(RuntimeError):
    """The warehouse refused an operation (and kept its previous state)."""


class WarehouseBusy(WarehouseError):
    """The writer lock stayed taken (an import publishing) for longer than allowed."""


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


# --- the manifest ----------------------------------------------------------------------


def empty_manifest() -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "generation": 0,
        "updated_at": None,
        "partitions": {},
        "reference": {},
        "retired": [],
    }


def parse_manifest(text: str | bytes, where: str | os.PathLike = MANIFEST_NAME) -> dict:
    """A manifest from its text, checked for format (``where`` names it in errors)."""
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise WarehouseError(f"{where}: not a valid manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise WarehouseError(f"{where}: manifest format {found!r} is not {MANIFEST_FORMAT}")
    for key, value in empty_manifest().items():
        manifest.setdefault(key, value)
    return manifest


def read_manifest(root: str | os.PathLike) -> dict:
    """The current manifest of the warehouse at ``root`` (an empty one if none yet)."""
    path = Path(root) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_manifest()
    return parse_manifest(text, path)


def write_manifest(root: Path, manifest: dict) -> None:
    """Replace the current manifest with ``manifest`` atomically (hold the writer lock)."""
    # No indent: json's C encoder only runs without one (10x faster on a national manifest
    # of thousands of partitions, rewritten at every switch).
    text = json.dumps(manifest, sort_keys=True) + "\n"
    temporary = root / f"{MANIFEST_NAME}.tmp-{new_version()}"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, root / MANIFEST_NAME)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_dir(root)


def partition_key(dataset: str, force: str, month: str) -> str:
    return f"{dataset}/{force}/{month}"


# --- the writer lock -------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(root: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the writer lock of the warehouse at ``root`` (creating the folder if needed).

    Args:
        timeout: give up after this many seconds with :class:`WarehouseBusy` (default: wait
            for as long as it takes).
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WarehouseBusy(
                            f"The warehouse at {root} stayed locked by an import for "
                            f"{timeout:.0f} s."
                        ) from None
                    time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # releases the lock


# --- a consistent set of files ---------------------------------------------------------


@dataclass(frozen=True)
class LockedFiles:
    """The warehouse's files as one consistent set, valid while the lock is held.

    Attributes:
        root: the warehouse folder.
        manifest_bytes: ``manifest.json`` exactly as it is on disk (None: no warehouse yet).
        files: paths relative to ``root`` (POSIX form) of every file the manifest names, plus
            reference files that are not versioned Parquet partitions; sorted.
        generation: the manifest's generation (None: no warehouse yet).
    """

    root: Path
    manifest_bytes: bytes | None
    files: tuple[str, ...]
    generation: int | None

    def path(self, relative: str) -> Path:
        return inside(self.root, relative)


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing a path that would leave ``root``."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise WarehouseError(f"The warehouse manifest names an unsafe path {relative!r}.")
    return root.joinpath(*parts)


def list_files(root: Path, manifest_bytes: bytes) -> list[str]:
    """The files a consistent copy of the warehouse needs (see :class:`LockedFiles`).

    Raises:
        WarehouseError: the manifest is not valid, or names a file that is missing.
    """
    manifest = parse_manifest(manifest_bytes, root / MANIFEST_NAME)
    named = {entry["path"] for entry in manifest["partitions"].values()}
    named |= {entry["path"] for entry in manifest["reference"].values()}
    reference = root / REFERENCE_NAME
    if reference.is_dir():
        for path in reference.rglob("*"):
            if path.is_file() and not (path.name.startswith("part-") and path.suffix == ".parquet"):
                named.add(path.relative_to(root).as_posix())
    for relative in named:
        if not inside(root, relative).is_file():
            raise WarehouseError(
                f"The warehouse manifest names {relative}, which is missing: the warehouse is "
                "damaged. Reload the affected data before backing up."
            )
    return sorted(named)


@contextlib.contextmanager
def locked_files(root: str | os.PathLike, *, timeout: float | None = None) -> Iterator[LockedFiles]:
    """The warehouse's files, with the writer lock held until the block ends.

    Nothing is published while the block runs, so the files stay exactly the set
    :attr:`LockedFiles.files` names (the manifest among them, as ``manifest_bytes``). A
    folder that is not a warehouse yet gives an empty set (and creates nothing).

    Raises:
        WarehouseBusy: the lock stayed taken for ``timeout`` seconds.
        WarehouseError: the warehouse is damaged (see :func:`list_files`).
    """
    root = Path(root)
    if not root.is_dir():
        yield LockedFiles(root, None, (), None)
        return
    with writer_lock(root, timeout=timeout):
        manifest_path = root / MANIFEST_NAME
        if not manifest_path.is_file():
            yield LockedFiles(root, None, (), None)
            return
        manifest_bytes = manifest_path.read_bytes()
        files = tuple(list_files(root, manifest_bytes))
        generation = json.loads(manifest_bytes).get("generation")
        yield LockedFiles(root, manifest_bytes, files, generation)
