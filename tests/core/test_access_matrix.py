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
from tests.assessment.world import build as build_assessment
from tests.casereviews.world import build as build_casereviews
from tests.delivery.factories import delivery_world
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world
from tests.reports.world import build as build_reports

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
ALL = {r: 200 for r in ROLES}
LOGIN = "login"  # anonymous users are redirected to sign in
FORBIDDEN = {r: 403 for r in ROLES}
ANALYSTS_OK = {"admin": 200, "analyst": 200}
ANALYSTS_400 = {"admin": 400, "analyst": 400}


def only(allowed: dict[str, int], **others) -> dict[str, int]:
    return {**FORBIDDEN, **allowed, **others}


# url name -> (path template, expected per role in own partnership, expected for anonymous).
# A member of another partnership gets what `other` says (403 unless public).
MATRIX = {
    "home": ("/", ALL, 200, 200),
    "glossary": ("/glossary/", ALL, 200, 200),
    "accessibility": ("/accessibility/", ALL, 200, 200),
    "cookies": ("/cookies/", ALL, 200, 200),
    "health": ("/health/", ALL, 200, 200),  # public; JSON, no partnership data
    # The accessibility statement is edited by site administrators only (test_site_urls).
    "accessibility_edit": ("/accessibility/edit/", FORBIDDEN, LOGIN, 403),
    # Privacy notices: public once the admin saved one (tests/core/test_privacy_notice.py);
    # Rotherham's is not saved here, so members only.
    "privacy": ("/privacy/", ALL, 200, 200),
    "privacy_notice": ("/p/{slug}/privacy/", ALL, LOGIN, 403),
    "privacy_notice_edit": ("/p/{slug}/privacy/edit/", only({"admin": 200}), LOGIN, 403),
    "login": ("/sign-in/", {r: 302 for r in ROLES}, 200, 302),
    "logout": ("/sign-out/", {r: 405 for r in ROLES}, 405, 405),  # POST only
    "partnership_home": ("/p/{slug}/", ALL, LOGIN, 403),
    "audit_log": ("/p/{slug}/audit/", only({"admin": 200}), LOGIN, 403),
    "partnership_publish": ("/p/{slug}/publish/", only({"admin": 302}), LOGIN, 403),
    "neighbour_group": ("/p/{slug}/neighbours/", only({"admin": 200}), LOGIN, 403),
    "partnership_logo": ("/p/{slug}/logo/", only({"admin": 200}), LOGIN, 403),
    "overview:latest": ("/p/{slug}/overview/", {r: 302 for r in ROLES}, LOGIN, 403),
    "overview:year": ("/p/{slug}/overview/2024-25/", ALL, LOGIN, 403),
    "overview:trend_svg": ("/p/{slug}/overview/2024-25/trend.svg", ALL, LOGIN, 403),
    "imports:list": ("/p/{slug}/imports/", only({"admin": 200, "analyst": 200}), LOGIN, 403),
    "imports:upload": (
        "/p/{slug}/imports/upload/",
        only({"admin": 302, "analyst": 302}),
        LOGIN,
        403,
    ),
    "imports:detail": (
        "/p/{slug}/imports/{run}/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    # Force data (docs/security.md): no partnership role, not even an admin, may load or
    # approve a police.uk month; see `test_force_urls` for force and site administrators.
    "force:imports": ("/force/south-yorkshire/imports/", FORBIDDEN, LOGIN, 403),
    "force:upload": ("/force/south-yorkshire/imports/upload/", FORBIDDEN, LOGIN, 403),
    "force:import_detail": ("/force/south-yorkshire/imports/{run}/", FORBIDDEN, LOGIN, 403),
    # Partner datasets; {dataset} is sensitive and not shared with scrutiny, so scrutiny
    # members get 404 for it (its existence is not revealed; see test_partner_views.py).
    "datasets:list": ("/p/{slug}/datasets/", ALL, LOGIN, 403),
    "datasets:declare": ("/p/{slug}/datasets/declare/", only({"admin": 200}), LOGIN, 403),
    "datasets:detail": (
        "/p/{slug}/datasets/{dataset}/",
        {**ALL, "scrutiny": 404},
        LOGIN,
        403,
    ),
    "datasets:edit": (
        "/p/{slug}/datasets/{dataset}/edit/",
        only({"admin": 200}),
        LOGIN,
        403,
    ),
    "datasets:template": (
        "/p/{slug}/datasets/{dataset}/template.csv",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "datasets:upload": (
        "/p/{slug}/datasets/{dataset}/upload/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "datasets:upload_detail": (
        "/p/{slug}/datasets/{dataset}/uploads/{upload}/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "explorer:page": ("/p/{slug}/explore/?view=compare", ALL, LOGIN, 403),
    "explorer:save": ("/p/{slug}/explore/save/", only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "requests:list": ("/p/{slug}/requests/", ALL, LOGIN, 403),
    "requests:new": ("/p/{slug}/requests/new/", ALL, LOGIN, 403),
    "requests:detail": ("/p/{slug}/requests/{request}/", ALL, LOGIN, 403),
    # Governance (docs/governance.md). {meeting} is a Board meeting (not public); public
    # meetings are checked in tests/governance/test_views.py.
    "governance:index": ("/p/{slug}/governance/", ALL, LOGIN, 403),
    "governance:body_detail": ("/p/{slug}/governance/bodies/{board}/", ALL, LOGIN, 403),
    "governance:attendance": (
        "/p/{slug}/governance/bodies/{board}/attendance/?year=2024-25",
        ALL,
        LOGIN,
        403,
    ),
    "governance:meeting_detail": ("/p/{slug}/governance/meetings/{meeting}/", ALL, LOGIN, 403),
    "governance:action_log": ("/p/{slug}/governance/actions/", ALL, LOGIN, 403),
    "governance:action_detail": ("/p/{slug}/governance/actions/{action}/", ALL, LOGIN, 403),
    "governance:recommendation_list": ("/p/{slug}/governance/recommendations/", ALL, LOGIN, 403),
    "governance:recommendation_detail": (
        "/p/{slug}/governance/recommendations/{rec}/",
        ALL,
        LOGIN,
        403,
    ),
    "governance:calendar": ("/p/{slug}/governance/calendar/", ALL, LOGIN, 403),
    "governance:duty_edit": (
        "/p/{slug}/governance/calendar/{duty}/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    # Domestic homicide reviews are confidential: admins and analysts only.
    "governance:dhr_list": (
        "/p/{slug}/governance/dhr/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "governance:dhr_edit": (
        "/p/{slug}/governance/dhr/{dhr}/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    "governance:settings": ("/p/{slug}/governance/settings/", only({"admin": 200}), LOGIN, 403),
    "governance:jobs": (
        "/p/{slug}/governance/jobs/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    # Editing bodies and items, papers ({paper} is on the Board's confidential item: scrutiny
    # members get 404, its existence not revealed), the iCalendar feeds and the public list
    # of meetings (open to everyone: the bodies that meet in public).
    "governance:body_edit": (
        "/p/{slug}/governance/bodies/{board}/edit/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:body_remove": (
        "/p/{slug}/governance/bodies/{board}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:body_ics": ("/p/{slug}/governance/bodies/{board}/meetings.ics", ALL, LOGIN, 403),
    "governance:meetings_ics": ("/p/{slug}/governance/meetings.ics", ALL, 200, 200),
    "governance:public_meetings": ("/p/{slug}/governance/public/", ALL, 200, 200),
    "governance:item_detail": ("/p/{slug}/governance/items/{item}/", only(ANALYSTS_OK), LOGIN, 403),
    "governance:item_remove": (
        "/p/{slug}/governance/items/{item}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:paper_download": (
        "/p/{slug}/governance/papers/{paper}/",
        only({"admin": 200, "analyst": 200, "lead": 200, "board": 200}, scrutiny=404),
        LOGIN,
        403,
    ),
    "governance:seat_edit": ("/p/{slug}/governance/seats/{seat}/", only(ANALYSTS_OK), LOGIN, 403),
    "governance:seat_remove": (
        "/p/{slug}/governance/seats/{seat}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:resolution_edit": (
        "/p/{slug}/governance/resolutions/{resolution}/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:resolution_remove": (
        "/p/{slug}/governance/resolutions/{resolution}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:action_edit": (
        "/p/{slug}/governance/actions/{action}/edit/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:action_remove": (
        "/p/{slug}/governance/actions/{action}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:work_programme_edit": (
        "/p/{slug}/governance/programme/{wp}/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:work_programme_remove": (
        "/p/{slug}/governance/programme/{wp}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "governance:paper_remove": (
        "/p/{slug}/governance/papers/{paper}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    # ASB case reviews (docs/casereviews.md): cases for admins and named case reviewers
    # (none is named here, so analysts are refused); 2024/25's figures are published, so
    # the figures page is open to everyone.
    "casereviews:cases": ("/p/{slug}/case-reviews/", only({"admin": 200}), LOGIN, 403),
    "casereviews:case_detail": (
        "/p/{slug}/case-reviews/{application}/",
        only({"admin": 200}),
        LOGIN,
        403,
    ),
    "casereviews:settings": ("/p/{slug}/case-reviews/settings/", only({"admin": 200}), LOGIN, 403),
    "casereviews:figures": ("/p/{slug}/case-reviews/figures/", ALL, 200, 200),
    "casereviews:calls": ("/p/{slug}/case-reviews/calls/", ALL, LOGIN, 403),
    "casereviews:call_detail": ("/p/{slug}/case-reviews/calls/{call}/", ALL, LOGIN, 403),
    "casereviews:import": ("/p/{slug}/case-reviews/import/", only({"admin": 200}), LOGIN, 403),
    # The ward map of applications: analysts (named or not) and admins; never public.
    "casereviews:map": (
        "/p/{slug}/case-reviews/map/",
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),
    # Personal data (docs/data-protection.md): the casework roles only (admins and named
    # case reviewers; none is named here).
    "dataprotection:index": ("/p/{slug}/personal-data/", only({"admin": 200}), LOGIN, 403),
    "dataprotection:requests": (
        "/p/{slug}/personal-data/requests/",
        only({"admin": 200}),
        LOGIN,
        403,
    ),
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
    "plan:detail": ("/p/{slug}/plan/", ALL, LOGIN, 403),
    "plan:version": ("/p/{slug}/plan/versions/1/", ALL, LOGIN, 403),
    "plan:edit": ("/p/{slug}/plan/edit/", only(ANALYSTS_OK), LOGIN, 403),
    "performance:dashboard": ("/p/{slug}/performance/?period=2024/25-Q1", ALL, LOGIN, 403),
    "performance:summary": ("/p/{slug}/performance/summary/", ALL, LOGIN, 403),
    "performance:mine": ("/p/{slug}/performance/mine/", ALL, LOGIN, 403),
    "performance:late": ("/p/{slug}/performance/late/", only(ANALYSTS_OK), LOGIN, 403),
    "performance:highlights": (
        "/p/{slug}/performance/highlights/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance:return": ("/p/{slug}/performance/returns/{ret}/", ALL, LOGIN, 403),
    # Not published here, so members only (a preview); published, everyone: see
    # tests/performance/test_public.py.
    "performance:public": ("/p/{slug}/performance/public/", ALL, LOGIN, 403),
    "performance:calendar": ("/p/{slug}/performance/calendar/", ALL, LOGIN, 403),
    "performance:rag_rule": ("/p/{slug}/performance/rag-rule/", ALL, LOGIN, 403),
    "performance:values_upload": (
        "/p/{slug}/performance/import/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance:values_template": (
        "/p/{slug}/performance/import/template.csv",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance:indicator_list": ("/p/{slug}/performance/indicators/", ALL, LOGIN, 403),
    "performance:indicator_new": (
        "/p/{slug}/performance/indicators/new/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance:indicator_edit": (
        "/p/{slug}/performance/indicators/{indicator}/edit/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "performance:indicator": ("/p/{slug}/performance/indicators/{indicator}/", ALL, LOGIN, 403),
    "performance:chart": (
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
    # Strategic assessment (docs/assessment.md); tension reports only for named roles.
    "assessment:index": ("/p/{slug}/assessment/", ALL, LOGIN, 403),
    "assessment:detail": ("/p/{slug}/assessment/{assessment}/", ALL, LOGIN, 403),
    "assessment:issue": ("/p/{slug}/assessment/{assessment}/issues/{issue}/", ALL, LOGIN, 403),
    "assessment:refresh": ("/p/{slug}/assessment/{assessment}/refresh/", ALL, LOGIN, 403),
    "assessment:consultation": (
        "/p/{slug}/assessment/consultations/{consultation}/",
        ALL,
        LOGIN,
        403,
    ),
    # Free text is personal data: analysts and admins only (assessment.free_text).
    "assessment:responses": (
        "/p/{slug}/assessment/consultations/{consultation}/responses/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "assessment:matrix": ("/p/{slug}/assessment/{assessment}/matrix/", ALL, LOGIN, 403),
    "assessment:priority_chart": (
        "/p/{slug}/assessment/{assessment}/priority-matrix.svg",
        ALL,
        LOGIN,
        403,
    ),
    "assessment:document": ("/p/{slug}/assessment/{assessment}/document/", ALL, LOGIN, 403),
    "assessment:document_pdf": (
        "/p/{slug}/assessment/{assessment}/document.pdf",
        ALL,
        LOGIN,
        403,
    ),
    "assessment:document_chart": (
        "/p/{slug}/assessment/{assessment}/document/views/{document_view}/chart.svg",
        ALL,
        LOGIN,
        403,
    ),
    # Delivery (docs/delivery.md). {project_ret} is a submitted monitoring return of a
    # project the lead member leads.
    "delivery:index": ("/p/{slug}/delivery/", ALL, LOGIN, 403),
    "delivery:stream_detail": ("/p/{slug}/delivery/streams/{stream}/", ALL, LOGIN, 403),
    "delivery:stream_edit": (
        "/p/{slug}/delivery/streams/{stream}/edit/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "delivery:grant_remove": (
        "/p/{slug}/delivery/grants/{grant}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "delivery:stream_achieved": (
        "/p/{slug}/delivery/streams/{stream}/achieved/",
        ALL,
        LOGIN,
        403,
    ),
    "assessment:tension": ("/p/{slug}/assessment/tension/", ALL, LOGIN, 403),
    "assessment:tension_detail": (
        "/p/{slug}/assessment/tension/{tension}/",
        only({"admin": 200, "analyst": 200, "board": 200}),
        LOGIN,
        403,
    ),
    "delivery:project_list": ("/p/{slug}/delivery/projects/", ALL, LOGIN, 403),
    "delivery:project_detail": ("/p/{slug}/delivery/projects/{project}/", ALL, LOGIN, 403),
    "delivery:return_detail": ("/p/{slug}/delivery/returns/{project_ret}/", ALL, LOGIN, 403),
    "delivery:late": ("/p/{slug}/delivery/late/", only(ANALYSTS_OK), LOGIN, 403),
    "delivery:communications": ("/p/{slug}/delivery/communications/", ALL, LOGIN, 403),
    "delivery:communication_file": (
        "/p/{slug}/delivery/communications/{communication}/file/",
        ALL,
        LOGIN,
        403,
    ),
    "delivery:engagement": ("/p/{slug}/delivery/engagement/", ALL, LOGIN, 403),
    # POST only (with a bearer token): see tests/performance/test_api.py.
    "api:return_submit_api": (
        "/api/partnerships/{slug}/returns/{ret}",
        {r: 405 for r in ROLES},
        405,
        405,
    ),
    # Reports (docs/reports.md). {report} is a draft: members only. Published reports are
    # open to everyone: see tests/reports/test_views.py.
    "reports:index": ("/p/{slug}/reports/", ALL, LOGIN, 403),
    "reports:archive": ("/p/{slug}/reports/published/", ALL, LOGIN, 403),
    "reports:detail": ("/p/{slug}/reports/{report}/", ALL, LOGIN, 403),
    "reports:edit": ("/p/{slug}/reports/{report}/edit/", only(ANALYSTS_OK), LOGIN, 403),
    "reports:publish": ("/p/{slug}/reports/{report}/publish/", only({"admin": 200}), LOGIN, 403),
    "reports:pdf": ("/p/{slug}/reports/{report}/report.pdf", ALL, LOGIN, 403),
    "reports:annex": ("/p/{slug}/reports/{report}/annex/?format=csv", ALL, LOGIN, 403),
    "reports:feed": ("/p/{slug}/reports/published/feed.xml", ALL, LOGIN, 403),
    "reports:disclosure": ("/p/{slug}/reports/disclosure/", ALL, LOGIN, 403),
    "reports:contacts": ("/p/{slug}/reports/contacts/", only(ANALYSTS_OK), LOGIN, 403),
    "reports:contact_edit": (
        "/p/{slug}/reports/contacts/{service}/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "reports:contact_remove": (
        "/p/{slug}/reports/contacts/{service}/remove/",
        only(ANALYSTS_OK),
        LOGIN,
        403,
    ),
    "reports:versions": ("/p/{slug}/reports/{report}/versions/", ALL, LOGIN, 403),
    "reports:version": ("/p/{slug}/reports/{report}/versions/1/", ALL, LOGIN, 403),
}
NOT_ALLOWED = {r: 405 for r in ROLES}
ANALYSTS_400 = {"admin": 400, "analyst": 400}
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
    "neighbour_group": (only({"admin": 400}), LOGIN, 403),  # no codes: refused, nothing changes
    "partnership_logo": (only({"admin": 400}), LOGIN, 403),  # no file: refused
    "overview:latest": (NOT_ALLOWED, LOGIN, 403),
    "overview:year": (NOT_ALLOWED, LOGIN, 403),
    "overview:trend_svg": (NOT_ALLOWED, LOGIN, 403),
    "imports:list": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "imports:upload": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "imports:detail": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "datasets:list": (NOT_ALLOWED, LOGIN, 403),
    "datasets:declare": (only({"admin": 400}), LOGIN, 403),
    "datasets:detail": (NOT_ALLOWED, LOGIN, 403),
    "datasets:edit": (only({"admin": 400}), LOGIN, 403),
    "datasets:template": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "datasets:upload": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "datasets:upload_detail": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "explorer:page": (NOT_ALLOWED, LOGIN, 403),
    "explorer:save": (only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "requests:list": (NOT_ALLOWED, LOGIN, 403),
    "requests:new": ({r: 400 for r in ROLES}, LOGIN, 403),
    "requests:detail": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "api_tokens": ({r: 400 for r in ROLES}, LOGIN, 400),  # no name: no token
    "two_factor": ({r: 200 for r in ROLES}, LOGIN, 200),  # no action: the page again
    "login_code": ({r: 302 for r in ROLES}, 302, 302),
    "api:api-root": ({r: 404 for r in ROLES}, 404, 404),
    **{
        name: (NOT_ALLOWED, 405, 405)
        for name in MATRIX
        if name.startswith("api:") and name not in ("api:api-root", "api:return_submit_api")
    },
    # POST only, with a bearer token (tests/performance/test_api.py): without one, refused
    # before anything is read.
    "api:return_submit_api": ({r: 400 for r in ROLES}, 400, 400),
    "glossary": (NOT_ALLOWED, 405, 405),
    "accessibility": (NOT_ALLOWED, 405, 405),
    "cookies": (NOT_ALLOWED, 405, 405),
    "health": (NOT_ALLOWED, 405, 405),
    "accessibility_edit": (FORBIDDEN, LOGIN, 403),
    "privacy": (NOT_ALLOWED, 405, 405),
    "privacy_notice": (NOT_ALLOWED, LOGIN, 403),
    "privacy_notice_edit": (only({"admin": 400}), LOGIN, 403),
    "force:imports": (FORBIDDEN, LOGIN, 403),  # a force page: see FORCE_MATRIX
    "force:upload": (FORBIDDEN, LOGIN, 403),
    "force:import_detail": (FORBIDDEN, LOGIN, 403),
    "reports:index": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "reports:archive": (NOT_ALLOWED, LOGIN, 403),
    "reports:detail": (NOT_ALLOWED, LOGIN, 403),
    "reports:edit": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "reports:publish": (only({"admin": 302}), LOGIN, 403),
    "reports:pdf": (NOT_ALLOWED, LOGIN, 403),
    "reports:annex": (NOT_ALLOWED, LOGIN, 403),
    "reports:feed": (NOT_ALLOWED, LOGIN, 403),
    # An empty form: admins get it back with its errors; only admins set the rule.
    "reports:disclosure": (only({"admin": 400}), LOGIN, 403),
    # An empty POST: the form says what is missing; the removal asks to tick the box.
    "reports:contacts": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "reports:contact_edit": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "reports:contact_remove": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    # Analysts and admins build a version (here one is queued already: sent back to wait).
    "reports:versions": (only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "reports:version": (NOT_ALLOWED, LOGIN, 403),
    "governance:index": (
        only({"admin": 200, "analyst": 200}),
        LOGIN,
        403,
    ),  # no form named: the page
    "governance:body_detail": (only({"admin": 200, "analyst": 200}), LOGIN, 403),
    "governance:attendance": (NOT_ALLOWED, LOGIN, 403),
    "governance:meeting_detail": (only({"admin": 200, "analyst": 200}), LOGIN, 403),
    "governance:action_log": (NOT_ALLOWED, LOGIN, 403),
    "governance:action_detail": (only({"admin": 400, "analyst": 400, "board": 400}), LOGIN, 403),
    "governance:recommendation_list": (NOT_ALLOWED, LOGIN, 403),
    "governance:recommendation_detail": (only({"admin": 200, "analyst": 200}), LOGIN, 403),
    "governance:calendar": (only({"admin": 302, "analyst": 302}), LOGIN, 403),
    "governance:duty_edit": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "governance:dhr_list": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "governance:dhr_edit": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "governance:settings": (only({"admin": 400}), LOGIN, 403),
    "governance:jobs": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    # Removals need confirm=yes; an empty POST removes nothing (400).
    "governance:body_edit": (only(ANALYSTS_400), LOGIN, 403),
    "governance:body_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:body_ics": ({r: 405 for r in ROLES}, LOGIN, 403),
    "governance:meetings_ics": ({r: 405 for r in ROLES}, 405, 405),
    "governance:public_meetings": ({r: 405 for r in ROLES}, 405, 405),
    "governance:item_detail": (only(ANALYSTS_400), LOGIN, 403),
    "governance:item_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:paper_download": (
        only({"admin": 405, "analyst": 405, "lead": 405, "board": 405}, scrutiny=404),
        LOGIN,
        403,
    ),
    "governance:paper_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:seat_edit": (only(ANALYSTS_400), LOGIN, 403),
    "governance:seat_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:resolution_edit": (only(ANALYSTS_400), LOGIN, 403),
    "governance:resolution_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:action_edit": (only(ANALYSTS_400), LOGIN, 403),
    "governance:action_remove": (only(ANALYSTS_400), LOGIN, 403),
    "governance:work_programme_edit": (only(ANALYSTS_400), LOGIN, 403),
    "governance:work_programme_remove": (only(ANALYSTS_400), LOGIN, 403),
    "casereviews:cases": (only({"admin": 400}), LOGIN, 403),
    "casereviews:case_detail": (only({"admin": 400}), LOGIN, 403),
    "casereviews:settings": (only({"admin": 400}), LOGIN, 403),
    "casereviews:figures": (only({"admin": 400}), LOGIN, 403),
    "casereviews:calls": (only(ANALYSTS_400), LOGIN, 403),
    "casereviews:call_detail": (only(ANALYSTS_400), LOGIN, 403),
    "casereviews:import": (only({"admin": 400}), LOGIN, 403),
    "casereviews:map": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "dataprotection:index": (only({"admin": 400}), LOGIN, 403),
    "dataprotection:requests": (only({"admin": 400}), LOGIN, 403),
    "plan:detail": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "plan:version": (NOT_ALLOWED, LOGIN, 403),
    "plan:edit": (only(ANALYSTS_400), LOGIN, 403),
    "performance:dashboard": (NOT_ALLOWED, LOGIN, 403),
    "performance:summary": (NOT_ALLOWED, LOGIN, 403),
    "performance:mine": (NOT_ALLOWED, LOGIN, 403),
    "performance:late": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "performance:highlights": (
        only({"admin": 404, "analyst": 404}),
        LOGIN,
        403,
    ),  # no proposal named
    "performance:return": (only({"admin": 400, "analyst": 400, "lead": 400}), LOGIN, 403),
    "performance:public": (only({"admin": 400}), LOGIN, 403),  # publish or unpublish: neither
    "performance:calendar": (only(ANALYSTS_400), LOGIN, 403),
    "performance:rag_rule": (only(ANALYSTS_400), LOGIN, 403),  # no form named: unchanged
    "performance:values_upload": (only(ANALYSTS_400), LOGIN, 403),
    "performance:values_template": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "performance:indicator_list": (NOT_ALLOWED, LOGIN, 403),
    "performance:indicator_new": (only(ANALYSTS_400), LOGIN, 403),
    "performance:indicator_edit": (only(ANALYSTS_400), LOGIN, 403),
    "performance:indicator": (NOT_ALLOWED, LOGIN, 403),
    "performance:chart": (NOT_ALLOWED, LOGIN, 403),
    # Empty forms are refused (400) for those who may fill them in, 403 for the others.
    "assessment:index": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:detail": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:issue": (only({**ANALYSTS_400, "lead": 400, "board": 400}), LOGIN, 403),
    "assessment:refresh": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:consultation": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:responses": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:matrix": (only({"admin": 400}), LOGIN, 403),
    "assessment:priority_chart": (NOT_ALLOWED, LOGIN, 403),
    "assessment:document": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:document_pdf": (NOT_ALLOWED, LOGIN, 403),
    "assessment:document_chart": (NOT_ALLOWED, LOGIN, 403),
    "assessment:tension": (only(ANALYSTS_400), LOGIN, 403),
    "assessment:tension_detail": (only(ANALYSTS_400), LOGIN, 403),
    # An empty form is refused (400) for those who may write; others get 403.
    "delivery:index": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "delivery:stream_detail": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "delivery:stream_achieved": (NOT_ALLOWED, LOGIN, 403),
    "delivery:stream_edit": (only(ANALYSTS_400), LOGIN, 403),
    "delivery:grant_remove": (only(ANALYSTS_400), LOGIN, 403),  # confirm=yes needed
    "delivery:project_list": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "delivery:project_detail": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "delivery:return_detail": (only({"admin": 400, "analyst": 400, "lead": 400}), LOGIN, 403),
    "delivery:late": (only({"admin": 405, "analyst": 405}), LOGIN, 403),
    "delivery:communications": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
    "delivery:communication_file": (NOT_ALLOWED, LOGIN, 403),
    "delivery:engagement": (only({"admin": 400, "analyst": 400}), LOGIN, 403),
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
    governance = build_governance(rotherham, members["admin"], owner=members["board"])
    casereviews = build_casereviews(rotherham, members["admin"])
    fill = {
        "ret": 0,
        "indicator": "none",
        "stream": 0,
        "project": 0,
        "project_ret": 0,
        "grant": 0,
        "communication": 0,
    }
    if name.startswith("assessment:"):
        fill.update(
            build_assessment(
                rotherham, members["admin"], members["analyst"], board=members["board"]
            )
        )
    if name.startswith("delivery:"):
        world = delivery_world(
            rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
        )
        fill = {
            **fill,
            "stream": world["stream"].pk,
            "project": world["project"].pk,
            "project_ret": world["submitted"].pk,
            "grant": world["grant"].pk,
            "communication": world["bulletin"].pk,
        }
    elif any(word in name for word in ("plan", "performance", "indicator", "return")):
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
        **governance,
        **casereviews,
        **build_reports(rotherham, members["analyst"]),
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


# url name -> (path, force administrator of South Yorkshire, of another force, site admin).
FORCE_MATRIX = {
    "force:imports": ("/force/south-yorkshire/imports/", 200, 403, 200),
    "force:upload": ("/force/south-yorkshire/imports/upload/", 302, 403, 302),  # POST only
    "force:import_detail": ("/force/south-yorkshire/imports/{run}/", 200, 403, 200),
    "force_no_partnership": ("/force/west-yorkshire/imports/", 403, 404, 404),
    "partnership_home": ("/p/rotherham/", 403, 403, 403),
    "imports:list": ("/p/rotherham/imports/", 403, 403, 403),
    "imports:upload": ("/p/rotherham/imports/upload/", 403, 403, 403),
}


def test_every_force_url_has_a_force_row():
    assert {n for n in MATRIX if n.startswith("force:")} <= set(FORCE_MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORCE_MATRIX))
def test_force_urls(name, client, overview_warehouse, rotherham, members, make_force_admin):
    """Force pages are for force administrators of that force and site administrators; a
    force administrator is no member of a partnership (a West Yorkshire one may open their
    force's page only when a partnership is served by it: here none is, so 404)."""
    from saferstat.core.models import User

    template, sy_admin, wy_admin, superuser = FORCE_MATRIX[name]
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="2024-05-south-yorkshire-street.csv",
        stored_path="/none",
        size_bytes=1,
        force_slug="south-yorkshire",
        month="2024-05",
    )
    url = template.format(run=run.pk)
    users = {
        "sy": (make_force_admin("sy-force-admin"), sy_admin),
        "wy": (make_force_admin("wy-force-admin", force="west-yorkshire"), wy_admin),
        "root": (User.objects.create_superuser("root", password="x-long-password-1"), superuser),
    }
    for who, (user, expected) in users.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status == expected, f"{name} as {who}: {status}"


# url name -> (path, GET and empty POST for an active site administrator, for an inactive one).
SITE_MATRIX = {
    "accessibility_edit": ("/accessibility/edit/", (200, 400), (302, 302)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SITE_MATRIX))
def test_site_urls(name, client, members):
    """Site pages are for active site administrators (superusers) only: no partnership
    role, not even an admin, may open them (MATRIX), and an empty form is refused."""
    from saferstat.core.models import User

    template, active, inactive = SITE_MATRIX[name]
    root = User.objects.create_superuser("root", password="x-long-password-1")
    client.force_login(root)
    before = state()
    assert (client.get(template).status_code, client.post(template).status_code) == active
    assert state() == before
    root.is_active = False
    root.save()
    client.logout()
    client.force_login(root, backend="django.contrib.auth.backends.AllowAllUsersModelBackend")
    statuses = (client.get(template).status_code, client.post(template).status_code)
    assert statuses == inactive  # the session of an inactive user is no session at all
