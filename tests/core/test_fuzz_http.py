"""Random input over HTTP: the JSON API from its own OpenAPI schema (schemathesis), and the
query strings of the HTML pages (hypothesis). Nothing may answer with a server error, and
the API's answers must match its schema.

Both run in-process (the WSGI application and Django's test client) over the 2024/25
demo warehouse, with a bounded number of examples so the file takes well under a minute.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from saferstat.core.tokens import api_token_create

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is never a fluke
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def in_process_wsgi():
    """Call `config.wsgi.application` directly inside the test's transaction.

    Django closes the database connection at the start and end of every request it
    serves; in a test that would end the test's transaction, so (as Django's own test
    client does) those two signals are disconnected while the test runs.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schema():
    """The API's own OpenAPI schema (as served at /api/openapi.json), called in-process."""
    from config.api import api as ninja_api

    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix="/api"))
    schema.app = application
    # Rotherham, so the figures are computed rather than refused for an unknown slug.
    schema.config.update(parameters={"slug": "rotherham"})
    return schema


API = _load_schema()


@pytest.fixture
def analyst_key(db, in_process_wsgi, overview_warehouse, rotherham, members) -> str:
    return api_token_create(user=members["analyst"], name="schemathesis")[1]


@API.parametrize()
@FUZZ
def test_the_api_never_fails_and_keeps_to_its_schema(case, analyst_key):
    """Every check schemathesis has (no server error; documented status codes, content
    types, headers and response bodies; requests the schema forbids are refused) except
    one: the schema cannot say that in `2024/26` the second year must follow the first, so
    a request it allows may still be refused with 422."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {analyst_key}"},
        excluded_checks=[positive_data_acceptance],
    )


# --- the HTML pages' query strings --------------------------------------------------------

#: Text that has broken parsers before: other digits, huge numbers, control characters.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "0000-01",
    "9999-99",
    "0000/01",
    "9999/00-Q4",
    "R12-0000-01",
    "2024/25",
    "2024-25",
    "2024-04",
    "²",
    "١٢",
    "٢٠٢٤-٠٤",
    "２０２４/２５",
    "1" * 22,
    "9223372036854775808",
    "1e309",
    "NaN",
    "\x00",
    "a\x00b",
    "\r\n",
    "%00",
    "../../etc/passwd",
    "<script>",
    "x" * 3000,
    "system",
    "intelligence.ImportRun:1",
    "core.User:" + "9" * 64,
]


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=30),
        # Digits of any script (`str.isdigit` and `int` take them), up to 25 of them.
        st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=25),
        st.integers().map(str),
    )


def query(**choices: list[str]) -> st.SearchStrategy[str]:
    """A query string over these parameters: each absent, once or repeated, with a value
    from its list of sensible ones or from :func:`nasty_text`."""
    pairs = st.lists(
        st.sampled_from(sorted(choices)).flatmap(
            lambda name: st.tuples(
                st.just(name), st.one_of(st.sampled_from(choices[name]), nasty_text())
            )
        ),
        max_size=6,
    )
    return pairs.map(urlencode)


@pytest.fixture
def signed_in_admin(client, overview_warehouse, rotherham, members):
    client.force_login(members["admin"])
    return client


def _explorer_values() -> dict[str, list[str]]:
    from saferstat.intelligence.explorer import query as explorer

    return {
        "source": ["police", "unknown"],
        "view": sorted(explorer.VIEWS),
        "period": ["2024/25", "2024/25-Q3", "2024-06", "R12-2025-03"],
        "from": ["2024-04", "2022-01"],
        "to": ["2025-03", "2024-06"],
        "kind": sorted(explorer.PERIOD_KINDS),
        "polarity": sorted(explorer.POLARITIES),
        "compare": ["E08000019", "E08000016,E08000017"],
        "crime_type": ["Burglary", "Robbery"],
        "format": ["html", "csv", "xlsx", "ods", "svg"],
    }


@pytest.mark.django_db
@given(qs=query(**_explorer_values()))
@settings(FUZZ, max_examples=40)
def test_the_explorer_never_fails(signed_in_admin, qs):
    status = signed_in_admin.get(f"/p/rotherham/explore/?{qs}").status_code
    assert status in {200, 400, 404}, (qs, status)


@pytest.mark.django_db
@given(fy=st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=12)))
@settings(FUZZ, max_examples=40)
def test_the_overview_never_fails_whatever_the_year(signed_in_admin, fy):
    from urllib.parse import quote

    for suffix in ("", "trend.svg"):
        url = f"/p/rotherham/overview/{quote(fy, safe='')}/{suffix}"
        status = signed_in_admin.get(url).status_code
        assert status in {200, 404}, (url, status)


@pytest.mark.django_db
@given(
    qs=query(
        actor=["system", "1", "2"],
        object=["intelligence.ImportRun:1", "core.ApiToken:1"],
        page=["1", "2", "last"],
    )
)
@settings(FUZZ, max_examples=40)
def test_the_audit_log_never_fails(signed_in_admin, qs):
    status = signed_in_admin.get(f"/p/rotherham/audit/?{qs}").status_code
    assert status in {200, 400}, (qs, status)


@pytest.fixture
def with_dataset(signed_in_admin, rotherham, members):
    from saferstat.intelligence.datasets.services import partner_dataset_declare

    partner_dataset_declare(
        partnership=rotherham,
        by=members["admin"],
        name="Knife crime",
        slug="knife-crime",
        schema={
            "granularity": "month",
            "area_level": "ward",
            "columns": [
                {"name": "Month", "type": "period"},
                {"name": "Ward code", "type": "area"},
                {"name": "Offences", "type": "count"},
            ],
        },
    )
    return signed_in_admin


@pytest.mark.django_db
@given(
    lists=query(status=["open", "answered"], who=["mine"], page=["1", "2", "last"]),
    year=query(year=["2024-25", "2023-24"], page=["1"]),
)
@settings(FUZZ, max_examples=25)
def test_list_and_dataset_pages_never_fail(with_dataset, lists, year):
    client = with_dataset
    for url in (
        f"/p/rotherham/requests/?{lists}",
        f"/p/rotherham/imports/?{lists}",
        f"/p/rotherham/datasets/?{lists}",
        f"/p/rotherham/datasets/knife-crime/upload/?{lists}",
    ):
        status = client.get(url).status_code
        assert status == 200, (url, status)
    url = f"/p/rotherham/datasets/knife-crime/?{year}"
    status = client.get(url).status_code
    assert status in {200, 404}, (url, status)


@pytest.mark.django_db
@given(revoke=nasty_text(), name=nasty_text())
@settings(FUZZ, max_examples=40)
def test_the_api_tokens_page_never_fails(signed_in_admin, revoke, name):
    status = signed_in_admin.post("/account/api-tokens/", {"revoke": revoke}).status_code
    assert status in {302, 400, 404}, (revoke, status)
    status = signed_in_admin.post("/account/api-tokens/", {"name": name}).status_code
    assert status in {200, 400}, (name, status)
