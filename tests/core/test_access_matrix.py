"""Every URL of the app against every role and anonymous, for the user's own partnership
and for another one, with every method: GET, then POST with an empty body, then PUT, PATCH
and DELETE. The URLs are discovered from the resolver, so a new URL without a row here
fails the suite.

A POST by someone without the right is refused (403, or sent to sign in) and changes
nothing: no audit event, import, dataset, upload, request, saved view or token appears or
goes, and nothing is published. PUT, PATCH and DELETE get 405 everywhere. No answer is a
server error."""

from __future__ import annotations

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from saferstat.core.models import ApiToken, AuditEvent, Partnership
from saferstat.intelligence.models import (
    DataRequest,
    ImportRun,
    PartnerDataset,
    PartnerUpload,
    SavedView,
)

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
ALL = {r: 200 for r in ROLES}
LOGIN = "login"  # anonymous users are redirected to sign in
FORBIDDEN = {r: 403 for r in ROLES}


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
}
NOT_ALLOWED = {r: 405 for r in ROLES}
#: What a POST with an empty body gets: url name -> (per role in own partnership, anonymous,
#: an admin of another partnership). 405: the role may read the page, which has no form.
#: 400: the form is refused (nothing filled in). 302: the form's way back.
POST_MATRIX = {
    "home": (NOT_ALLOWED, 405, 405),
    "login": ({r: 302 for r in ROLES}, 200, 302),  # signed in already: sent on
    "logout": ({r: 302 for r in ROLES}, 302, 302),
    "partnership_home": (NOT_ALLOWED, LOGIN, 403),
    "audit_log": (only({"admin": 405}), LOGIN, 403),
    "partnership_publish": (only({"admin": 302}), LOGIN, 403),
    "overview_latest": (NOT_ALLOWED, LOGIN, 403),
    "overview": (NOT_ALLOWED, LOGIN, 403),
    "overview_trend_svg": (NOT_ALLOWED, LOGIN, 403),
    "import_list": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "import_upload": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "import_detail": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "partner_dataset_list": (NOT_ALLOWED, LOGIN, 403),
    "partner_dataset_declare": (only({"admin": 400}), LOGIN, 403),
    "partner_dataset_detail": (NOT_ALLOWED, LOGIN, 403),
    "partner_dataset_edit": (only({"admin": 400}), LOGIN, 403),
    "partner_dataset_template": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "partner_upload": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "partner_upload_detail": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "explorer": (NOT_ALLOWED, LOGIN, 403),
    "explorer_save": (only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "request_list": (NOT_ALLOWED, LOGIN, 403),
    "request_new": ({r: 400 for r in ROLES}, LOGIN, 403),
    "request_detail": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "api_tokens": ({r: 400 for r in ROLES}, LOGIN, 400),  # no name: no token
    "two_factor": ({r: 200 for r in ROLES}, LOGIN, 200),  # no action: the page again
    "login_code": ({r: 302 for r in ROLES}, 302, 302),
    "api:api-root": ({r: 404 for r in ROLES}, 404, 404),
    **{
        name: (NOT_ALLOWED, 405, 405)
        for name in MATRIX
        if name.startswith("api:") and name != "api:api-root"
    },
}
#: The empty POSTs that may change something: the admin unpublishing (it is not published).
MAY_CHANGE = {("partnership_publish", "admin")}
OTHER_METHODS = ("put", "patch", "delete")
#: What PUT, PATCH and DELETE get where it is not 405: the API has nothing at its root.
OTHERS = {"api:api-root": 404}
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
    assert discovered_url_names() == set(MATRIX) == set(POST_MATRIX), (
        "add the new URL to MATRIX and POST_MATRIX with its expected statuses"
    )


def state() -> dict[str, object]:
    """What a refused write must not change."""
    return {
        "audit events": AuditEvent.objects.count(),
        "imports": ImportRun.objects.count(),
        "datasets": list(PartnerDataset.objects.values_list("pk", "name", "sensitive")),
        "uploads": PartnerUpload.objects.count(),
        "requests": list(DataRequest.objects.values_list("pk", "status", "answer")),
        "saved views": SavedView.objects.count(),
        "tokens": list(ApiToken.objects.values_list("pk", "revoked_at")),
        "published": list(Partnership.objects.values_list("slug", "overview_published")),
    }


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
    url = template.format(
        slug="rotherham",
        run=run.pk,
        dataset=dataset.slug,
        upload=upload.pk,
        request=data_request.pk,
    )
    outsider = make_member(sheffield, "admin", username="outsider")
    post_expected, post_anonymous, post_other = POST_MATRIX[name]
    identities = [(role, members[role], expected[role], post_expected[role]) for role in ROLES]
    identities += [
        ("admin of another partnership", outsider, other, post_other),
        ("anonymous", None, anonymous, post_anonymous),
    ]
    problems = []
    for who, user, get_status, post_status in identities:
        for method in ("get", "post", *OTHER_METHODS):
            client.logout()
            if user is not None:
                client.force_login(user)
            want = {"get": get_status, "post": post_status}.get(method, OTHERS.get(name, 405))
            before = state() if method != "get" else None
            response = getattr(client, method)(url)
            status = response.status_code
            if want == LOGIN:
                if status != 302 or not response["Location"].startswith("/sign-in/?next="):
                    problems.append(f"{method.upper()} as {who}: {status}, expected sign-in")
            elif status != want:
                problems.append(f"{method.upper()} as {who}: {status}, expected {want}")
            if method != "get" and (name, who) not in MAY_CHANGE and state() != before:
                problems.append(f"{method.upper()} as {who} changed something")
    assert not problems, f"{name} ({url}):\n" + "\n".join(problems)
