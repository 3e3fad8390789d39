"""Importing indicator values from a spreadsheet: every row checked (file, line, field),
nothing stored until the file is clean, the same file again changes nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.models import AuditEvent
from saferstat.performance.importing import values_import
from saferstat.performance.models import Return, ReturnEvent, ReturnLine, ReturnStatus

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def xlsx_file(rows: list[list], name: str = "values.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def stored(world) -> list:
    return sorted(
        ReturnLine.objects.filter(ret__partnership=world["plan"].partnership).values_list(
            "ret__period__label", "indicator__code", "value", "ret__status"
        )
    )


def test_a_bad_file_is_refused_whole_with_every_row_named(world, members):
    before_lines, before_audit = stored(world), AuditEvent.objects.count()
    text = (
        "indicator,period,value,note\n"
        "missing-repeat,2024/25-Q3,41,\n"  # a good row: not stored either
        "missing-repeat,2024/25-Q4,4.5,\n"  # a count must be whole
        "found-share,2024/25-Q3,140,\n"  # a percentage over 100
        "asb-policeuk,2024/25-Q3,10,\n"  # computed: takes no values
        "nope,2024/25-Q3,10,\n"
        "missing-repeat,2019/20-Q1,3,\n"  # not in the calendar
        "found-share,May 2024,3,\n"  # not a quarter
        "missing-repeat,2024/25-Q3,42,\n"  # duplicate of line 2
        "found-share,2024/25-Q1,70,\n"  # a good row (a correction): not stored either
        "missing-repeat,2024/25-Q4,abc,\n"
    )
    with pytest.raises(Exception) as refused:
        values_import(
            partnership=world["plan"].partnership, by=members["analyst"], upload=csv_file(text)
        )
    messages = refused.value.messages
    assert "values.csv:3: value: 4.5: Enter a whole number of 0 or more" in messages[0]
    joined = "\n".join(messages)
    assert "values.csv:4: value: 140: Enter a percentage from 0 to 100." in joined
    assert "values.csv:5: indicator: 'asb-policeuk' is computed" in joined
    assert "values.csv:6: indicator: 'nope' is not an indicator of this partnership" in joined
    assert (
        "values.csv:7: period: 2019/20-Q1 is not in the partnership's reporting calendar" in joined
    )
    assert "values.csv:8: period: 'May 2024' is a month or a date" in joined
    assert "values.csv:9: row: duplicate of line 2" in joined
    assert "values.csv:11: value: 'abc': Enter a number" in joined
    assert stored(world) == before_lines
    assert AuditEvent.objects.count() == before_audit


def test_a_clean_file_is_stored_and_the_same_file_again_changes_nothing(world, members):
    partnership = world["plan"].partnership
    rows = [
        ["indicator", "period", "value", "note"],
        ["missing-repeat", "2024/25-Q2", 38, "From the monthly tracker"],
        ["found-share", "Q2 2024/25", 81.5, None],
        ["missing-repeat", "2024/25-Q1", 44, None],  # approved at 40: corrected
        ["found-share", "2024/25-Q1", 80, None],  # approved at 80: unchanged
    ]
    result = values_import(partnership=partnership, by=members["analyst"], upload=xlsx_file(rows))
    assert (result.added, result.corrected, result.unchanged) == (2, 1, 1)
    q2 = world["owed"]
    q2.refresh_from_db()
    assert q2.status == ReturnStatus.APPROVED and q2.submitted_at is None
    assert q2.decided_by == members["analyst"]
    assert {ln.indicator.code: ln.value for ln in q2.lines.all()} == {
        "missing-repeat": 38,
        "found-share": 81.5,
    }
    q1 = world["approved"]
    q1.refresh_from_db()
    assert q1.status == ReturnStatus.CORRECTED
    correction = q1.events.get(kind="correct")
    assert correction.before["values"]["missing-repeat"] == 40
    assert correction.after["values"]["missing-repeat"] == 44
    assert "Imported from values.xlsx" in correction.comment
    events, audits = ReturnEvent.objects.count(), AuditEvent.objects.count()
    again = values_import(partnership=partnership, by=members["analyst"], upload=xlsx_file(rows))
    assert (again.added, again.corrected, again.unchanged) == (0, 0, 4)
    assert ReturnEvent.objects.count() == events
    assert AuditEvent.objects.count() == audits + 1  # the import itself, nothing else
    assert AuditEvent.objects.filter(verb="performance.values_import").count() == 2


def test_a_quarter_the_lead_has_started_is_theirs(world, members, other_lead):
    """The second priority's Q1 is submitted, awaiting approval: its row is refused."""
    from saferstat.performance.services import indicator_upsert

    entered = indicator_upsert(
        partnership=world["plan"].partnership,
        by=members["analyst"],
        priority=world["second"],
        code="asb-repeat",
        name="Repeat victims of ASB",
        definition="Victims reporting ASB three times or more",
        unit="count",
        polarity="decrease",
    )
    text = f"indicator,period,value\n{entered.code},2024/25-Q1,12\n"
    with pytest.raises(Exception) as refused:
        values_import(
            partnership=world["plan"].partnership, by=members["analyst"], upload=csv_file(text)
        )
    assert refused.value.messages == [
        "values.csv:2: period: the lead's return for this quarter is awaiting approval: "
        "approve or return it first"
    ]
    assert Return.objects.get(pk=world["submitted"].pk).status == ReturnStatus.SUBMITTED


@pytest.mark.parametrize("role", ["lead", "board", "scrutiny"])
def test_only_analysts_and_admins_import(world, members, role):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        values_import(
            partnership=world["plan"].partnership,
            by=members[role],
            upload=csv_file("indicator,period,value\nmissing-repeat,2024/25-Q2,3\n"),
        )


def test_the_upload_page_lists_the_problems_and_stores_nothing(client, world, members):
    client.force_login(members["analyst"])
    url = "/p/rotherham/performance/import/"
    assert "missing-repeat" in client.get(url).content.decode()
    bad = csv_file("indicator,period,value,colour\nmissing-repeat,2024/25-Q2,3,red\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was stored" in page
    assert "values.csv:1: colour: is not a column of this file" in page
    good = csv_file("indicator,period,value\nmissing-repeat,2024/25-Q2,3\n")
    response = client.post(url, {"file": good}, follow=True)
    assert "1 added, 0 corrected" in response.content.decode()
    template = client.get("/p/rotherham/performance/import/template.csv")
    assert template.content.decode().lstrip("\ufeff").strip() == "indicator,period,month,value,note"
