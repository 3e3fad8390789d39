"""Entered monthly indicators: the lead's quarterly return holds a value for each month of
its quarter (the form, the services, the API and the spreadsheet import all take months
the same way, and refuse a month outside the return's quarter); a correction of one month
keeps the history; quarterly indicators work as before."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.tokens import api_token_create
from saferstat.performance import selectors
from saferstat.performance.importing import values_import
from saferstat.performance.models import Return, ReturnLine, ReturnStatus
from saferstat.performance.services import (
    ERR_FREQUENCY_USED,
    indicator_upsert,
    return_correct,
    return_save,
)

pytestmark = pytest.mark.django_db

CODE = "missing-monthly"
Q2 = ("2024-07", "2024-08", "2024-09")


@pytest.fixture
def monthly(world, members):
    """An entered monthly count of the first priority (the one ``members["lead"]`` leads),
    with a target from 2024/25-Q2."""
    return indicator_upsert(
        partnership=world["plan"].partnership,
        by=members["analyst"],
        priority=world["first"],
        code=CODE,
        name="Missing episodes, per month",
        definition="Missing episodes reported in the month",
        unit="count",
        polarity="decrease",
        frequency="monthly",
        order=2,
        targets={"2024/25-Q2": 10},
    )


def lines_of(ret) -> list[tuple[str, str, float | None]]:
    return sorted(
        ReturnLine.objects.filter(ret=ret).values_list("indicator__code", "month", "value")
    )


def series(world, code, quarter="2024/25-Q2"):
    rows = selectors.indicator_rows(
        partnership=world["plan"].partnership, period=world["periods"][quarter]
    )
    return next(r for r in rows if r.indicator.code == code)


def test_a_lead_enters_three_months_the_analyst_approves_and_a_correction_keeps_history(
    client, world, members, monthly
):
    ret, code, pct = world["owed"], world["missing"].code, world["share"].code
    url = f"/p/rotherham/performance/returns/{ret.pk}/"
    client.force_login(members["lead"])
    page = client.get(url).content.decode()
    for month, name in zip(Q2, ("July 2024", "August 2024", "September 2024"), strict=True):
        assert f'name="value-{CODE}-{month}"' in page
        assert f'for="{CODE}:{month}">{name}</label>' in page
    assert f'name="value-{CODE}"' not in page  # no quarter's value for a monthly indicator
    # A bad month is named beside its own input; the typed values are kept; nothing saved.
    posted = {f"value-{code}": "33", f"value-{pct}": "70", "action": "submit"}
    bad = client.post(url, {**posted, f"value-{CODE}-2024-07": "4", f"value-{CODE}-2024-08": "2.5"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert f'href="#{CODE}:2024-08">Enter a whole number' in body
    assert f'href="#{CODE}:2024-09">Enter a value before submitting' in body
    assert 'value="2.5"' in body
    assert ReturnLine.objects.filter(ret=ret).count() == 0
    # A draft of two months, then the whole quarter submitted.
    client.post(url, {**posted, "action": "save", f"value-{CODE}-2024-07": "4"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT
    assert (CODE, "2024-07", 4.0) in lines_of(ret)
    done = client.post(
        url,
        {
            **posted,
            f"value-{CODE}-2024-07": "4",
            f"value-{CODE}-2024-08": "7",
            f"value-{CODE}-2024-09": "12",
            f"note-{CODE}": "September had a run of repeat episodes",
        },
    )
    assert done.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert lines_of(ret) == [
        ("found-share", "", 70.0),  # the quarterly indicators keep one line, as before
        (CODE, "2024-07", 4.0),
        (CODE, "2024-08", 7.0),
        (CODE, "2024-09", 12.0),
        (code, "", 33.0),
    ]
    # Not approved yet: months are gaps with the return's status, never zeros.
    assert [(p.period, p.value, p.status) for p in series(world, CODE).points[3:]] == [
        (m, None, "submitted") for m in Q2
    ]
    client.force_login(members["analyst"])
    client.post(url, {"action": "approve"})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.APPROVED
    row = series(world, CODE)
    assert [(p.period, p.value, p.status) for p in row.points] == [
        ("2024-04", None, "not_submitted"),
        ("2024-05", None, "not_submitted"),
        ("2024-06", None, "not_submitted"),
        ("2024-07", 4.0, "approved"),
        ("2024-08", 7.0, "approved"),
        ("2024-09", 12.0, "approved"),
    ]
    assert (row.verdict.period, row.verdict.latest.value, row.verdict.target) == (
        "2024-09",
        12.0,
        10,
    )
    assert row.note == "September had a run of repeat episodes"
    quarterly = series(world, code)
    assert [(p.period, p.value) for p in quarterly.points] == [
        ("2024/25-Q1", 40.0),
        ("2024/25-Q2", 33.0),
    ]
    # The lead corrects August only, with a reason: the other months keep their values and
    # the history keeps August's old value.
    with pytest.raises(ValidationError) as outside:
        return_correct(
            ret=ret, by=members["lead"], values={CODE: {"2024-10": "6"}}, reason="Recount"
        )
    assert outside.value.message_dict[f"{CODE}:2024-10"] == [
        "2024-10 is not a month of 2024/25-Q2 (its months are 2024-07, 2024-08, 2024-09)."
    ]
    client.force_login(members["lead"])
    fixed = client.post(
        url,
        {"action": "correct", f"value-{CODE}-2024-08": "6", "reason": "Duplicate removed"},
    )
    assert fixed.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.CORRECTED
    event = ret.events.get(kind="correct")
    assert event.comment == "Duplicate removed"
    assert event.before["values"][CODE] == {"2024-07": 4.0, "2024-08": 7.0, "2024-09": 12.0}
    assert event.after["values"][CODE] == {"2024-07": 4.0, "2024-08": 6.0, "2024-09": 12.0}
    assert event.after["values"][code] == 33.0
    assert [p.value for p in series(world, CODE).points[3:]] == [4.0, 6.0, 12.0]
    # The return's history says the correction in words, month by month.
    history = client.get(url).content.decode().split('id="history"', 1)[1]
    assert (
        f"values before found-share 70; {CODE} July 2024: 4, August 2024: 7, "
        "September 2024: 12; missing-repeat 33, after found-share 70; "
        f"{CODE} July 2024: 4, August 2024: 6, September 2024: 12; missing-repeat 33"
    ) in history
    assert "{" not in history.split("</ol>", 1)[0]
    # A used indicator cannot switch frequency (its history would no longer match).
    with pytest.raises(ValidationError) as switched:
        indicator_upsert(
            partnership=world["plan"].partnership,
            by=members["analyst"],
            priority=world["first"],
            code=CODE,
            name="Missing episodes",
            definition="x",
            unit="count",
            polarity="decrease",
            frequency="quarterly",
        )
    assert switched.value.message_dict["frequency"] == [ERR_FREQUENCY_USED]


def post(client, ret, key, payload):
    return client.post(
        f"/api/partnerships/rotherham/returns/{ret.pk}",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_the_api_takes_months_and_refuses_a_month_outside_the_quarter(
    client, world, members, monthly
):
    ret, code, pct = world["owed"], world["missing"].code, world["share"].code
    _, key = api_token_create(user=members["lead"], name="Police system")
    bad = post(
        client,
        ret,
        key,
        {"values": {code: 12, pct: 75, CODE: {"2024-07": 3, "2024-08": 4, "2024-10": 5}}},
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors[f"{CODE}:2024-10"] == [
        "2024-10 is not a month of 2024/25-Q2 (its months are 2024-07, 2024-08, 2024-09)."
    ]
    assert errors[f"{CODE}:2024-09"] == ["Enter a value before submitting (or save a draft)."]
    shapes = post(client, ret, key, {"values": {code: {"2024-07": 1}, pct: 75, CODE: 12}})
    assert shapes.status_code == 422
    assert "reported quarterly" in shapes.json()["errors"][code][0]
    assert "reported monthly" in shapes.json()["errors"][CODE][0]
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.NOT_STARTED and lines_of(ret) == []
    ok = post(
        client,
        ret,
        key,
        {"values": {code: 12, pct: 75, CODE: {"2024-07": 3, "2024-08": "4", "2024-09": 5}}},
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["values"][CODE] == {"2024-07": 3.0, "2024-08": 4.0, "2024-09": 5.0}
    assert ok.json()["values"][code] == 12.0
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    # The same check as the form's service: a draft through the service refuses it too.
    q3 = Return.objects.get(priority=world["first"], period=world["periods"]["2024/25-Q3"])
    with pytest.raises(ValidationError) as refused:
        return_save(ret=q3, by=members["lead"], values={CODE: {"2024-09": 1}})
    assert f"{CODE}:2024-09" in refused.value.message_dict


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("monthly.csv", text.encode())


def test_the_import_takes_a_month_column_and_names_bad_rows(world, members, monthly):
    partnership, code = world["plan"].partnership, world["missing"].code
    bad = (
        "indicator,period,month,value,note\n"
        f"{CODE},2024/25-Q3,2024-10,5,\n"  # good, not stored either
        f"{CODE},2024/25-Q3,2024-07,5,\n"  # a month of another quarter
        f"{CODE},2024/25-Q3,,5,\n"  # no month for a monthly indicator
        f"{code},2024/25-Q3,2024-10,5,\n"  # a month for a quarterly indicator
        f"{CODE},2024/25-Q3,2024-13,5,\n"  # not a month
        f"{CODE},2024/25-Q3,2024-10,6,\n"  # duplicate of line 2
    )
    with pytest.raises(ValidationError) as refused:
        values_import(partnership=partnership, by=members["analyst"], upload=upload(bad))
    messages = refused.value.messages
    assert messages[0] == (
        "monthly.csv:3: month: 2024-07 is not a month of 2024/25-Q3 "
        "(its months are 2024-10, 2024-11, 2024-12)"
    )
    assert messages[1].startswith("monthly.csv:4: month: is empty")
    assert messages[2].startswith("monthly.csv:5: month: '2024-10': ")
    assert "reported quarterly" in messages[2]
    assert messages[3].startswith("monthly.csv:6: month: ")
    assert (
        messages[4] == "monthly.csv:7: row: duplicate of line 2 (same indicator, period and month)"
    )
    assert not ReturnLine.objects.filter(indicator__code=CODE).exists()
    good = (
        "indicator,period,month,value,note\n"
        f"{CODE},2024/25-Q3,2024-10,5,\n"
        f"{CODE},2024/25-Q3,2024-11,8,\n"
        f"{CODE},2024/25-Q3,2024-12,9,Imported\n"
        f"{code},2024/25-Q3,,30,\n"
    )
    result = values_import(partnership=partnership, by=members["analyst"], upload=upload(good))
    assert (result.added, result.corrected, result.unchanged) == (4, 0, 0)
    ret = Return.objects.get(priority=world["first"], period=world["periods"]["2024/25-Q3"])
    assert ret.status == ReturnStatus.APPROVED
    assert [(c, m, v) for c, m, v in lines_of(ret)] == [
        (CODE, "2024-10", 5.0),
        (CODE, "2024-11", 8.0),
        (CODE, "2024-12", 9.0),
        (code, "", 30.0),
    ]
    row = series(world, CODE, "2024/25-Q3")
    assert [(p.period, p.value) for p in row.points[-3:]] == [
        ("2024-10", 5.0),
        ("2024-11", 8.0),
        ("2024-12", 9.0),
    ]
    # One month changed: a correction of that month only; the same file again changes nothing.
    again = values_import(
        partnership=partnership,
        by=members["analyst"],
        upload=upload(good.replace("2024-11,8", "2024-11,7")),
    )
    assert (again.added, again.corrected, again.unchanged) == (0, 1, 3)
    event = ret.events.order_by("-pk").first()
    assert event.kind == "correct"
    assert event.before["values"][CODE]["2024-11"] == 8.0
    assert event.after["values"][CODE]["2024-11"] == 7.0
    # A file of quarterly indicators only may leave the month column out, as before.
    plain = values_import(
        partnership=partnership,
        by=members["analyst"],
        upload=upload(f"indicator,period,value\n{code},2024/25-Q4,31\n"),
    )
    assert plain.added == 1
