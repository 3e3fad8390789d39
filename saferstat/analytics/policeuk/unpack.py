"""Unpacking a ``.csv.gz`` safely: measured before it is unpacked, refused past the limits."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from isal import isal_zlib

from saferstat.analytics.importing import (  # noqa: F401 (re-exported)
    BOM as _BOM,
)
from saferstat.analytics.policeuk.schema import (
    _GZIP_MAGIC,
    PoliceUkValidationError,
    _refuse,
)

#: Decompressed files larger than this are refused (a national month is about 150 MB).
MAX_DECOMPRESSED_BYTES = 512 * 1024**2
#: A ``.csv.gz`` that unpacks to more than this many times its own size is refused (police.uk
#: files unpack to about 5 times), once it unpacks to more than :data:`RATIO_FLOOR_BYTES`
#: (small files may compress far better, harmlessly).
MAX_UNPACK_RATIO = 100
RATIO_FLOOR_BYTES = 16 * 1024**2
#: Files are read, hashed and measured in pieces of this many bytes.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class UnpackLimits:
    """How far a ``.csv.gz`` may unpack before it is refused (a gzip bomb).

    Attributes:
        max_bytes: the most bytes the file may unpack to.
        max_ratio: the most times its own size it may unpack to (beyond ``ratio_floor``).
        ratio_floor: unpacked sizes up to this are never refused for their ratio.
    """

    max_bytes: int = MAX_DECOMPRESSED_BYTES
    max_ratio: float = MAX_UNPACK_RATIO
    ratio_floor: int = RATIO_FLOOR_BYTES

    def allowed(self, packed_bytes: int) -> int:
        """The most bytes a file of ``packed_bytes`` may unpack to."""
        return min(self.max_bytes, max(self.ratio_floor, int(self.max_ratio * packed_bytes)))

    def refusal(self, display: str, packed_bytes: int) -> PoliceUkValidationError:
        """The error for a file that unpacks to more than :meth:`allowed`."""
        by_ratio = max(self.ratio_floor, int(self.max_ratio * packed_bytes))
        if by_ratio < self.max_bytes:
            reason = (
                f"the file unpacks to more than {self.max_ratio:g} times its size "
                f"({packed_bytes:,} bytes); a police.uk file unpacks to about 5 times: it is "
                "damaged or not a police.uk file"
            )
        else:
            reason = (
                f"the file unpacks to more than {self.max_bytes / 1024**2:,.0f} MB, the "
                "limit; split it or ask your administrator"
            )
        return _refuse(display, None, "gzip", reason)


# --- bytes -----------------------------------------------------------------------------
def _measure(path: Path, display: str, named_gzip: bool, limits: UnpackLimits) -> tuple[str, int]:
    """The file's SHA-256 and how far it may unpack, read piece by piece; refuse a bomb.

    A gzip file is unpacked here only to count its bytes (each piece is dropped at once):
    if it unpacks to more than ``limits`` allow it is refused now, before it is unpacked
    into memory. Damaged data is left to :func:`_decompress_carefully` to report, which
    also keeps to the limit.
    """
    packed = path.stat().st_size
    allowed = limits.allowed(packed)
    digest = hashlib.sha256()
    dec = None
    size = 0
    with path.open("rb") as handle:
        first = True
        while piece := handle.read(_CHUNK):
            digest.update(piece)
            if first:
                first = False
                if named_gzip and piece[:2] == _GZIP_MAGIC and len(piece) >= 4:
                    dec = _Counter()
            if dec is None:
                continue
            size = dec.feed(piece, allowed)
            if size > allowed:
                raise limits.refusal(display, packed)
            if dec.broken:
                dec = None  # damaged: the careful pass says where
    return digest.hexdigest(), allowed


class _Counter:
    """Counts the bytes a gzip stream (all members) unpacks to, keeping none of them."""

    def __init__(self) -> None:
        self.size = 0
        self.broken = False
        self._dec = isal_zlib.decompressobj(wbits=31)

    def feed(self, piece: bytes, allowed: int) -> int:
        """Unpack ``piece``; the bytes counted so far (stops counting past ``allowed``)."""
        data = piece
        try:
            while data and self.size <= allowed:
                if self._dec.eof:  # the next member, zero padding, or junk
                    if not data.strip(b"\x00") or data[:2] != _GZIP_MAGIC:
                        self.broken = bool(data.strip(b"\x00"))
                        return self.size
                    self._dec = isal_zlib.decompressobj(wbits=31)
                out = self._dec.decompress(data, _CHUNK)
                self.size += len(out)
                data = self._dec.unused_data if self._dec.eof else self._dec.unconsumed_tail
        except isal_zlib.error:
            self.broken = True
        return self.size


def _decompress(
    raw: bytes, display: str, named_gzip: bool, allowed: int = MAX_DECOMPRESSED_BYTES
) -> bytes:
    """The file's text bytes: ``raw`` itself, or ``raw`` gunzipped (all members), refused
    if it unpacks to more than ``allowed`` bytes."""
    if not raw:
        raise _refuse(
            display, 1, "header", "the file is empty (0 bytes); expected the police.uk header line"
        )
    is_gzip = raw[:2] == _GZIP_MAGIC
    if not named_gzip:
        if is_gzip:
            raise _refuse(
                display,
                None,
                "gzip",
                "the file is gzip-compressed but its name ends in .csv; name it .csv.gz",
            )
        return raw
    if not is_gzip:
        raise _refuse(display, None, "gzip", "the name ends in .gz but the file is not gzip data")
    # Fast: one call for the usual single-member file, with ISA-L's inflate (the same
    # format as zlib's, over twice as fast). Anything unusual goes the careful way, which
    # uses zlib: so does a header with reserved flag bits set, which ISA-L lets through.
    if len(raw) < 4 or raw[3] & 0xE0:
        return _decompress_carefully(raw, display, allowed)
    dec = isal_zlib.decompressobj(wbits=31)
    try:
        out = dec.decompress(raw, allowed + 1)
        if dec.eof and not dec.unused_data.strip(b"\x00") and len(out) <= allowed:
            return out
        del out
    except isal_zlib.error:
        pass
    return _decompress_carefully(raw, display, allowed)


def _decompress_carefully(raw: bytes, display: str, allowed: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Gunzip chunk by chunk, member by member; on damage say on which line the data stops."""
    parts: list[bytes] = []
    size = 0
    rest = raw
    chunk = 1 << 20
    while rest:
        dec = zlib.decompressobj(wbits=31)
        pos = 0
        try:
            while pos < len(rest) and not dec.eof:
                data = rest[pos : pos + chunk]
                pos += chunk
                while data:
                    piece = dec.decompress(data, chunk)  # bounded: never one huge piece
                    parts.append(piece)
                    size += len(piece)
                    if size > allowed:
                        raise _refuse(
                            display,
                            None,
                            "gzip",
                            f"the file unpacks to more than {allowed:,} bytes, the limit",
                        )
                    data = dec.unconsumed_tail
                    if dec.eof:
                        break
        except zlib.error as exc:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display,
                line,
                "gzip",
                f"the compressed data is corrupt from line {line} on ({exc}); download the file again",
            ) from None
        if not dec.eof:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display,
                line,
                "gzip",
                f"the compressed data is truncated: the file stops in line {line}; download it again",
            )
        rest = dec.unused_data + rest[pos:]  # the next member, if any
        if not rest.strip(b"\x00"):
            break  # zero padding after the last member is harmless
        if rest[:2] != _GZIP_MAGIC:
            line = b"".join(parts).count(b"\n") + 1
            raise _refuse(
                display, line, "gzip", "unexpected bytes after the end of the compressed data"
            )
    return b"".join(parts)
