"""The indicators API and return submission with a token."""

from __future__ import annotations

import json

import pytest

from saferstat.core.tokens import api_token_create
from saferstat.performance.models import ReturnStatus

pytestmark = pytest.mark.django_db


def test_indicators_api_has_the_fields_and_gaps(client, world, members, overview_warehouse):
    _, key = api_token_create(user=members["board"], name="Power BI")
    response = client.get(
        "/api/partnerships/rotherham/indicators?period=2024/25-Q2",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == "2024/25-Q2"
    missing = next(i for i in data["indicators"] if i["code"] == world["missing"].code)
    for field in ("code", "name", "unit", "polarity", "value", "target", "variation",
                  "assurance", "rag", "rag_rule", "series"):  # fmt: skip
        assert field in missing
    assert missing["unit"] == "count" and missing["polarity"] == "decrease"
    assert missing["target"] == 50 and missing["value"] is None  # Q2 not submitted: a gap
    assert missing["series"] == [
        {"period": "2024/25-Q1", "value": 40.0, "status": "approved"},
        {"period": "2024/25-Q2", "value": None, "status": "not_submitted"},
    ]
    assert missing["rag_rule"].startswith("Red when")
    asb = next(i for i in data["indicators"] if i["code"] == "asb-policeuk")
    assert [p["status"] for p in asb["series"]] == ["computed", "computed"]
    bad = client.get("/api/partnerships/rotherham/indicators?period=2030/31-Q1",
                     HTTP_AUTHORIZATION=f"Bearer {key}")  # fmt: skip
    assert bad.status_code == 422
    csv = client.get(
        f"/api/partnerships/rotherham/indicators/{world['missing'].code}/series.csv?period=2024/25-Q2",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert csv.content.decode("utf-8-sig").splitlines() == [
        "period,value,status",
        "2024/25-Q1,40.0,approved",
        "2024/25-Q2,,not_submitted",
    ]


def post(client, ret, key, payload):
    return client.post(
        f"/api/partnerships/rotherham/returns/{ret.pk}",
        data=json.dumps(payload),
        content_type="application/json",
        **({"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}),
    )


def test_a_partner_system_submits_a_return_with_the_leads_token(client, world, members, other_lead):
    ret, code, pct = world["owed"], world["missing"].code, world["share"].code
    _, lead_key = api_token_create(user=members["lead"], name="Police system")
    _, other_key = api_token_create(user=other_lead, name="Council system")
    _, board_key = api_token_create(user=members["board"], name="Board")
    payload = {"values": {code: 12, pct: 75}, "commentary": "From the police system"}
    client.force_login(members["lead"])  # a session alone is not enough to write
    assert post(client, ret, None, payload).status_code == 401
    client.logout()
    assert post(client, ret, other_key, payload).status_code == 403
    assert post(client, ret, board_key, payload).status_code == 403
    # Validated exactly like the form: errors by indicator, nothing stored.
    bad = post(client, ret, lead_key, {"values": {code: 12.5, pct: 150, "nope": 1}})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {code, pct, "nope"}
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.NOT_STARTED
    ok = post(client, ret, lead_key, payload)
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "submitted" and ok.json()["values"][code] == 12
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and ret.submitted_by == members["lead"]
    assert post(client, ret, lead_key, payload).status_code == 422  # already submitted
