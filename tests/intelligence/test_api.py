"""The JSON API: tokens, the same permissions as the pages, figures from analytics."""

from __future__ import annotations

import pytest

from saferstat.analytics import measures, warehouse
from saferstat.analytics.periods import parse_period
from saferstat.core.models import AuditEvent
from saferstat.core.tokens import api_token_create, api_token_revoke


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
def test_token_reads_counts_equal_to_the_analytics(client, overview_warehouse, rotherham, members):
    _, key = api_token_create(user=members["scrutiny"], name="notebook")
    response = client.get(
        "/api/partnerships/rotherham/counts?period=2024/25&by=ward", **bearer(key)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    with warehouse.connect(overview_warehouse) as con:
        expected = measures.counts(
            con, area_codes=["E08000018"], period=parse_period("2024/25"), by="ward"
        )
    assert [(r["key"], r["count"]) for r in body["rows"]] == expected.rows
    assert body["is_complete"] is True and len(body["rows"]) == 25


@pytest.mark.django_db
def test_a_missing_month_is_a_gap_not_zero(client, overview_warehouse, rotherham, members):
    _, key = api_token_create(user=members["analyst"], name="t")
    response = client.get("/api/partnerships/rotherham/counts?period=2025-04", **bearer(key))
    # No loaded month at all: 404 with the reason, never an empty (zero) count.
    assert response.status_code == 404
    body = response.json()
    assert body["missing_months"] == ["2025-04"] and "rows" not in body
    assert body["detail"] == (
        "No police.uk data is loaded for Rotherham in 2025-04 (South Yorkshire Police has no "
        "data for April 2025)."
    )


@pytest.mark.django_db
def test_overview_json(client, overview_warehouse, rotherham, members):
    _, key = api_token_create(user=members["board"], name="t")
    body = client.get("/api/partnerships/rotherham/overview?period=2024/25", **bearer(key)).json()
    assert body["area_name"] == "Rotherham"
    assert body["period"] == "2024/25" and len(body["monthly"]) == 12
    assert body["total"]["count"] == sum(m["count"] for m in body["monthly"])


@pytest.mark.django_db
def test_bad_tokens_and_periods(client, overview_warehouse, rotherham, members):
    token, key = api_token_create(user=members["analyst"], name="t")
    url = "/api/partnerships/rotherham/counts?period=2024/25"
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ss_wrong").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Basic abc").status_code == 401
    assert (
        client.get("/api/partnerships/rotherham/counts?period=2024/26", **bearer(key)).status_code
        == 422
    )
    assert (
        client.get("/api/partnerships/nowhere/counts?period=2024/25", **bearer(key)).status_code
        == 404
    )
    api_token_revoke(token=token, by=members["analyst"])
    assert client.get(url, **bearer(key)).status_code == 401
    assert AuditEvent.objects.filter(verb__in=["api_token.create", "api_token.revoke"]).count() == 2


@pytest.mark.django_db
def test_token_of_another_partnership_is_refused_until_published(
    client, overview_warehouse, rotherham, sheffield, make_member
):
    _, key = api_token_create(user=make_member(sheffield, "admin", username="sh"), name="t")
    url = "/api/partnerships/rotherham/counts?period=2024/25"
    assert client.get(url, **bearer(key)).status_code == 403
    slugs = [p["slug"] for p in client.get("/api/partnerships", **bearer(key)).json()]
    assert slugs == ["sheffield"]
    rotherham.overview_published = True
    rotherham.save()
    assert client.get(url, **bearer(key)).status_code == 200
    assert client.get(url).status_code == 200  # anonymous, now public


@pytest.mark.django_db
def test_token_page_shows_the_secret_once_and_revokes(client, members):
    client.force_login(members["analyst"])
    response = client.post("/account/api-tokens/", {"name": "Power BI"})
    assert response.status_code == 200 and b'id="new-token"' in response.content
    again = client.get("/account/api-tokens/")
    assert b'id="new-token"' not in again.content and b"Power BI" in again.content
    token = members["analyst"].api_tokens.get()
    assert token.key_hash not in again.content.decode()
    assert client.post("/account/api-tokens/", {"name": "  "}).status_code == 400
    client.post("/account/api-tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert not token.is_active


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/partnerships",
        "/api/partnerships/{slug}/counts",
        "/api/partnerships/{slug}/overview",
    } <= set(schema["paths"])


@pytest.mark.django_db
def test_spc_compare_and_hotspots_endpoints(client, overview_warehouse, rotherham, members):
    from saferstat.analytics import compare, hotspots
    from saferstat.analytics.spc_series import spc_series

    _, key = api_token_create(user=members["board"], name="t")
    weapons = "crime_type=Possession%20of%20weapons"
    spc = client.get(
        f"/api/partnerships/rotherham/spc?start=2024-04&end=2025-03&{weapons}", **bearer(key)
    )
    assert spc.status_code == 200, spc.content
    cmp = client.get(f"/api/partnerships/rotherham/compare?period=2024/25&{weapons}", **bearer(key))
    hot = client.get("/api/partnerships/rotherham/hotspots?period=2024/25&rank=harm", **bearer(key))
    with warehouse.connect(overview_warehouse) as con:
        series = spc_series(con, area_codes=["E08000018"], start="2024-04", end="2025-03",
                            crime_types=["Possession of weapons"])  # fmt: skip
        comparison = compare.compare_areas(con, area_code="E08000018", period=parse_period("2024/25"),
                                           crime_types=["Possession of weapons"])  # fmt: skip
        spots = hotspots.hotspots(
            con, area_codes=["E08000018"], period=parse_period("2024/25"), rank_by="harm"
        )
    assert [p["count"] for p in spc.json()["points"]] == [r["count"] for r in series.table()]
    assert spc.json()["variation_icon"] == str(series.variation_icon)
    assert {a["name"]: a["count"] for a in cmp.json()["areas"]} == {
        a.name: a.count for a in comparison.areas
    }
    assert [r["code"] for r in hot.json()["rows"]] == [r.code for r in spots.rows]
    bad = client.get(
        "/api/partnerships/rotherham/spc?start=2024-04&end=2025-03&crime_type=Burglarly",
        **bearer(key),
    )
    assert bad.status_code == 422


@pytest.mark.django_db
def test_figure_endpoints_need_membership(
    client, overview_warehouse, rotherham, sheffield, make_member
):
    _, key = api_token_create(user=make_member(sheffield, "analyst", username="sh"), name="t")
    for path in [
        "spc?start=2024-04&end=2025-03",
        "compare?period=2024/25",
        "hotspots?period=2024/25",
    ]:
        assert client.get(f"/api/partnerships/rotherham/{path}", **bearer(key)).status_code == 403
        assert client.get(f"/api/partnerships/rotherham/{path}").status_code == 401
