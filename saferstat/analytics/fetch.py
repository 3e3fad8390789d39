"""Download and check a police.uk monthly archive (no Django: ``saferstat fetch`` and the
scheduled task call this, then load the months through the usual importer).

police.uk publishes one zip a month at ``https://data.police.uk/data/archive/``:
``YYYY-MM.zip`` (and ``latest.zip``, the newest), holding the last three years as
``YYYY-MM/YYYY-MM-<force>-street.csv`` (with outcomes and stop-and-search files, which are
not read). An archive is

1. downloaded to a temporary file, resuming with an HTTP ``Range`` request or retrying with
   backoff when the connection drops or the server answers 5xx (a bounded number of times);
2. checked whole before anything is loaded: the download is as long as the server said, it
   is a zip whose central directory reads, the street files of the wanted forces are named as
   police.uk names them, unpack within :class:`~saferstat.analytics.policeuk.UnpackLimits`,
   and pass their CRC check (:func:`check_archive`);
3. unpacked, member by member and bounded, to plain ``.csv`` files for the importer
   (:func:`extract_members`).

A partial or damaged archive is refused with :class:`ArchiveError`; nothing is loaded.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http.client import HTTPException
from pathlib import Path

from .policeuk import UnpackLimits

DEFAULT_ARCHIVE_URL = "https://data.police.uk/data/archive/"
#: ``YYYY-MM/YYYY-MM-<force>-street.csv``, as police.uk names a street file in its archive.
MEMBER_NAME = re.compile(
    r"^(?:[^/]+/)?(?P<month>\d{4}-(?:0[1-9]|1[0-2]))/(?P=month)-(?P<force>[a-z0-9-]+)-street\.csv$"
)
ARCHIVE_NAME = re.compile(r"^(latest|\d{4}-(0[1-9]|1[0-2]))$")
_CHUNK = 1 << 20
#: Statuses worth trying again: the server is busy or failing for now.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(RuntimeError):
    """The archive could not be downloaded (after the retries allowed)."""


class ArchiveError(ValueError):
    """The downloaded archive is damaged, partial or not what police.uk publishes."""


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try, and how much to accept.

    Attributes:
        attempts: requests at most (the first one and its retries).
        backoff: seconds before the first retry; doubled for each next one.
        timeout: seconds a request may wait for the server.
        max_bytes: the most bytes an archive may have (a real one is about 2 GB).
    """

    attempts: int = 4
    backoff: float = 2.0
    timeout: float = 60.0
    max_bytes: int = 4 * 1024**3


@dataclass
class Download:
    """A complete download: where it is, how long, and how it went."""

    path: Path
    url: str
    bytes: int
    attempts: int
    resumed: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ArchiveMember:
    """One street file in an archive."""

    name: str
    month: str
    force: str
    size: int
    packed: int
    sha256: str = ""

    @property
    def file_name(self) -> str:
        """The name the importer expects: ``YYYY-MM-<force>-street.csv``."""
        return f"{self.month}-{self.force}-street.csv"


def archive_url(base: str, archive: str = "latest") -> str:
    """The address of one archive: ``base`` + ``latest.zip`` or ``YYYY-MM.zip``.

    A ``base`` that already names a ``.zip`` is used as it is.
    """
    if base.lower().endswith(".zip"):
        return base
    if not ARCHIVE_NAME.match(archive):
        raise ValueError(f"{archive!r}: give 'latest' or a month as YYYY-MM")
    return base.rstrip("/") + f"/{archive}.zip"


