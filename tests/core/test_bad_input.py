"""Bad input gets a clear 400, 404 or 422, never a server error; pages that show a secret
are never stored by a browser or a proxy.

Each case here was a 500 (or a missing header) found by an outside review; the fuzz tests
in `test_fuzz_http.py` look for more of the same kind.
"""

from __future__ import annotations

import pytest

from saferstat.core.models import ApiToken, AuditEvent
from saferstat.core.tokens import api_token_create

#: Periods no one can mean: year 0 (the year before it is not a four-digit year), year 9999
#: (the year after is not), no such month or quarter, other digits, control characters.
IMPOSSIBLE_YEARS = ["0000-01", "0000-00", "0001-02", "9999-00", "9998-99", "0999-00"]
NOT_PERIODS = [
    "",
    " ",
    "2024/25\x00",
    "٢٠٢٤/٢٥",  # Arabic-Indic digits
    "２０２４/２５",  # full-width digits
    "1" * 40,
    "2024/25-Q99999999999999999999",
    "R12-0000-01",
    "R12-9999-12",
    "0000/01-Q1",
    "x" * 5000,
]


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def published(rotherham):
    rotherham.overview_published = True
    rotherham.save()
    return rotherham


# --- the overview, anonymous -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fy", IMPOSSIBLE_YEARS + ["２０２４-２５", "2024-2５"])
def test_an_impossible_financial_year_in_the_address_is_not_found(
    client, overview_warehouse, published, fy
):
    assert client.get(f"/p/rotherham/overview/{fy}/").status_code == 404
    assert client.get(f"/p/rotherham/overview/{fy}/trend.svg").status_code == 404


# --- the API -----------------------------------------------------------------------------


API_PERIOD_URLS = [
    "/api/partnerships/rotherham/overview?period={p}",
    "/api/partnerships/rotherham/counts?period={p}",
    "/api/partnerships/rotherham/counts?period={p}&by=month",
    "/api/partnerships/rotherham/compare?period={p}",
    "/api/partnerships/rotherham/hotspots?period={p}",
    "/api/partnerships/rotherham/spc?start={p}&end=2025-03",
    "/api/partnerships/rotherham/spc?start=2024-04&end={p}",
]


@pytest.mark.django_db
def test_the_api_answers_impossible_periods_with_422(
    client, overview_warehouse, published, members
):
    _, key = api_token_create(user=members["analyst"], name="fuzz")
    problems = []
    for template in API_PERIOD_URLS:
        for period in IMPOSSIBLE_YEARS + NOT_PERIODS:
            url = template.format(p=period)
            response = client.get(url, **bearer(key))
            if response.status_code != 422 or "Traceback" in response.content.decode():
                problems.append(f"{url!r}: {response.status_code}")
    # Anonymous readers of a published overview get the same answer.
    response = client.get("/api/partnerships/rotherham/overview?period=0000-01")
    if response.status_code != 422:
        problems.append(f"anonymous overview?period=0000-01: {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_api_refuses_a_spc_range_of_more_than_25_years(
    client, overview_warehouse, rotherham, members
):
    _, key = api_token_create(user=members["analyst"], name="fuzz")
    url = "/api/partnerships/rotherham/spc?start=1900-01&end=2999-12"
    response = client.get(url, **bearer(key))
    assert response.status_code == 422 and "25 years" in response.json()["detail"]


# --- the audit log -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "actor=²",  # a superscript two: str.isdigit() says yes, int() says no
        "actor=١٢",  # Arabic-Indic "12"
        "actor=1234567890123456789012",  # does not fit a database integer
        "actor=9223372036854775808",
        "actor=-1",
        "actor=%00",
        "actor=1&actor=x",
        "object=intelligence.ImportRun:%00",
        "object=intelligence.ImportRun:1%0A",
        "object=" + "a" * 3000,
        "page=99999999999999999999999&actor=1",
    ],
)
def test_the_audit_log_refuses_a_bad_filter_with_400(client, rotherham, members, query):
    client.force_login(members["admin"])
    response = client.get(f"/p/rotherham/audit/?{query}")
    assert response.status_code in {200, 400}, response.status_code
    if "actor" in query and "page=" not in query:
        assert response.status_code == 400
        assert "user number" in response.content.decode()


@pytest.mark.django_db
def test_a_large_but_valid_actor_number_is_an_empty_page(client, rotherham, members):
    client.force_login(members["admin"])
    response = client.get("/p/rotherham/audit/?actor=9223372036854775807")
    assert response.status_code == 200
    assert "No changes" in response.content.decode() or not response.context["rows"]


# --- API tokens --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "revoke", ["abc", "", "²", "١", "1" * 22, "-1", "1.5", "\x00", "9223372036854775808"]
)
def test_revoking_a_token_that_is_not_a_number_is_400(client, members, revoke):
    token, _ = api_token_create(user=members["analyst"], name="keep me")
    events = AuditEvent.objects.count()
    client.force_login(members["analyst"])
    response = client.post("/account/api-tokens/", {"revoke": revoke})
    assert response.status_code in {400, 404}, response.status_code
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_token_name_with_control_characters_is_cleaned(client, members):
    client.force_login(members["analyst"])
    response = client.post("/account/api-tokens/", {"name": "Power\x00 BI\x07"})
    assert response.status_code == 200
    assert ApiToken.objects.get(user=members["analyst"]).name == "Power BI"
    response = client.post("/account/api-tokens/", {"name": "\x00\x01"})
    assert response.status_code == 400


# --- caching of pages with secrets -------------------------------------------------------


@pytest.mark.django_db
def test_the_api_tokens_page_is_never_stored(client, members):
    client.force_login(members["analyst"])
    for response in (
        client.get("/account/api-tokens/"),
        client.post("/account/api-tokens/", {"name": "notebook"}),  # shows the new secret
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_signed_in_page_is_never_stored_but_public_pages_may_be(
    client, overview_warehouse, published, members
):
    client.force_login(members["admin"])
    for url in [
        "/",
        "/p/rotherham/",
        "/p/rotherham/audit/",
        "/p/rotherham/overview/2024-25/",
        "/p/rotherham/explore/?view=compare&format=csv",
        "/account/two-factor/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url
    # A chart image keeps its own short private cache.
    svg = client.get("/p/rotherham/overview/2024-25/trend.svg")
    assert svg["Cache-Control"] == "private, max-age=60"
    # API answers to a token are private too.
    _, key = api_token_create(user=members["analyst"], name="t")
    response = client.get("/api/partnerships/rotherham/counts?period=2024/25", **bearer(key))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    client.logout()
    assert "no-store" not in client.get("/p/rotherham/overview/2024-25/").get("Cache-Control", "")
