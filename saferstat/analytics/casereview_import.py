"""Reading a file of the ASB case reviews a partnership already holds (CSV or the first
sheet of an XLSX), one row per application, checked row by row before anything is stored
(docs/casereviews.md, "Importing existing cases"). Pure Python, no Django.

The file is read by the partner-data reader (:func:`saferstat.analytics.partner.read_table`:
exact line numbers, formulas refused) and every problem is reported as
``file:line: column: reason`` (:class:`CaseImportError`, a
:class:`~saferstat.analytics.importing.FileValidationError`). The caller stores nothing
unless the whole file is clean.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from saferstat.analytics.importing import FileValidationError, IssueCollector
from saferstat.analytics.partner.files import read_table

MAX_CASES = 5_000
MAX_ISSUES = 200
#: Complaints a row may list (Complaint 1 ... Complaint 6).
MAX_COMPLAINTS = 6

APPLICANT_TYPES = {
    "victim": "victim",
    "representative": "representative",
    "someone on the victim's behalf": "representative",
    "business": "business",
    "a business": "business",
    "community": "community",
    "community group": "community",
    "a community group": "community",
}
DECISIONS = {"met": True, "threshold met": True, "not met": False, "threshold not met": False}
YES = {"yes", "y", "true", "1"}
NO = {"", "no", "n", "false", "0"}

#: Header -> (key, required, longest text). Headers are matched without regard to case.
CASE_COLUMNS: dict[str, tuple[str, bool, int]] = {
    "Date received": ("received_on", True, 0),
    "Who applied": ("applicant_type", True, 0),
    "Applicant's name": ("applicant_name", True, 200),
    "Applicant's contact details": ("applicant_contact", False, 300),
    "Address or area": ("location", False, 300),
    "Ward code": ("ward_code", False, 12),
    "Behaviour described": ("behaviour", False, 6000),
    "Acknowledged on": ("acknowledged_on", False, 0),
    "Decision": ("decision", False, 0),
    "Decided on": ("decided_on", False, 0),
    "Decision reason": ("decision_reason", False, 4000),
    "Review on": ("review_on", False, 0),
    "Review agencies": ("review_agencies", False, 500),
    "Review outcome": ("review_outcome", False, 6000),
    "Applicant informed on": ("informed_on", False, 0),
}
COMPLAINT_PARTS = {
    "behaviour on": ("behaviour_on", 0),
    "made on": ("made_on", 0),
    "made to": ("body", 200),
    "hate": ("hate", 0),
}
DATE_KEYS = {"received_on", "acknowledged_on", "decided_on", "review_on", "informed_on"}


def complaint_header(number: int, part: str) -> str:
    return f"Complaint {number} {part}"


def template_header() -> list[str]:
    """The columns of an import file, in order (an empty template's header row)."""
    header = list(CASE_COLUMNS)
    for number in range(1, MAX_COMPLAINTS + 1):
        header += [complaint_header(number, part) for part in COMPLAINT_PARTS]
    return header


class CaseImportError(FileValidationError):
    """A file of cases was refused; nothing of it was stored (``file:line: column: reason``)."""


@dataclass(frozen=True)
class ImportedComplaint:
    behaviour_on: dt.date
    made_on: dt.date
    body: str
    hate: bool


@dataclass
class ImportedCase:
    """One row, checked: what the services need to record the application and its steps."""

    line: int
    received_on: dt.date
    applicant_type: str
    applicant_name: str
    applicant_contact: str = ""
    location: str = ""
    ward_code: str = ""
    behaviour: str = ""
    acknowledged_on: dt.date | None = None
    decision: bool | None = None
    decided_on: dt.date | None = None
    decision_reason: str = ""
    review_on: dt.date | None = None
    review_agencies: str = ""
    review_outcome: str = ""
    informed_on: dt.date | None = None
    complaints: list[ImportedComplaint] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | str:
    """A date from a cell: a spreadsheet date, ``2024-09-02`` or ``02/09/2024``; else why not."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return f"{text[:40]!r} is not a date: write it as 2024-09-02 or 02/09/2024"


def read_cases(
    path: str | os.PathLike, *, name: str | None = None, today: dt.date
) -> list[ImportedCase]:
    """Read and check a file of cases.

    Raises:
        CaseImportError: any problem, each with its line and column; nothing may be stored.
    """
    try:
        table = read_table(path, name=name, max_rows=MAX_CASES)
    except FileValidationError as exc:
        raise CaseImportError(exc.file, exc.errors, exc.total) from None
    issues = IssueCollector(table.name, MAX_ISSUES, CaseImportError, by_line=True)
    for issue in table.issues:
        issues.add(issue.line, issue.field, issue.reason)
    issues.total = max(issues.total, table.issue_total)
    known = {h.lower(): h for h in template_header()}
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        if not cell:
            continue
        header = known.get(cell.lower())
        if header is None:
            issues.add(table.header_line, cell, "is not a column of the case import template")
        elif header in columns:
            issues.add(table.header_line, cell, "appears twice")
        else:
            columns[header] = index
    for header, (_, required, _) in CASE_COLUMNS.items():
        if required and header not in columns:
            issues.add(table.header_line, header, "the column is missing")
    if issues.total:
        raise issues.error()

    def cell(values: list[Any], header: str) -> Any:
        index = columns.get(header)
        return values[index] if index is not None and index < len(values) else None

    cases = []
    for line, values in table.rows:
        case = _read_row(line, values, cell, issues, today)
        if case is not None:
            cases.append(case)
    if issues.total:
        raise issues.error()
    if not cases:
        issues.add(None, "rows", "the file has no cases: add one row per application")
        raise issues.error()
    return cases


def _read_row(line, values, cell, issues: IssueCollector, today: dt.date) -> ImportedCase | None:
    data: dict[str, Any] = {}
    ok = True
    for header, (key, required, limit) in CASE_COLUMNS.items():
        raw = cell(values, header)
        text = _text(raw)
        if not text:
            if required:
                issues.add(line, header, "is empty: it is needed")
                ok = False
            continue
        if key in DATE_KEYS:
            value = parse_date(raw)
            if isinstance(value, str):
                issues.add(line, header, value)
                ok = False
                continue
            if value > today:
                issues.add(line, header, f"{value:%d %B %Y} is in the future")
                ok = False
                continue
            data[key] = value
        elif key == "applicant_type":
            if text.lower() not in APPLICANT_TYPES:
                issues.add(line, header, "write victim, representative, business or community")
                ok = False
                continue
            data[key] = APPLICANT_TYPES[text.lower()]
        elif key == "decision":
            if text.lower() not in DECISIONS:
                issues.add(line, header, "write met or not met (or leave it empty)")
                ok = False
                continue
            data[key] = DECISIONS[text.lower()]
        else:
            if len(text) > limit:
                issues.add(
                    line, header, f"is {len(text):,} characters long; the limit is {limit:,}"
                )
                ok = False
                continue
            data[key] = text
    complaints = []
    for number in range(1, MAX_COMPLAINTS + 1):
        parts = {p: cell(values, complaint_header(number, p)) for p in COMPLAINT_PARTS}
        if all(not _text(v) for v in parts.values()):
            continue
        got: dict[str, Any] = {}
        for part, (key, limit) in COMPLAINT_PARTS.items():
            header = complaint_header(number, part)
            raw = parts[part]
            text = _text(raw)
            if key == "hate":
                if text.lower() not in YES | NO:
                    issues.add(line, header, "write yes or no")
                    ok = False
                got[key] = text.lower() in YES
            elif key == "body":
                if not text:
                    issues.add(line, header, "is empty: say who the complaint was made to")
                    ok = False
                got[key] = text[:limit]
            else:
                value = parse_date(raw) if text else "is empty: the complaint needs its dates"
                if isinstance(value, str):
                    issues.add(line, header, value)
                    ok = False
                else:
                    got[key] = value
        if ok and "made_on" in got and "behaviour_on" in got:
            if got["behaviour_on"] > got["made_on"]:
                issues.add(
                    line,
                    complaint_header(number, "behaviour on"),
                    "the behaviour comes before the complaint",
                )
                ok = False
            else:
                complaints.append(ImportedComplaint(**got))
    if not ok:
        return None
    return _check_steps(ImportedCase(line=line, complaints=complaints, **data), issues)


def _check_steps(case: ImportedCase, issues: IssueCollector) -> ImportedCase | None:
    """The order of the steps, as the services would check it one by one."""
    problems: list[tuple[str, str]] = []
    if case.acknowledged_on and case.acknowledged_on < case.received_on:
        problems.append(("Acknowledged on", "the acknowledgement comes after the application"))
    if (case.decision is None) != (case.decided_on is None):
        problems.append(("Decision", "give both the decision and the date it was decided"))
    elif case.decided_on and case.decided_on < case.received_on:
        problems.append(("Decided on", "the decision comes after the application"))
    if case.review_on or case.review_agencies or case.review_outcome:
        if case.decision is not True:
            problems.append(("Review on", "a review follows a decision that the threshold is met"))
        elif not case.review_on or not case.review_agencies:
            problems.append(("Review on", "give the review's date and the agencies at it"))
        elif case.decided_on and case.review_on < case.decided_on:
            problems.append(("Review on", "the review comes after the threshold decision"))
    if case.informed_on:
        if case.decision is None:
            problems.append(("Applicant informed on", "decide the threshold first"))
        elif case.decided_on and case.informed_on < case.decided_on:
            problems.append(("Applicant informed on", "the letter comes after the decision"))
    for header, reason in problems:
        issues.add(case.line, header, reason)
    return None if problems else case