def download(
    url: str,
    dest: str | Path,
    *,
    policy: FetchPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_note: Callable[[str], None] | None = None,
) -> Download:
    """Download ``url`` to ``dest``, resuming or retrying on failure.

    A dropped connection is resumed from the bytes already written with a ``Range`` request
    (or started again if the server ignores it); a 5xx, 408 or 429 answer, a timeout or a
    refused connection is retried after ``backoff`` seconds, doubling each time, at most
    ``policy.attempts`` requests in all. Other answers (404, 403) fail at once.

    Raises:
        FetchError: the archive could not be downloaded whole; ``dest`` may hold a part of it.
    """
    policy = policy or FetchPolicy()
    dest = Path(dest)
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        if on_note:
            on_note(text)

    dest.write_bytes(b"")
    total: int | None = None
    resumed = 0
    last_error = ""
    for attempt in range(1, policy.attempts + 1):
        if attempt > 1:
            wait = policy.backoff * 2 ** (attempt - 2)
            note(f"attempt {attempt} of {policy.attempts} in {wait:g} s ({last_error})")
            sleep(wait)
        have = dest.stat().st_size
        request = urllib.request.Request(url, headers={"User-Agent": "SaferStat fetch"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as response:  # noqa: S310
                status = response.status
                if have and status == 206:
                    total = _range_total(response.headers.get("Content-Range"), have)
                    resumed += 1
                    mode = "ab"
                else:
                    if have:
                        note("the server does not resume downloads: starting again")
                    length = response.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    mode = "wb"
                if total is not None and total > policy.max_bytes:
                    raise FetchError(
                        f"{url}: the archive is {total:,} bytes, more than the limit of "
                        f"{policy.max_bytes:,} (SAFERSTAT_FETCH_MAX_BYTES)"
                    )
                with dest.open(mode) as out:
                    _copy(response, out, policy.max_bytes, url)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and have and total is not None and have == total:
                break  # asked past the end: we already have everything
            if exc.code not in RETRY_STATUSES:
                raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
            last_error = f"the server answered {exc.code}"
            continue
        except (urllib.error.URLError, HTTPException, TimeoutError, ConnectionError) as exc:
            last_error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            continue
        size = dest.stat().st_size
        if total is not None and size < total:
            last_error = f"the download stopped at {size:,} of {total:,} bytes"
            continue
        if total is not None and size > total:
            raise FetchError(f"{url}: got {size:,} bytes, more than the {total:,} announced")
        break
    else:
        raise FetchError(
            f"{url}: not downloaded after {policy.attempts} attempts ({last_error}); "
            "nothing was loaded"
        )
    size = dest.stat().st_size
    return Download(path=dest, url=url, bytes=size, attempts=attempt, resumed=resumed, notes=notes)


def _range_total(content_range: str | None, have: int) -> int | None:
    """The full length from ``Content-Range: bytes 100-199/200``; the range must start at
    the bytes we have."""
    match = re.match(r"^bytes (\d+)-(\d+)/(\d+|\*)$", content_range or "")
    if not match or int(match.group(1)) != have:
        raise FetchError(f"the server resumed at the wrong place ({content_range!r})")
    return None if match.group(3) == "*" else int(match.group(3))


def _copy(response, out, limit: int, url: str) -> None:
    while piece := response.read(_CHUNK):
        out.write(piece)
        if out.tell() > limit:
            raise FetchError(f"{url}: the archive is more than {limit:,} bytes, the limit")


def check_archive(
    path: str | Path,
    forces: Iterable[str],
    *,
    limits: UnpackLimits | None = None,
) -> list[ArchiveMember]:
    """Check an archive before anything of it is loaded; its street files of ``forces``.

    Checks that it is a readable zip, that each wanted street file is named as police.uk
    names it (once), unpacks within ``limits`` and passes its CRC check (each is read
    whole, bounded, as ``zipfile.testzip`` does), and that there is at least one.

    Raises:
        ArchiveError: the archive is damaged, partial or not a police.uk archive.
    """
    limits = limits or UnpackLimits()
    wanted = set(forces)
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{path.name}: not a complete zip archive ({exc})") from None
    with archive:
        members: dict[tuple[str, str], ArchiveMember] = {}
        street_files = 0
        for info in archive.infolist():
            match = MEMBER_NAME.match(info.filename)
            if not match:
                continue
            street_files += 1
            if match["force"] not in wanted:
                continue
            key = (match["force"], match["month"])
            if key in members:
                raise ArchiveError(f"{info.filename}: the archive holds this month twice")
            allowed = limits.allowed(info.compress_size)
            if info.file_size > allowed:
                raise ArchiveError(
                    f"{info.filename}: unpacks to {info.file_size:,} bytes, more than the "
                    f"{allowed:,} allowed (SAFERSTAT_MAX_UNPACKED_BYTES, "
                    "SAFERSTAT_MAX_UNPACK_RATIO)"
                )
            members[key] = ArchiveMember(
                name=info.filename,
                month=match["month"],
                force=match["force"],
                size=info.file_size,
                packed=info.compress_size,
            )
        if not street_files:
            raise ArchiveError(
                f"{path.name}: no street files (YYYY-MM/YYYY-MM-<force>-street.csv): "
                "not a police.uk archive"
            )
        found = sorted(members.values(), key=lambda m: (m.force, m.month))
        return [replace(member, sha256=_crc_check(archive, member)) for member in found]


def _crc_check(archive: zipfile.ZipFile, member: ArchiveMember) -> str:
    """Read a member whole, bounded by its declared size (zipfile checks its CRC at the
    end); its SHA-256."""
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(member.name) as handle:
            while piece := handle.read(_CHUNK):
                size += len(piece)
                if size > member.size:
                    raise ArchiveError(f"{member.name}: unpacks to more than it declares")
                digest.update(piece)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(f"{member.name}: damaged in the archive ({exc})") from None
    if size != member.size:
        raise ArchiveError(f"{member.name}: {size:,} bytes, not the {member.size:,} declared")
    return digest.hexdigest()


def extract_members(
    path: str | Path, members: Iterable[ArchiveMember], folder: str | Path
) -> dict[ArchiveMember, tuple[Path, str]]:
    """Unpack members (checked by :func:`check_archive`) to ``folder`` under the names the
    importer expects, each bounded by its declared size.

    Returns:
        ``{member: (file, SHA-256 of its bytes)}``.
    """
    folder = Path(folder)
    out: dict[ArchiveMember, tuple[Path, str]] = {}
    with zipfile.ZipFile(path) as archive:
        for member in members:
            target = folder / member.file_name  # our own name: never the archive's path
            digest = hashlib.sha256()
            written = 0
            try:
                with archive.open(member.name) as source, target.open("wb") as sink:
                    while piece := source.read(_CHUNK):
                        written += len(piece)
                        if written > member.size:
                            raise ArchiveError(f"{member.name}: unpacks to more than it declares")
                        digest.update(piece)
                        sink.write(piece)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise ArchiveError(f"{member.name}: damaged in the archive ({exc})") from None
            out[member] = (target, digest.hexdigest())
    return out


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while piece := handle.read(_CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def remove_tree(folder: str | Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
