"""Documents people attach (a meeting's papers): checked by their content, not their name.

A file is accepted only when its name's extension is one of :data:`KINDS` AND its bytes are
that kind of file: a PDF starts ``%PDF-``; a Word, Excel or PowerPoint file is a zip with
``[Content_Types].xml`` and the part of its kind (and no macros); an OpenDocument file is a zip
whose first member ``mimetype`` names its kind; a CSV file is UTF-8 text with no NUL byte.
What the browser says the type is (``Content-Type``) is never believed. The size limit is
``SAFERSTAT_MAX_PAPER_BYTES``; a zip whose members unpack to more than
:data:`MAX_UNPACKED_BYTES` (or has more than :data:`MAX_MEMBERS`) is refused unread.

Downloads are served by :func:`download_response`: always as an attachment, with the type of
the checked kind and ``X-Content-Type-Options: nosniff``, so a browser never renders one.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.http import content_disposition_header

from .uploads import size_text


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str


KINDS: dict[str, Kind] = {
    ".pdf": Kind("pdf", "PDF", "application/pdf"),
    ".docx": Kind(
        "docx",
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": Kind(
        "xlsx",
        "Excel workbook",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".pptx": Kind(
        "pptx",
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".odt": Kind("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text"),
    ".ods": Kind(
        "ods", "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"
    ),
    ".odp": Kind(
        "odp", "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation"
    ),
    ".csv": Kind("csv", "CSV", "text/csv; charset=utf-8"),
}
BY_KEY = {k.key: k for k in KINDS.values()}
#: The Office Open XML part each kind must have (and the macro part it must not).
_OOXML = {
    "docx": ("word/document.xml", "word/vbaProject.bin"),
    "xlsx": ("xl/workbook.xml", "xl/vbaProject.bin"),
    "pptx": ("ppt/presentation.xml", "ppt/vbaProject.bin"),
}
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5000
_ZIP = b"PK\x03\x04"
_SAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")

ERR_EMPTY = "The selected file is empty."
ERR_KIND = "The file must be a PDF, Word, Excel, PowerPoint, OpenDocument or CSV file."
ERR_TOO_BIG = "The selected file must be smaller than {limit}."
ERR_CONTENT = "The file is called {name} but it is not a {label}: its content is something else."


def max_bytes() -> int:
    return settings.SAFERSTAT_MAX_PAPER_BYTES


def safe_name(name: str) -> str:
    """The file's own name, without folders or unusual characters (for storing and for
    the download's name)."""
    base = Path((name or "").replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE.sub("-", stem).strip(" .-")[:120] or "paper"
    return stem + suffix


def _zip_members(upload) -> tuple[dict[str, zipfile.ZipInfo], zipfile.ZipFile] | None:
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ValidationError({"file": "The file unpacks to too much data: it is refused."})
    return {i.filename: i for i in infos}, archive


def _matches(kind: Kind, upload) -> bool:
    upload.seek(0)
    head = upload.read(2048)
    if kind.key == "pdf":
        return head.startswith(b"%PDF-")
    if kind.key == "csv":
        if head.startswith(_ZIP) or head.startswith(b"%PDF"):
            return False
        upload.seek(0)
        data = upload.read()
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return True
    if not head.startswith(_ZIP):
        return False
    found = _zip_members(upload)
    if found is None:
        return False
    members, archive = found
    if kind.key in _OOXML:
        part, macros = _OOXML[kind.key]
        return "[Content_Types].xml" in members and part in members and macros not in members
    # OpenDocument: the first member is "mimetype", stored, holding the kind's type.
    first = archive.infolist()[0]
    if first.filename != "mimetype" or first.file_size > 100:
        return False
    try:
        return archive.read(first).decode("ascii").strip() == kind.content_type
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError, RuntimeError):
        return False


def check_document(upload) -> tuple[str, Kind]:
    """Check an uploaded file: (its safe name, its kind). Raises ValidationError (on "file")
    when the file is empty, too large, of a kind not accepted, or not what its name says."""
    if not upload.size:
        raise ValidationError({"file": ERR_EMPTY})
    if upload.size > max_bytes():
        raise ValidationError({"file": ERR_TOO_BIG.format(limit=size_text(max_bytes()))})
    name = safe_name(upload.name or "")
    kind = KINDS.get(Path(name).suffix)
    if kind is None:
        raise ValidationError({"file": ERR_KIND})
    if not _matches(kind, upload):
        raise ValidationError({"file": ERR_CONTENT.format(name=name, label=kind.label)})
    upload.seek(0)
    return name, kind


def download_response(stored_path: str, *, name: str, kind_key: str) -> FileResponse:
    """A stored document as a download: attachment, the checked type, nosniff. Only files
    under MEDIA_ROOT are served."""
    media = Path(settings.MEDIA_ROOT).resolve()
    path = Path(stored_path).resolve()
    if not path.is_relative_to(media) or not path.is_file():
        raise Http404("The file is no longer kept")
    kind = BY_KEY.get(kind_key)
    response = FileResponse(
        path.open("rb"), content_type=kind.content_type if kind else "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
