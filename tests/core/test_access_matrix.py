"""Every URL of the app against every role and anonymous, for the user's own partnership
and for another one. The URLs are discovered from the resolver, so a new URL without a row
here fails the suite."""

from __future__ import annotations

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from saferstat.intelligence.models import DataRequest, ImportRun, PartnerDataset, PartnerUpload
from tests.performance.factories import plan_world

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
ALL = {r: 200 for r in ROLES}
LOGIN = "login"  # anonymous users are redirected to sign in
FORBIDDEN = {r: 403 for r in ROLES}
ANALYSTS_OK = {"admin": 200, "analyst": 200}


def only(allowed: dict[str, int], **others) -> dict[str, int]:
    return {**FORBIDDEN, **allowed, **others}


# url name -> (path template, expected per role in own partnership, expected for anonymous).
# A member of another partnership gets what `other` says (403 unless public).
MATRIX = {
    "home": ("/", ALL, 200, 200),
    "login": ("/sign-in/", {r: 302 for r in ROLES}, 200, 302),
    "logout": ("/sign-out/", {r: 405 for r in ROLES}, 405, 405),  # POST only
    "partnership_home": ("/p/{slug}/", ALL, LOGIN, 403),
    "audit_log": ("/p/{slug}/audit/", only({"admin": 200}), LOGIN, 403),
    "partnership_publish": ("/p/{slug}/publish/", only({"admin": 302}), LOGIN, 403),
    "overview_latest": ("/p/{slug}/overview/", {r: 302 for r in ROLES}, LOGIN, 403),
    "overview": ("/p/{slug}/overview/2024-25/", ALL, LOGIN, 403),
    "overview_trend_svg": ("/p/{slug}/overview/2024-25/trend.svg", ALL, LOGIN, 403),
    "import_list": ("/p/{slug}/imports/", only({"admin": 200, "analyst": 200}), LOGIN, 403),
    "import_upload": (
        "/p/{slug}/imports/upload/",
        only({"admin": 302, "analyst": 302}),
        LOGIN,
        403,
    ),
    "import_detail": ("/p/{slug}/imports/{run}/", only({"admin": 200, "analyst": 200}), LOGIN, 403),
    # Partner datasets; {dataset} is sensitive and not shared with scrutiny, so scrutiny
    # members get 404 for it (its existence is not revealed; see test_partner_views.py).
    "partner_dataset_list": ("/p/{slug}/datasets/", ALL, LOGIN, 403),
    "partner_dataset_declare": ("/p/{slug}/datasets/declare/", only({"admin": 200}), LOGIN, 403),
    "partner_dataset_detail": (
        "/p/{slug}/datasets/{dataset}/",
        {**ALL, "scrutiny": 404},
        LOGIN,
        403,
    ),
    "partner_dataset_edit": (
        "/p/{slug}/datasets/{dataset}/edit/",
        only({"admin": 200}),
        LOGIN,
        403,
    ),
    "partner_dataset_template": (
        "/p/{slug}/datasets/{dataset}/template.csv",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "partner_upload": (
        "/p/{slug}/datasets/{dataset}/upload/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "partner_upload_detail": (
        "/p/{slug}/datasets/{dataset}/uploads/{upload}/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "explorer": ("/p/{slug}/explore/?view=compare", ALL, LOGIN, 403),
    "explorer_save": ("/p/{slug}/explore/save/", only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "request_list": ("/p/{slug}/requests/", ALL, LOGIN, 403),
    "request_new": ("/p/{slug}/requests/new/", ALL, LOGIN, 403),
    "request_detail": ("/p/{slug}/requests/{request}/", ALL, LOGIN, 403),
    "api_tokens": ("/account/api-tokens/", ALL, LOGIN, 200),
    "two_factor": ("/account/two-factor/", ALL, LOGIN, 200),
    "login_code": ("/sign-in/code/", {r: 302 for r in ROLES}, 302, 302),  # no sign-in pending
    # JSON API: the same rules; anonymous callers get 401 instead of a redirect.
    "api:api-root": ("/api/", {r: 404 for r in ROLES}, 404, 404),
    "api:openapi-json": ("/api/openapi.json", ALL, 200, 200),
    "api:openapi-view": ("/api/docs", ALL, 200, 200),
    "api:partnership_list": ("/api/partnerships", ALL, 200, 200),
    "api:partnership_counts": ("/api/partnerships/{slug}/counts?period=2024/25", ALL, 401, 403),
    "api:partnership_overview": ("/api/partnerships/{slug}/overview?period=2024/25", ALL, 401, 403),
    "api:partnership_spc": (
        "/api/partnerships/{slug}/spc?start=2024-04&end=2025-03",
        ALL,
        401,
        403,
    ),
    "api:partnership_compare": ("/api/partnerships/{slug}/compare?period=2024/25", ALL, 401, 403),
    "api:partnership_hotspots": ("/api/partnerships/{slug}/hotspots?period=2024/25", ALL, 401, 403),
    # Plan and performance (docs/plan-performance.md)
    "plan_detail": ("/p/{slug}/plan/", ALL, LOGIN, 403),
    "plan_version": ("/p/{slug}/plan/versions/1/", ALL, LOGIN, 403),
    "performance_dashboard": ("/p/{slug}/performance/?period=2024/25-Q1", ALL, LOGIN, 403),
    "performance_summary": ("/p/{slug}/performance/summary/", ALL, LOGIN, 403),
    "performance_mine": ("/p/{slug}/performance/mine/", ALL, LOGIN, 403),
    "performance_late": ("/p/{slug}/performance/late/", only(ANALYSTS_OK), LOGIN, 403),
    "performance_highlights": (
        "/p/{slug}/performance/highlights/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance_return": ("/p/{slug}/performance/returns/{ret}/", ALL, LOGIN, 403),
    "performance_indicator": ("/p/{slug}/performance/indicators/{indicator}/", ALL, LOGIN, 403),
    "performance_chart": (
        "/p/{slug}/performance/indicators/{indicator}/chart.svg",
        ALL,
        LOGIN,
        403,
    ),
    "api:partnership_indicators": (
        "/api/partnerships/{slug}/indicators?period=2024/25-Q1",
        ALL,
        401,
        403,
    ),
    "api:indicator_series_csv": (
        "/api/partnerships/{slug}/indicators/{indicator}/series.csv",
        ALL,
        401,
        403,
    ),
    # POST only (with a bearer token): see tests/performance/test_api.py.
    "api:return_submit_api": (
        "/api/partnerships/{slug}/returns/{ret}",
        {r: 405 for r in ROLES},
        405,
        405,
    ),
}
# Django's own admin site checks staff status itself; it is covered by Django's tests.
EXEMPT_NAMESPACES = {"admin"}


def discovered_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in EXEMPT_NAMESPACES:
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL {p.pattern} has no name, so it cannot be in the access matrix"
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_row():
    assert discovered_url_names() == set(MATRIX), (
        "add the new URL to MATRIX with its expected statuses"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, client, overview_warehouse, rotherham, sheffield, members, make_member):
    template, expected, anonymous, other = MATRIX[name]
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="x.csv",
        stored_path="/none",
        size_bytes=1,
    )
    dataset = PartnerDataset.objects.create(
        partnership=rotherham,
        slug="hate-incidents",
        name="Hate incidents",
        schema={
            "granularity": "month",
            "area_level": "ward",
            "columns": [{"name": "Month", "type": "period"}, {"name": "Ward code", "type": "area"}],
        },
        sensitive=True,
    )
    upload = PartnerUpload.objects.create(
        partnership=rotherham,
        dataset=dataset,
        uploaded_by=members["analyst"],
        original_name="x.csv",
        stored_path="/none",
        size_bytes=1,
    )
    data_request = DataRequest.objects.create(
        partnership=rotherham,
        raised_by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date=datetime.date(2030, 1, 1),
    )
    fill = {"ret": 0, "indicator": "none"}
    if any(word in name for word in ("plan", "performance", "indicator", "return")):
        world = plan_world(
            rotherham,
            admin=members["admin"],
            analyst=members["analyst"],
            lead=members["lead"],
            other_lead=None,
        )
        fill = {"ret": world["approved"].pk, "indicator": world["missing"].code}
    url = template.format(
        **fill,
        slug="rotherham",
        run=run.pk,
        dataset=dataset.slug,
        upload=upload.pk,
        request=data_request.pk,
    )
    for role in ROLES:
        client.force_login(members[role])
        status = client.get(url).status_code
        assert status == expected[role], f"{name} as {role}: {status}"
    outsider = make_member(sheffield, "admin", username="outsider")
    client.force_login(outsider)
    assert client.get(url).status_code == other, f"{name} as admin of another partnership"
    client.logout()
    response = client.get(url)
    if anonymous == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next="), (
            name
        )
    else:
        assert response.status_code == anonymous, name
