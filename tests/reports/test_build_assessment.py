"""``manage.py build_report assessment``: the partnership's signed strategic assessment
document for the year, written as report.html, report.pdf and the annex files from its
figures frozen at sign-off (the assessment app's own print rendering; nothing computed
again), and a clear refusal when no document for that year is signed off."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from saferstat.assessment import services
from saferstat.assessment.models import FrozenView
from saferstat.reports.selectors import ANNEX_HEADER

TREND = "source=police&view=trend&crime_type=Burglary"
FILES = ["annex.csv", "annex.ods", "annex.xlsx", "report.html", "report.pdf"]


def _build(out, year="2025/26"):
    stdout = io.StringIO()
    call_command(
        "build_report",
        "assessment",
        partnership="rotherham",
        year=year,
        out=str(out),
        stdout=stdout,
    )
    return stdout.getvalue()


@pytest.mark.django_db
def test_no_signed_document_for_the_year_is_refused_clearly(tmp_path, rotherham, members):
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="no signed-off strategic assessment for 2025/26"):
        _build(out)
    # A draft is not enough: only a signed-off document is written.
    services.assessment_create(partnership=rotherham, by=members["analyst"], year="2025/26")
    with pytest.raises(CommandError, match="no signed-off strategic assessment for 2025/26"):
        _build(out)
    assert not out.exists()
    with pytest.raises(CommandError, match="No partnership"):
        call_command(
            "build_report", "assessment", partnership="nowhere", year="2025/26", out=str(out)
        )


@pytest.mark.django_db
def test_the_signed_document_is_written_from_its_frozen_figures(
    tmp_path, overview_warehouse, rotherham, members
):
    assessment = services.assessment_create(
        partnership=rotherham, by=members["analyst"], year="2025/26"
    )
    services.section_text_set(
        assessment=assessment, by=members["analyst"], key="picture", text="Burglary fell."
    )
    view = services.view_embed(
        assessment=assessment,
        by=members["analyst"],
        key="picture",
        title="Burglary trend",
        query=TREND,
    )
    services.sign_off(assessment=assessment, by=members["admin"])
    view = FrozenView.objects.get(pk=view.pk)
    # Change the stored frozen figures behind the app's back: the build must print these,
    # so it reads what was frozen and computes nothing again.
    figures = view.figures
    first, second = figures["columns"][0], figures["columns"][1]
    figures["rows"][0][second] = 987654
    FrozenView.objects.filter(pk=view.pk).update(figures=figures)

    out = tmp_path / "out"
    said = _build(out)
    assert sorted(p.name for p in out.iterdir()) == FILES
    assert "report.html, report.pdf and the annex" in said
    html = (out / "report.html").read_text()
    assert "Burglary fell." in html and "Annex: the frozen tables" in html
    assert f"Table A1.1: {figures['title']}" in html
    assert "987,654" in html  # the stored figure, not today's
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    for name in ("annex.xlsx", "annex.ods"):
        assert (out / name).read_bytes().startswith(b"PK")

    rows = list(csv.reader(io.StringIO((out / "annex.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ANNEX_HEADER
    body = rows[1:]
    assert len(body) == len(figures["rows"]) * (len(figures["columns"]) - 1)
    changed = next(r for r in body if r[3] == second and r[2] == str(figures["rows"][0][first]))
    assert changed[4] == "987654"
    assert changed[0] == "The picture by theme" and changed[1] == f"A1.1: {figures['title']}"
    assert changed[6].startswith("/p/rotherham/explore/?") and "crime_type=Burglary" in changed[6]

    # Another year has no signed document.
    with pytest.raises(CommandError, match="2024/25"):
        _build(tmp_path / "other", year="2024/25")
