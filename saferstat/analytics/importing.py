"""What every importer shares: problems with their line numbers, and one CSV reader.

police.uk street files (:mod:`saferstat.analytics.policeuk`) and partner files
(:mod:`saferstat.analytics.partner`) are both read with :class:`CsvRows` (exact line
numbers; over-long and non-UTF-8 lines are reported and read as blank so that reading goes
on and finds the other problems), and refused with a :class:`FileValidationError` listing the
:class:`ValidationIssue` s an :class:`IssueCollector` kept.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: A UTF-8 byte order mark (allowed at the start of a file).
BOM = b"\xef\xbb\xbf"

#: Longest physical line of a CSV file.
MAX_LINE_BYTES = 64 * 1024


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in an input file: where it is and what is wrong.

    Attributes:
        file: the file's name (as the user knows it).
        line: line number in the (decompressed) file, the header being line 1; ``None`` for a
            problem with the file as a whole (e.g. its name).
        field: the column (``"LSOA code"``) or part (``"header"``, ``"row"``, ``"gzip"``,
            ``"file name"``, ``"line"``, ``"encoding"``) at fault.
        reason: what is wrong, in plain words.
    """

    file: str
    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}"


class FileValidationError(ValueError):
    """A data file was refused. Nothing of it may be stored.

    The one error type of every importer (police.uk, partner datasets): each problem is a
    :class:`ValidationIssue`, shown as ``file:line: field: reason``.

    Attributes:
        file: the file's name.
        errors: the problems found, in file order, at most :data:`MAX_ISSUES` of them.
        total: how many problems there are in all (``total - len(errors)`` were not listed).
    """

    def __init__(self, file: str, errors: list[ValidationIssue], total: int | None = None):
        self.file = file
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total
        super().__init__(self._message())

    @property
    def more(self) -> int:
        """Problems found but not listed."""
        return self.total - len(self.errors)

    @property
    def messages(self) -> list[str]:
        """Each listed problem as ``file:line: field: reason``, then "... and N more"."""
        out = [str(issue) for issue in self.errors]
        if self.more:
            out.append(f"... and {self.more:,} more")
        return out

    def _message(self) -> str:
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{self.file}: refused, {self.total:,} {noun}:"]
        lines += [f"  {issue}" for issue in self.errors]
        if self.more:
            lines.append(f"  ... and {self.more:,} more")
        return "\n".join(lines)


class IssueCollector:
    """Collects a file's problems, keeping the first ``cap`` and counting the rest.

    Shared by every importer; ``error()`` builds the importer's own error type.
    """

    def __init__(
        self, file: str, cap: int, error_type: type[FileValidationError], *, by_line: bool = False
    ):
        self.file, self.cap, self.error_type, self.by_line = file, cap, error_type, by_line
        self.listed: list[ValidationIssue] = []
        self.total = 0

    def add(self, line: int | None, field_name: str, reason: str) -> None:
        self.total += 1
        if len(self.listed) < self.cap:
            self.listed.append(ValidationIssue(self.file, line, field_name, reason))

    def error(self) -> FileValidationError:
        """The refusal; with ``by_line`` the problems are listed in line order (file-wide first)."""
        listed = self.listed
        if self.by_line:
            listed = sorted(listed, key=lambda i: -1 if i.line is None else i.line)
        return self.error_type(self.file, listed, self.total)


_LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def iter_lines(data: bytes) -> Iterator[bytes]:
    """``data.splitlines(keepends=True)`` one line at a time (no list of every line: a file
    of a hundred million blank lines would need gigabytes for it)."""
    for match in _LINE_RE.finditer(data):
        yield match.group()


class CsvRows:
    """``(first line, fields)`` of each CSV row of ``data``, with exact line numbers.

    Blank lines keep their numbers (they give an empty row). A line longer than
    ``max_line_bytes`` or not UTF-8 is reported to ``issues`` and read as an empty row. A row
    the csv module cannot read is reported and skipped. After iterating, :attr:`last_line`
    is the number of the last line read.

    Args:
        data: the file's bytes (a UTF-8 byte order mark is allowed).
        issues: where problems go.
        encoding_field: names the column a bad byte falls in, from the line and the byte's
            offset (default: ``"encoding"``).
        advice: how to put a bad encoding right, appended to the problem.
    """

    def __init__(
        self,
        data: bytes,
        issues: IssueCollector,
        *,
        max_line_bytes: int = MAX_LINE_BYTES,
        encoding_field: Callable[[bytes, int], str] | None = None,
        advice: str = ": save the file as CSV UTF-8",
    ):
        self.data, self.issues, self.max_line_bytes = data, issues, max_line_bytes
        self.encoding_field = encoding_field or (lambda body, offset: "encoding")
        self.advice = advice
        self.last_line = 0

    def _lines(self) -> Iterator[str]:
        """Decoded physical lines (ends kept), as the csv module will number them."""
        for number, raw_line in enumerate(iter_lines(self.data), start=1):
            if number == 1 and raw_line.startswith(BOM):
                raw_line = raw_line[len(BOM) :]
            body = raw_line.rstrip(b"\r\n")
            if len(body) > self.max_line_bytes:
                self.issues.add(
                    number,
                    "line",
                    f"the line is {len(body):,} bytes long; the limit is {self.max_line_bytes:,}",
                )
                yield raw_line[len(body) :].decode("ascii") or "\n"
                continue
            try:
                yield raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.issues.add(
                    number,
                    self.encoding_field(body, exc.start),
                    f"not valid UTF-8 (byte 0x{body[exc.start]:02x} at byte {exc.start + 1} of "
                    f"the line){self.advice}",
                )
                yield raw_line.decode("utf-8", errors="replace")

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines(), strict=False)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.issues.add(self.last_line + 1, "row", f"cannot be read as CSV ({exc})")
                self.last_line = reader.line_num
                continue
            start, self.last_line = self.last_line + 1, reader.line_num
            yield start, row
