"""Tenant isolation: nothing of another partnership's unpublished data reaches anyone else.

Sheffield gets unpublished data full of marker strings and unusual figures: sensitive partner
datasets stored in the warehouse through the upload services (one with the same short name
as a Rotherham dataset), a refused upload, a refused police.uk import, data requests with an
answer and a saved view, audit events, an API token and a two-factor secret (whose values
must never show), named users and an organisation. Then
every Rotherham role, anonymous and a Rotherham API token ask for every URL of the app
(discovered from the resolver: a new URL fails `test_every_url_is_filled` until it has a row
here), with Rotherham's objects, with Sheffield's object ids and short names under Rotherham's
address, and under Sheffield's address; every explorer view in every format for every source;
every API endpoint. No answer may contain a Sheffield marker or figure, an object id of
Sheffield's under Rotherham's address is "not found", and Sheffield's pages are refused.
Writes aimed at Sheffield's objects are refused and change nothing.

Everyone signs in through the real sign-in page (`sign_in`: the form, its CSRF token,
django-axes, the session middleware), not with a test shortcut, so the sessions tested are
the ones people get.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from saferstat.core import audit, twofactor
from saferstat.core.models import ApiToken
from saferstat.core.services import organisation_upsert
from saferstat.core.tokens import api_token_create
from saferstat.intelligence.datasets.demo import DATASETS, demo_area, generate, write_file
from saferstat.intelligence.datasets.services import partner_dataset_declare, partner_upload_create
from saferstat.intelligence.explorer import query as explorer
from saferstat.intelligence.imports.services import import_run_create
from saferstat.intelligence.models import (
    DataRequest,
    ImportRun,
    ImportStatus,
    PartnerDataset,
    SavedView,
)
from saferstat.intelligence.requests.services import (
    data_request_answer,
    data_request_raise,
    saved_view_create,
)
from tests.assessment.world import build as build_assessment
from tests.delivery.factories import delivery_world
from tests.django_fixtures import PASSWORD
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world
from tests.reports.world import build as build_reports

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
#: In every piece of Sheffield text: names, questions, answers, file names, categories, errors.
MARK = "zqxshef"
#: The short name of Sheffield's secret dataset (it is in the URLs we ask for, so it is only a
#: leak when the answer shows it without having been asked).
SECRET_SLUG = "shf-secret-ds"
#: The short name both partnerships use for a dataset of their own.
SHARED_SLUG = "knife-crime"
#: Sheffield's unpublished figures: the counts in its partner files, and their total.
FIGURES = (9_183_746, 8_264_753, 9_183_746 + 8_264_753)
DUE = dt.date(2031, 3, 31)
WARDS_SCHEMA = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "ZQXSHEF kind", "type": "category", "allowed": ["ZQXSHEF-CAT-A", "ZQXSHEF-CAT-B"]},
        {"name": "Cases", "type": "count"},
    ],
}
FORMATS = ["html", "csv", "xlsx", "ods", "svg"]

# url name -> addresses to ask for. "{s}..." addresses are Sheffield's own pages; a leading
# "!" marks an address under Rotherham's slug that names one of Sheffield's objects.
URLS = {
    "home": ["/"],
    "login": ["/sign-in/"],
    "login_code": ["/sign-in/code/"],
    "two_factor": ["/account/two-factor/"],
    "logout": ["/sign-out/"],
    "api_tokens": ["/account/api-tokens/"],
    "partnership_home": ["/p/{r}/", "/p/{s}/"],
    "audit_log": [
        "/p/{r}/audit/",
        "/p/{r}/audit/?actor=system",
        # Filters naming Sheffield's objects and people: an empty page, never their names.
        "/p/{r}/audit/?object=intelligence.DataRequest:{s_req}",
        "/p/{r}/audit/?object=intelligence.PartnerDataset:{s_ds_id}",
        "/p/{r}/audit/?object=governance.Meeting:{s_meeting}",
        "/p/{r}/audit/?object=governance.Action:{s_action}",
        "/p/{r}/audit/?object=core.ApiToken:{s_token}",
        "/p/{r}/audit/?actor={s_admin}",
        "/p/{s}/audit/",
    ],
    "partnership_publish": ["/p/{r}/publish/", "/p/{s}/publish/"],
    "neighbour_group": ["/p/{r}/neighbours/", "/p/{s}/neighbours/"],
    "partnership_logo": ["/p/{r}/logo/", "/p/{s}/logo/"],
    "overview:latest": ["/p/{r}/overview/", "/p/{s}/overview/"],
    "overview:year": ["/p/{r}/overview/2024-25/", "/p/{s}/overview/2024-25/"],
    "overview:trend_svg": [
        "/p/{r}/overview/2024-25/trend.svg",
        "/p/{s}/overview/2024-25/trend.svg",
    ],
    "imports:list": ["/p/{r}/imports/", "/p/{s}/imports/"],
    "imports:upload": ["/p/{r}/imports/upload/", "/p/{s}/imports/upload/"],
    "imports:detail": [
        "/p/{r}/imports/{r_run}/",
        "!/p/{r}/imports/{s_run}/",
        "/p/{s}/imports/{s_run}/",
    ],
    # Force pages: for force administrators only; no Rotherham role may open them, and
    # Sheffield's refused proposal (same force) must not show through them.
    "force:imports": ["/force/south-yorkshire/imports/"],
    "force:upload": ["/force/south-yorkshire/imports/upload/"],
    "force:import_detail": [
        "/force/south-yorkshire/imports/{r_run}/",
        "!/force/south-yorkshire/imports/{s_run}/",
    ],
    "datasets:list": ["/p/{r}/datasets/", "/p/{s}/datasets/"],
    "datasets:declare": ["/p/{r}/datasets/declare/", "/p/{s}/datasets/declare/"],
    "datasets:detail": [
        "/p/{r}/datasets/{shared}/",
        "/p/{r}/datasets/{shared}/?year=2024-25",
        "!/p/{r}/datasets/{secret}/",
        "!/p/{r}/datasets/{secret}/?year=2024-25",
        "/p/{s}/datasets/{secret}/",
        "/p/{s}/datasets/{shared}/",
    ],
    "datasets:edit": [
        "/p/{r}/datasets/{shared}/edit/",
        "!/p/{r}/datasets/{secret}/edit/",
        "/p/{s}/datasets/{secret}/edit/",
    ],
    "datasets:template": [
        "/p/{r}/datasets/{shared}/template.csv",
        "!/p/{r}/datasets/{secret}/template.csv",
        "/p/{s}/datasets/{secret}/template.csv",
    ],
    "datasets:upload": [
        "/p/{r}/datasets/{shared}/upload/",
        "!/p/{r}/datasets/{secret}/upload/",
        "/p/{s}/datasets/{secret}/upload/",
    ],
    "datasets:upload_detail": [
        "/p/{r}/datasets/{shared}/uploads/{r_upload}/",
        "!/p/{r}/datasets/{shared}/uploads/{s_shared_upload}/",
        "!/p/{r}/datasets/{shared}/uploads/{s_upload}/",
        "!/p/{r}/datasets/{shared}/uploads/{s_refused_upload}/",
        "!/p/{r}/datasets/{secret}/uploads/{s_upload}/",
        "/p/{s}/datasets/{secret}/uploads/{s_upload}/",
    ],
    "explorer:page": [
        "/p/{r}/explore/",
        "!/p/{r}/explore/?{s_view_query}",
        "/p/{s}/explore/",
        "/p/{s}/explore/?{s_view_query}",
    ],  # and the grid of every source, view and format: see `explorer_urls`
    "explorer:save": ["/p/{r}/explore/save/", "/p/{s}/explore/save/"],
    "requests:list": ["/p/{r}/requests/", "/p/{r}/requests/?status=answered", "/p/{s}/requests/"],
    "requests:new": ["/p/{r}/requests/new/", "/p/{s}/requests/new/"],
    "requests:detail": [
        "/p/{r}/requests/{r_req}/",
        "!/p/{r}/requests/{s_req}/",
        "!/p/{r}/requests/{s_open}/",
        "/p/{s}/requests/{s_req}/",
    ],
    # Governance: Sheffield's committee does not meet in public, so nothing of it is public.
    "governance:index": ["/p/{r}/governance/", "/p/{s}/governance/"],
    "governance:body_detail": [
        "/p/{r}/governance/bodies/{r_board}/",
        "/p/{r}/governance/bodies/{r_scrutiny}/",
        "!/p/{r}/governance/bodies/{s_board}/",
        "!/p/{r}/governance/bodies/{s_scrutiny}/",
        "/p/{s}/governance/bodies/{s_board}/",
    ],
    "governance:attendance": [
        "/p/{r}/governance/bodies/{r_board}/attendance/?year=2024-25",
        "/p/{r}/governance/bodies/{r_board}/attendance/?year=2024-25&format=csv",
        "!/p/{r}/governance/bodies/{s_board}/attendance/?year=2024-25",
        "!/p/{r}/governance/bodies/{s_board}/attendance/?year=2024-25&format=xlsx",
        "/p/{s}/governance/bodies/{s_board}/attendance/?format=ods",
    ],
    "governance:meeting_detail": [
        "/p/{r}/governance/meetings/{r_meeting}/",
        "/p/{r}/governance/meetings/{r_hearing}/",
        "!/p/{r}/governance/meetings/{s_meeting}/",
        "!/p/{r}/governance/meetings/{s_hearing}/",
        "/p/{s}/governance/meetings/{s_meeting}/",
        "/p/{s}/governance/meetings/{s_hearing}/",
    ],
    "governance:action_log": [
        "/p/{r}/governance/actions/",
        "/p/{r}/governance/actions/?format=csv",
        "/p/{r}/governance/actions/?state=overdue&format=xlsx",
        "/p/{s}/governance/actions/",
        "/p/{s}/governance/actions/?format=ods",
    ],
    "governance:action_detail": [
        "/p/{r}/governance/actions/{r_action}/",
        "!/p/{r}/governance/actions/{s_action}/",
        "/p/{s}/governance/actions/{s_action}/",
    ],
    "governance:recommendation_list": [
        "/p/{r}/governance/recommendations/",
        "/p/{r}/governance/recommendations/?state=late",
        "/p/{s}/governance/recommendations/",
    ],
    "governance:recommendation_detail": [
        "/p/{r}/governance/recommendations/{r_rec}/",
        "!/p/{r}/governance/recommendations/{s_rec}/",
        "/p/{s}/governance/recommendations/{s_rec}/",
    ],
    "governance:calendar": ["/p/{r}/governance/calendar/", "/p/{s}/governance/calendar/"],
    "governance:duty_edit": [
        "/p/{r}/governance/calendar/{r_duty}/",
        "!/p/{r}/governance/calendar/{s_duty}/",
        "/p/{s}/governance/calendar/{s_duty}/",
    ],
    "governance:dhr_list": ["/p/{r}/governance/dhr/", "/p/{s}/governance/dhr/"],
    "governance:dhr_edit": [
        "/p/{r}/governance/dhr/{r_dhr}/",
        "!/p/{r}/governance/dhr/{s_dhr}/",
        "/p/{s}/governance/dhr/{s_dhr}/",
    ],
    "governance:settings": ["/p/{r}/governance/settings/", "/p/{s}/governance/settings/"],
    "governance:jobs": ["/p/{r}/governance/jobs/", "/p/{s}/governance/jobs/"],
    "governance:body_edit": [
        "/p/{r}/governance/bodies/{r_board}/edit/",
        "!/p/{r}/governance/bodies/{s_board}/edit/",
        "/p/{s}/governance/bodies/{s_board}/edit/",
    ],
    "governance:body_remove": [
        "/p/{r}/governance/bodies/{r_board}/remove/",
        "!/p/{r}/governance/bodies/{s_board}/remove/",
        "/p/{s}/governance/bodies/{s_board}/remove/",
    ],
    "governance:body_ics": [
        "/p/{r}/governance/bodies/{r_board}/meetings.ics",
        "/p/{r}/governance/bodies/{r_scrutiny}/meetings.ics",
        "!/p/{r}/governance/bodies/{s_board}/meetings.ics",
        "!/p/{r}/governance/bodies/{s_scrutiny}/meetings.ics",
        "/p/{s}/governance/bodies/{s_board}/meetings.ics",
        "/p/{s}/governance/bodies/{s_scrutiny}/meetings.ics",
    ],
    "governance:meetings_ics": [
        "/p/{r}/governance/meetings.ics",
        "/p/{s}/governance/meetings.ics",
    ],
    "governance:public_meetings": [
        "/p/{r}/governance/public/",
        "/p/{s}/governance/public/",
    ],
    "governance:item_detail": [
        "/p/{r}/governance/items/{r_item}/",
        "!/p/{r}/governance/items/{s_item}/",
        "/p/{s}/governance/items/{s_item}/",
    ],
    "governance:item_remove": [
        "/p/{r}/governance/items/{r_item}/remove/",
        "!/p/{r}/governance/items/{s_item}/remove/",
        "/p/{s}/governance/items/{s_item}/remove/",
    ],
    "governance:paper_download": [
        "/p/{r}/governance/papers/{r_paper}/",
        "!/p/{r}/governance/papers/{s_paper}/",
        "/p/{s}/governance/papers/{s_paper}/",
    ],
    "governance:paper_remove": [
        "/p/{r}/governance/papers/{r_paper}/remove/",
        "!/p/{r}/governance/papers/{s_paper}/remove/",
        "/p/{s}/governance/papers/{s_paper}/remove/",
    ],
    "governance:seat_edit": [
        "/p/{r}/governance/seats/{r_seat}/",
        "!/p/{r}/governance/seats/{s_seat}/",
        "/p/{s}/governance/seats/{s_seat}/",
    ],
    "governance:seat_remove": [
        "/p/{r}/governance/seats/{r_seat}/remove/",
        "!/p/{r}/governance/seats/{s_seat}/remove/",
        "/p/{s}/governance/seats/{s_seat}/remove/",
    ],
    "governance:resolution_edit": [
        "/p/{r}/governance/resolutions/{r_resolution}/",
        "!/p/{r}/governance/resolutions/{s_resolution}/",
        "/p/{s}/governance/resolutions/{s_resolution}/",
    ],
    "governance:resolution_remove": [
        "/p/{r}/governance/resolutions/{r_resolution}/remove/",
        "!/p/{r}/governance/resolutions/{s_resolution}/remove/",
        "/p/{s}/governance/resolutions/{s_resolution}/remove/",
    ],
    "governance:action_edit": [
        "/p/{r}/governance/actions/{r_action}/edit/",
        "!/p/{r}/governance/actions/{s_action}/edit/",
        "/p/{s}/governance/actions/{s_action}/edit/",
    ],
    "governance:action_remove": [
        "/p/{r}/governance/actions/{r_action}/remove/",
        "!/p/{r}/governance/actions/{s_action}/remove/",
        "/p/{s}/governance/actions/{s_action}/remove/",
    ],
    "governance:work_programme_edit": [
        "/p/{r}/governance/programme/{r_wp}/",
        "!/p/{r}/governance/programme/{s_wp}/",
        "/p/{s}/governance/programme/{s_wp}/",
    ],
    "governance:work_programme_remove": [
        "/p/{r}/governance/programme/{r_wp}/remove/",
        "!/p/{r}/governance/programme/{s_wp}/remove/",
        "/p/{s}/governance/programme/{s_wp}/remove/",
    ],
    "casereviews:cases": ["/p/{r}/case-reviews/", "/p/{s}/case-reviews/"],
    "casereviews:case_detail": [
        "/p/{r}/case-reviews/{r_application}/",
        "!/p/{r}/case-reviews/{s_application}/",
        "!/p/{r}/case-reviews/{s_open_application}/",
        "/p/{s}/case-reviews/{s_application}/",
    ],
    "casereviews:settings": ["/p/{r}/case-reviews/settings/", "/p/{s}/case-reviews/settings/"],
    "casereviews:figures": ["/p/{r}/case-reviews/figures/", "/p/{s}/case-reviews/figures/"],
    "casereviews:calls": ["/p/{r}/case-reviews/calls/", "/p/{s}/case-reviews/calls/"],
    "casereviews:call_detail": [
        "/p/{r}/case-reviews/calls/{r_call}/",
        "!/p/{r}/case-reviews/calls/{s_call}/",
        "/p/{s}/case-reviews/calls/{s_call}/",
    ],
    "casereviews:import": ["/p/{r}/case-reviews/import/", "/p/{s}/case-reviews/import/"],
    "casereviews:map": [
        "/p/{r}/case-reviews/map/",
        "/p/{r}/case-reviews/map/?year=all&format=csv",
        "/p/{s}/case-reviews/map/",
    ],
    # A search in Rotherham never finds Sheffield's people (their names carry the marker).
    "dataprotection:index": ["/p/{r}/personal-data/", "/p/{s}/personal-data/"],
    "dataprotection:requests": [
        "/p/{r}/personal-data/requests/?q=ZQXSHEF",
        "/p/{r}/personal-data/requests/?q=Applicant",
        "/p/{s}/personal-data/requests/?q=Applicant",
    ],
    "glossary": ["/glossary/"],
    "accessibility": ["/accessibility/"],
    "accessibility_edit": ["/accessibility/edit/"],
    "privacy": ["/privacy/"],
    # Sheffield has not saved its notice: members only, so refused here.
    "privacy_notice": ["/p/{r}/privacy/", "/p/{s}/privacy/"],
    "privacy_notice_edit": ["/p/{r}/privacy/edit/", "/p/{s}/privacy/edit/"],
    "cookies": ["/cookies/"],
    "health": ["/health/"],
    "plan:detail": ["/p/{r}/plan/", "/p/{s}/plan/"],
    "plan:version": ["/p/{r}/plan/versions/1/", "/p/{s}/plan/versions/1/"],
    "plan:edit": ["/p/{r}/plan/edit/", "/p/{s}/plan/edit/"],
    "performance:dashboard": [
        "/p/{r}/performance/",
        "/p/{r}/performance/?period=2024/25-Q1&print=1",
        "/p/{r}/performance/?period=2024/25-Q1&format=xlsx",
        "/p/{r}/performance/?period=2024/25-Q1&format=csv",
        "/p/{s}/performance/",
    ],
    "performance:summary": ["/p/{r}/performance/summary/", "/p/{s}/performance/summary/"],
    "performance:mine": ["/p/{r}/performance/mine/", "/p/{s}/performance/mine/"],
    "performance:late": ["/p/{r}/performance/late/", "/p/{s}/performance/late/"],
    "performance:highlights": [
        "/p/{r}/performance/highlights/?period=2024/25-Q1",
        "/p/{s}/performance/highlights/",
    ],
    "performance:return": [
        "/p/{r}/performance/returns/{r_ret}/",
        "!/p/{r}/performance/returns/{s_ret}/",
        "/p/{s}/performance/returns/{s_ret}/",
    ],
    "performance:indicator": [
        "/p/{r}/performance/indicators/{r_ind}/",
        "/p/{r}/performance/indicators/{r_ind}/?format=ods",
        "!/p/{r}/performance/indicators/{s_ind}/",
        "/p/{s}/performance/indicators/{s_ind}/",
    ],
    "performance:public": [
        "/p/{r}/performance/public/",
        "/p/{r}/performance/public/?period=2024/25-Q1",
        "/p/{s}/performance/public/",
    ],
    "performance:calendar": ["/p/{r}/performance/calendar/", "/p/{s}/performance/calendar/"],
    "performance:rag_rule": ["/p/{r}/performance/rag-rule/", "/p/{s}/performance/rag-rule/"],
    "performance:values_upload": ["/p/{r}/performance/import/", "/p/{s}/performance/import/"],
    "performance:values_template": [
        "/p/{r}/performance/import/template.csv",
        "/p/{s}/performance/import/template.csv",
    ],
    "performance:indicator_list": [
        "/p/{r}/performance/indicators/",
        "/p/{s}/performance/indicators/",
    ],
    "performance:indicator_new": [
        "/p/{r}/performance/indicators/new/",
        "/p/{s}/performance/indicators/new/",
    ],
    "performance:indicator_edit": [
        "/p/{r}/performance/indicators/{r_ind}/edit/",
        "!/p/{r}/performance/indicators/{s_ind}/edit/",
        "/p/{s}/performance/indicators/{s_ind}/edit/",
    ],
    "performance:chart": [
        "/p/{r}/performance/indicators/{r_ind}/chart.svg",
        "!/p/{r}/performance/indicators/{s_ind}/chart.svg",
        "/p/{s}/performance/indicators/{s_ind}/chart.svg",
    ],
    "api:partnership_indicators": [
        "/api/partnerships/{r}/indicators?period=2024/25-Q1",
        "/api/partnerships/{r}/indicators",
        "/api/partnerships/{s}/indicators?period=2024/25-Q1",
    ],
    "api:indicator_series_csv": [
        "/api/partnerships/{r}/indicators/{r_ind}/series.csv",
        "!/api/partnerships/{r}/indicators/{s_ind}/series.csv",
        "/api/partnerships/{s}/indicators/{s_ind}/series.csv",
    ],
    "api:return_submit_api": [
        "/api/partnerships/{r}/returns/{r_ret}",
        "!/api/partnerships/{r}/returns/{s_ret}",
        "/api/partnerships/{s}/returns/{s_ret}",
    ],
    "reports:index": ["/p/{r}/reports/", "/p/{s}/reports/"],
    "reports:feed": ["/p/{r}/reports/published/feed.xml", "/p/{s}/reports/published/feed.xml"],
    "reports:disclosure": ["/p/{r}/reports/disclosure/", "/p/{s}/reports/disclosure/"],
    "reports:contacts": ["/p/{r}/reports/contacts/", "/p/{s}/reports/contacts/"],
    "reports:contact_edit": [
        "/p/{r}/reports/contacts/{r_service}/",
        "!/p/{r}/reports/contacts/{s_service}/",
        "/p/{s}/reports/contacts/{s_service}/",
    ],
    "reports:contact_remove": [
        "/p/{r}/reports/contacts/{r_service}/remove/",
        "!/p/{r}/reports/contacts/{s_service}/remove/",
        "/p/{s}/reports/contacts/{s_service}/remove/",
    ],
    "reports:versions": [
        "/p/{r}/reports/{r_report}/versions/",
        "!/p/{r}/reports/{s_report}/versions/",
        "/p/{s}/reports/{s_report}/versions/",
    ],
    "reports:version": [
        "/p/{r}/reports/{r_report}/versions/1/",
        "!/p/{r}/reports/{s_report}/versions/1/",
        "/p/{s}/reports/{s_report}/versions/1/",
    ],
    "reports:archive": ["/p/{r}/reports/published/", "/p/{s}/reports/published/"],
    "reports:detail": [
        "/p/{r}/reports/{r_report}/",
        "!/p/{r}/reports/{s_report}/",
        "/p/{s}/reports/{s_report}/",
    ],
    "reports:edit": [
        "/p/{r}/reports/{r_report}/edit/",
        "!/p/{r}/reports/{s_report}/edit/",
        "/p/{s}/reports/{s_report}/edit/",
    ],
    "reports:publish": [
        "/p/{r}/reports/{r_report}/publish/",
        "!/p/{r}/reports/{s_report}/publish/",
        "/p/{s}/reports/{s_report}/publish/",
    ],
    "reports:pdf": [
        "/p/{r}/reports/{r_report}/report.pdf",
        "!/p/{r}/reports/{s_report}/report.pdf",
        "/p/{s}/reports/{s_report}/report.pdf",
    ],
    "reports:annex": [
        "/p/{r}/reports/{r_report}/annex/?format=xlsx",
        "!/p/{r}/reports/{s_report}/annex/?format=csv",
        "/p/{s}/reports/{s_report}/annex/?format=ods",
    ],
    "assessment:index": ["/p/{r}/assessment/", "/p/{s}/assessment/"],
    "assessment:detail": [
        "/p/{r}/assessment/{r_assessment}/",
        "!/p/{r}/assessment/{s_assessment}/",
        "/p/{s}/assessment/{s_assessment}/",
    ],
    "assessment:issue": [
        "/p/{r}/assessment/{r_assessment}/issues/{r_issue}/",
        "!/p/{r}/assessment/{r_assessment}/issues/{s_issue}/",
        "!/p/{r}/assessment/{s_assessment}/issues/{s_issue}/",
        "/p/{s}/assessment/{s_assessment}/issues/{s_issue}/",
    ],
    "assessment:refresh": [
        "/p/{r}/assessment/{r_assessment}/refresh/",
        "!/p/{r}/assessment/{s_assessment}/refresh/",
        "/p/{s}/assessment/{s_assessment}/refresh/",
    ],
    "assessment:consultation": [
        "/p/{r}/assessment/consultations/{r_consultation}/",
        "!/p/{r}/assessment/consultations/{s_consultation}/",
        "/p/{s}/assessment/consultations/{s_consultation}/",
    ],
    "assessment:responses": [
        "/p/{r}/assessment/consultations/{r_consultation}/responses/",
        "!/p/{r}/assessment/consultations/{s_consultation}/responses/",
        "/p/{s}/assessment/consultations/{s_consultation}/responses/",
    ],
    "assessment:matrix": [
        "/p/{r}/assessment/{r_assessment}/matrix/",
        "!/p/{r}/assessment/{s_assessment}/matrix/",
        "/p/{s}/assessment/{s_assessment}/matrix/",
    ],
    "assessment:priority_chart": [
        "/p/{r}/assessment/{r_assessment}/priority-matrix.svg",
        "!/p/{r}/assessment/{s_assessment}/priority-matrix.svg",
        "/p/{s}/assessment/{s_assessment}/priority-matrix.svg",
    ],
    "assessment:document": [
        "/p/{r}/assessment/{r_assessment}/document/",
        "!/p/{r}/assessment/{s_assessment}/document/",
        "/p/{s}/assessment/{s_assessment}/document/",
    ],
    "assessment:document_pdf": [
        "/p/{r}/assessment/{r_assessment}/document.pdf",
        "!/p/{r}/assessment/{s_assessment}/document.pdf",
        "/p/{s}/assessment/{s_assessment}/document.pdf",
    ],
    "assessment:document_chart": [
        "/p/{r}/assessment/{r_assessment}/document/views/{r_document_view}/chart.svg",
        "!/p/{r}/assessment/{r_assessment}/document/views/{s_document_view}/chart.svg",
        "!/p/{r}/assessment/{s_assessment}/document/views/{s_document_view}/chart.svg",
        "/p/{s}/assessment/{s_assessment}/document/views/{s_document_view}/chart.svg",
    ],
    "assessment:tension": ["/p/{r}/assessment/tension/", "/p/{s}/assessment/tension/"],
    "assessment:tension_detail": [
        "/p/{r}/assessment/tension/{r_tension}/",
        "!/p/{r}/assessment/tension/{s_tension}/",
        "/p/{s}/assessment/tension/{s_tension}/",
    ],
    "delivery:index": ["/p/{r}/delivery/", "/p/{s}/delivery/"],
    "delivery:stream_detail": [
        "/p/{r}/delivery/streams/{r_stream}/",
        "/p/{r}/delivery/streams/{r_stream}/?format=xlsx",
        "/p/{r}/delivery/streams/{r_stream}/?format=csv",
        "!/p/{r}/delivery/streams/{s_stream}/",
        "!/p/{r}/delivery/streams/{s_stream}/?format=ods",
        "/p/{s}/delivery/streams/{s_stream}/",
    ],
    "delivery:stream_edit": [
        "/p/{r}/delivery/streams/{r_stream}/edit/",
        "!/p/{r}/delivery/streams/{s_stream}/edit/",
        "/p/{s}/delivery/streams/{s_stream}/edit/",
    ],
    "delivery:grant_remove": [
        "/p/{r}/delivery/grants/{r_grant}/remove/",
        "!/p/{r}/delivery/grants/{s_grant}/remove/",
        "/p/{s}/delivery/grants/{s_grant}/remove/",
    ],
    "delivery:stream_achieved": [
        "/p/{r}/delivery/streams/{r_stream}/achieved/",
        "!/p/{r}/delivery/streams/{s_stream}/achieved/",
        "/p/{s}/delivery/streams/{s_stream}/achieved/",
    ],
    "delivery:project_list": [
        "/p/{r}/delivery/projects/",
        "/p/{r}/delivery/projects/?format=xlsx",
        "/p/{s}/delivery/projects/",
    ],
    "delivery:project_detail": [
        "/p/{r}/delivery/projects/{r_project}/",
        "!/p/{r}/delivery/projects/{s_project}/",
        "/p/{s}/delivery/projects/{s_project}/",
    ],
    "delivery:return_detail": [
        "/p/{r}/delivery/returns/{r_mret}/",
        "!/p/{r}/delivery/returns/{s_mret}/",
        "/p/{s}/delivery/returns/{s_mret}/",
    ],
    "delivery:late": ["/p/{r}/delivery/late/", "/p/{s}/delivery/late/"],
    "delivery:communications": [
        "/p/{r}/delivery/communications/",
        "/p/{r}/delivery/communications/?format=ods",
        "/p/{s}/delivery/communications/",
    ],
    "delivery:communication_file": [
        "/p/{r}/delivery/communications/{r_comm}/file/",
        "!/p/{r}/delivery/communications/{s_comm}/file/",
        "/p/{s}/delivery/communications/{s_comm}/file/",
    ],
    "delivery:engagement": [
        "/p/{r}/delivery/engagement/",
        "/p/{r}/delivery/engagement/?format=csv",
        "/p/{s}/delivery/engagement/",
    ],
    "api:api-root": ["/api/"],
    "api:openapi-json": ["/api/openapi.json"],
    "api:openapi-view": ["/api/docs"],
    "api:partnership_list": ["/api/partnerships"],
    "api:partnership_counts": [
        "/api/partnerships/{r}/counts?period=2024/25",
        "/api/partnerships/{r}/counts?period=2024/25&by=ward",
        "/api/partnerships/{r}/counts?period=2024-06&by=month",
        "/api/partnerships/{s}/counts?period=2024/25",
    ],
    "api:partnership_overview": [
        "/api/partnerships/{r}/overview?period=2024/25",
        "/api/partnerships/{s}/overview?period=2024/25",
    ],
    "api:partnership_spc": [
        "/api/partnerships/{r}/spc?start=2024-04&end=2025-03",
        "/api/partnerships/{s}/spc?start=2024-04&end=2025-03",
    ],
    "api:partnership_compare": [
        "/api/partnerships/{r}/compare?period=2024/25",
        "/api/partnerships/{s}/compare?period=2024/25",
    ],
    "api:partnership_hotspots": [
        "/api/partnerships/{r}/hotspots?period=2024/25",
        "/api/partnerships/{s}/hotspots?period=2024/25&level=lsoa",
    ],
}
# Django's own admin site is checked too (`ADMIN_URLS`), but not discovered: it has its own
# staff check, and nobody in this test is staff.
EXEMPT_NAMESPACES = {"admin"}
ADMIN_URLS = ["/admin/", "/admin/core/auditevent/", "/admin/intelligence/datarequest/"]


def discovered_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace not in EXEMPT_NAMESPACES:
                    walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                names.add(f"{namespace}:{p.name}" if namespace else str(p.name))

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_filled():
    assert discovered_url_names() == set(URLS), (
        "a URL was added or removed: add it to URLS in tests/core/test_isolation.py, with "
        "Rotherham's objects, Sheffield's object ids under Rotherham's address, and Sheffield's"
    )


def explorer_urls(datasets: list[str]) -> list[str]:
    """Every view of every source in every format (police.uk and each dataset short name)."""
    urls = []
    for source in ["police", *datasets]:
        views = explorer.VIEWS if source == "police" else explorer.PARTNER_VIEWS
        for view in views:
            for fmt in FORMATS:
                period = "" if view == "trend" else "&period=2024/25"
                foreign = "!" if source == SECRET_SLUG else ""
                urls.append(
                    f"{foreign}/p/{{r}}/explore/?source={source}&view={view}{period}&format={fmt}"
                )
    return urls


# --- finding a leak -----------------------------------------------------------------------


def _figure_pattern(n: int) -> re.Pattern:
    forms = "|".join(re.escape(f) for f in (str(n), f"{n:,}"))
    return re.compile(rf"(?<![0-9.,])(?:{forms})(?![0-9])")


FIGURE_PATTERNS = [_figure_pattern(n) for n in FIGURES]


def readable(response) -> str:
    """Everything a client receives, as lower-case text: headers, body, and every file inside
    a zipped body (XLSX and ODS)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [f"{k}: {v}" for k, v in response.items()]
    if body[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    else:
        parts.append(body.decode("utf-8", "replace"))
    return unquote("\n".join(parts)).lower()


def leaks(response, asked: str, secrets: tuple[str, ...] = ()) -> list[str]:
    """The Sheffield markers, secrets and figures in a response (those in the address asked
    for are only echoed back, as a 404 page or a sign-in link may)."""
    text = readable(response)
    asked = unquote(asked).lower()
    found = [m for m in (MARK, SECRET_SLUG, *secrets) if m in text and m not in asked]
    found += [p.pattern for p in FIGURE_PATTERNS if p.search(text)]
    return found


# --- signing in ---------------------------------------------------------------------------


def sign_in(client, user) -> None:
    """Sign `user` in as a browser does: fetch the sign-in page, post the form with its CSRF
    token (checked: the browser enforces it), and keep the session cookie it gets."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/sign-in/").status_code == 200
    response = browser.post(
        "/sign-in/",
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/", (
        user.username,
        response.status_code,
    )
    assert browser.session["_auth_user_id"] == str(user.pk)
    client.logout()
    client.cookies = browser.cookies


# --- the two partnerships -----------------------------------------------------------------


def csv_upload(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode())


@pytest.fixture
def world(
    overview_warehouse,
    rotherham,
    sheffield,
    members,
    make_member,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    """Rotherham's objects, and Sheffield's unpublished data (markers everywhere)."""
    s_admin = make_member(sheffield, "admin", username=f"{MARK}-admin")
    s_analyst = make_member(sheffield, "analyst", username=f"{MARK}-analyst")
    s_scrutiny = make_member(sheffield, "scrutiny", username=f"{MARK}-scrutiny")
    for user in (s_admin, s_analyst, s_scrutiny):
        user.display_name = f"ZQXSHEF {user.username}"
        user.email = f"{user.username}@sheffield.example"
        user.save()
    org = organisation_upsert(
        partnership=sheffield,
        name="ZQXSHEF City Council",
        kind="council",
        is_responsible_authority=True,
        by=s_admin,
    )
    wards = [code for code, _ in demo_area(sheffield).wards][:2]
    rows = [
        "Month,Ward code,ZQXSHEF kind,Cases",
        f"2024-06,{wards[0]},ZQXSHEF-CAT-A,{FIGURES[0]}",
        f"2024-06,{wards[1]},ZQXSHEF-CAT-B,{FIGURES[1]}",
    ]
    s_uploads = {}
    with django_capture_on_commit_callbacks(execute=True):  # the tasks run (immediate backend)
        for slug in (SECRET_SLUG, SHARED_SLUG):
            dataset = partner_dataset_declare(
                partnership=sheffield,
                by=s_admin,
                name=f"ZQXSHEF dataset {slug}",
                slug=slug,
                schema=WARDS_SCHEMA,
                description="ZQXSHEF: hate incidents reported to the council",
                sensitive=True,
                organisation=org,
            )
            s_uploads[slug] = partner_upload_create(
                dataset=dataset, by=s_analyst, upload=csv_upload(f"{MARK}-{slug}.csv", rows)
            )
        refused = partner_upload_create(
            dataset=dataset,
            by=s_analyst,
            upload=csv_upload(
                f"{MARK}-refused.csv", [rows[0], f"2024-07,{wards[0]},ZQXSHEF-NOT-A-KIND,5"]
            ),
        )
        s_run = import_run_create(
            partnership=sheffield,
            by=s_analyst,
            upload=SimpleUploadedFile(
                "2024-06-south-yorkshire-street.csv", b"ZQXSHEF,not,a,police,file\n1,2,3,4\n"
            ),
        )
    for upload in s_uploads.values():
        upload.refresh_from_db()
        assert upload.status == ImportStatus.SUCCEEDED, upload.errors
    refused.refresh_from_db()
    s_run.refresh_from_db()
    assert refused.status == ImportStatus.FAILED and s_run.status == ImportStatus.FAILED
    assert any(MARK in e.lower() for e in refused.errors + s_run.errors)

    s_req = data_request_raise(
        partnership=sheffield,
        by=s_scrutiny,
        question="ZQXSHEF: are hate incidents rising in Darnall?",
        due_date=DUE,
    )
    data_request_answer(
        request=s_req, by=s_analyst, answer=f"ZQXSHEF: yes, {FIGURES[0]:,} incidents."
    )
    s_view = saved_view_create(
        partnership=sheffield,
        by=s_analyst,
        title="ZQXSHEF hate incidents by ward",
        query=f"source={SECRET_SLUG}&view=wards&period=2024/25",
        request=s_req,
    )
    s_open = data_request_raise(
        partnership=sheffield, by=s_scrutiny, question="ZQXSHEF open question", due_date=DUE
    )
    audit.record(
        actor=s_admin,
        verb="note.add",
        obj=s_req,
        partnership=sheffield,
        after={"note": "ZQXSHEF note"},
    )
    s_token, s_key = api_token_create(user=s_admin, name="ZQXSHEF Power BI")
    # Sheffield's plan, indicators and returns: an approved return holds one of the figures.
    s_lead = make_member(sheffield, "lead", username=f"{MARK}-lead")
    s_lead.display_name = "ZQXSHEF lead"
    s_lead.save()
    s_plan = plan_world(
        sheffield,
        admin=s_admin,
        analyst=s_analyst,
        lead=s_lead,
        other_lead=None,
        mark="ZQXSHEF ",
        value=FIGURES[0],
    )
    s_delivery = delivery_world(
        sheffield, admin=s_admin, analyst=s_analyst, lead=s_lead, mark="ZQXSHEF ",
        value=FIGURES[1],
    )  # fmt: skip
    s_device = twofactor.two_factor_start(user=s_admin)

    # Rotherham: a police.uk import, a dataset under the short name Sheffield also uses (the
    # demo generator, stored through the same services), a request, an API token.
    analyst = members["analyst"]
    r_run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=analyst,
        original_name="2024-06-south-yorkshire-street.csv",
        stored_path="/none",
        size_bytes=1,
        status=ImportStatus.FAILED,
        errors=["line 3: Month: Rotherham error"],
    )
    spec = next(d for d in DATASETS if d.slug == SHARED_SLUG)
    path = write_file(
        spec, generate(spec, demo_area(rotherham), "rotherham"), tmp_path, "rotherham"
    )
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        r_dataset = partner_dataset_declare(
            partnership=rotherham,
            by=members["admin"],
            name=spec.name,
            slug=spec.slug,
            schema=spec.schema,
            sensitive=True,
        )
        r_upload = partner_upload_create(
            dataset=r_dataset, by=analyst, upload=File(handle, name=path.name)
        )
    r_upload.refresh_from_db()
    assert r_upload.status == ImportStatus.SUCCEEDED, r_upload.errors
    r_req = data_request_raise(
        partnership=rotherham,
        by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date=DUE,
    )
    _, r_key = api_token_create(user=analyst, name="Rotherham notebook")
    s_gov = build_governance(sheffield, s_admin, mark="ZQXSHEF ", public=False)
    r_gov = build_governance(rotherham, members["admin"], owner=members["board"])
    from tests.casereviews.world import build as build_casereviews

    s_cases = build_casereviews(sheffield, s_admin, mark="ZQXSHEF ", published=False)
    r_cases = build_casereviews(rotherham, members["admin"])
    from saferstat.governance.reminders import reminders_run

    reminders_run(partnership=sheffield)  # a job run (and audit event) of Sheffield's
    r_plan = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=analyst,
        lead=members["lead"],
        other_lead=None,
    )
    s_asm = build_assessment(sheffield, s_admin, s_analyst, mark="ZQXSHEF ")
    r_asm = build_assessment(rotherham, members["admin"], analyst, board=members["board"])
    r_delivery = delivery_world(
        rotherham, admin=members["admin"], analyst=analyst, lead=members["lead"]
    )
    return {
        "fill": {
            "r_stream": r_delivery["stream"].pk,
            "s_stream": s_delivery["stream"].pk,
            "r_grant": r_delivery["grant"].pk,
            "s_grant": s_delivery["grant"].pk,
            "r_project": r_delivery["project"].pk,
            "s_project": s_delivery["project"].pk,
            "r_mret": r_delivery["approved"].pk,
            "s_mret": s_delivery["approved"].pk,
            "s_measure": s_delivery["output"].pk,
            "r_measure": r_delivery["output"].pk,
            "r_comm": r_delivery["bulletin"].pk,
            "s_comm": s_delivery["bulletin"].pk,
            "s_theme": s_plan["first"].theme.pk,
            "s_priority": s_plan["first"].pk,
            "r": rotherham.slug,
            "s": sheffield.slug,
            "shared": SHARED_SLUG,
            "secret": SECRET_SLUG,
            "r_run": r_run.pk,
            "s_run": s_run.pk,
            "r_upload": r_upload.pk,
            "r_req": r_req.pk,
            "s_upload": s_uploads[SECRET_SLUG].pk,
            "s_shared_upload": s_uploads[SHARED_SLUG].pk,
            "s_refused_upload": refused.pk,
            "s_req": s_req.pk,
            "s_open": s_open.pk,
            "s_view_query": s_view.query,
            "s_ds_id": PartnerDataset.objects.get(partnership=sheffield, slug=SECRET_SLUG).pk,
            "s_admin": s_admin.pk,
            "s_token": s_token.pk,
            **{f"s_{k}": v for k, v in s_gov.items()},
            **{f"r_{k}": v for k, v in r_gov.items()},
            **{f"s_{k}": v for k, v in s_cases.items()},
            **{f"r_{k}": v for k, v in r_cases.items()},
            "r_ret": r_plan["approved"].pk,
            "s_ret": s_plan["approved"].pk,
            "r_ind": r_plan["missing"].code,
            "s_ind": s_plan["missing"].code,
            **{f"r_{k}": v for k, v in build_reports(rotherham, analyst).items()},
            **{
                f"s_{k}": v for k, v in build_reports(sheffield, s_analyst, mark="ZQXSHEF ").items()
            },
            **{f"s_{k}": v for k, v in s_asm.items()},
            **{f"r_{k}": v for k, v in r_asm.items()},
        },
        "s_plan": s_plan,
        "r_key": r_key,
        "secrets": (s_key.lower(), twofactor.base32_key(s_device).lower(), s_device.key.lower()),
        "s_analyst": s_analyst,
        "s_req": s_req,
        "s_token": s_token,
    }


@pytest.fixture
def reuse_figures(monkeypatch):
    """Compute each explorer figure and chart once, however many people ask for it.

    `explorer.build(q, partnership, datasets)` and `render_svg(spec)` are pure functions of
    their arguments (the warehouse does not change during the test), so caching them changes
    no answer; everything that differs between people (the permission check, the datasets
    they may see, the requests they may save to) still runs for each of them.
    """
    from saferstat.analytics import figures as analytic_figures

    built, drawn = {}, {}
    build, render_svg = explorer.build, analytic_figures.render_svg

    def cached_build(q, partnership, datasets):
        key = (q.querystring(), partnership.pk, tuple(sorted(d.pk for d in datasets)))
        if key not in built:
            built[key] = build(q, partnership, datasets)
        return built[key]

    def cached_svg(spec):
        key = json.dumps(spec, sort_keys=True, default=str)
        if key not in drawn:
            drawn[key] = render_svg(spec)
        return drawn[key]

    monkeypatch.setattr(explorer, "build", cached_build)
    monkeypatch.setattr(analytic_figures, "render_svg", cached_svg)


# --- the test -----------------------------------------------------------------------------


def test_the_detector_finds_sheffield_data_where_it_belongs(client, world, reuse_figures):
    """Sheffield's own analyst sees the markers and figures: so their absence below means
    something (including inside XLSX and ODS downloads)."""
    sign_in(client, world["s_analyst"])
    fill = world["fill"]
    for url in [
        "/p/sheffield/requests/{s_req}/",
        "/p/sheffield/imports/{s_run}/",
        "/p/sheffield/datasets/{shared}/uploads/{s_refused_upload}/",
        "/p/sheffield/explore/?source={secret}&view=wards&period=2024/25&format=xlsx",
        "/p/sheffield/explore/?source={secret}&view=wards&period=2024/25&format=ods",
        "/p/sheffield/explore/?source={shared}&view=wards&period=2024/25&format=csv",
        "/p/sheffield/performance/?period=2024/25-Q1",
        "/p/sheffield/performance/?period=2024/25-Q1&format=xlsx",
        "/p/sheffield/performance/returns/{s_ret}/",
        "/p/sheffield/plan/versions/1/",
        "/p/sheffield/assessment/{s_assessment}/issues/{s_issue}/",
        "/p/sheffield/assessment/{s_assessment}/document/",
        "/p/sheffield/assessment/{s_assessment}/document/views/{s_document_view}/chart.svg",
        "/p/sheffield/assessment/tension/{s_tension}/",
        "/p/sheffield/assessment/consultations/{s_consultation}/responses/",
        "/p/sheffield/delivery/streams/{s_stream}/achieved/",
        "/p/sheffield/delivery/streams/{s_stream}/?format=xlsx",
        "/p/sheffield/delivery/returns/{s_mret}/",
        "/api/partnerships/sheffield/indicators?period=2024/25-Q1",
    ]:
        url = url.format(**fill)
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response, "/"), url
    html = client.get(f"/p/sheffield/datasets/{SECRET_SLUG}/?year=2024-25").content.decode()
    assert f"{FIGURES[2]:,}" in html or f"{FIGURES[0]:,}" in html


def test_no_one_else_sees_anything_of_sheffield(client, world, members, reuse_figures):
    fill = world["fill"]
    grid = explorer_urls([SHARED_SLUG, SECRET_SLUG])
    identities = [("anonymous", None, {})] + [(role, members[role], {}) for role in ROLES]
    identities.append(("rotherham token", None, {"HTTP_AUTHORIZATION": f"Bearer {world['r_key']}"}))
    problems: list[str] = []
    asked = 0
    for who, user, headers in identities:
        client.logout()
        if user is not None:
            sign_in(client, user)
        for name, templates in sorted(URLS.items()):
            own_status = None
            extra = grid if name == "explorer:page" else []
            for template in templates + extra:
                foreign = template.startswith("!")
                url = template.lstrip("!").format(**fill)
                response = client.get(url, **headers)
                asked += 1
                status = response.status_code
                if found := leaks(response, url, world["secrets"]):
                    problems.append(f"{who} GET {url} ({status}) shows {found}")
                sheffields = url.startswith(("/p/sheffield/", "/api/partnerships/sheffield/"))
                if (foreign or sheffields) and 200 <= status < 300:
                    problems.append(f"{who} GET {url}: {status}, expected it refused or not found")
                # Not found; the explorer refuses an unknown source (400) and has nothing to
                # download for it (404).
                not_found = {400, 404} if name == "explorer:page" else {404}
                if foreign and own_status == 200 and status not in not_found:
                    problems.append(
                        f"{who} GET {url}: {status}, expected {not_found} (its own object gave 200)"
                    )
                if not foreign and not sheffields and own_status is None:
                    own_status = status
        for url in ADMIN_URLS:
            response = client.get(url, **headers)
            asked += 1
            if response.status_code == 200 or leaks(response, url, world["secrets"]):
                problems.append(f"{who} GET {url}: {response.status_code}")
    assert not problems, f"{len(problems)} problem(s) in {asked} answers:\n" + "\n".join(problems)
    assert asked > 600


def test_writes_aimed_at_sheffield_are_refused_and_change_nothing(client, world, members):
    fill, s_req, s_token = world["fill"], world["s_req"], world["s_token"]
    views_before = SavedView.objects.filter(request=s_req).count()
    for role in ("admin", "analyst"):
        sign_in(client, members[role])
        attempts = {
            "/p/rotherham/requests/{s_req}/": {"action": "answer", "answer": "overwritten"},
            "/p/rotherham/requests/{s_open}/": {"action": "status", "status": "closed"},
            "/p/rotherham/explore/save/": {
                "request": fill["s_req"],
                "title": "x",
                "query": "view=trend",
            },
            "/p/rotherham/datasets/{secret}/edit/": {"name": "renamed", "sensitive": ""},
            "/p/rotherham/datasets/{secret}/upload/": {
                "file": SimpleUploadedFile("x.csv", b"Month\n")
            },
            "/p/sheffield/requests/{s_req}/": {"action": "answer", "answer": "overwritten"},
            "/p/sheffield/publish/": {"published": "1"},
            "/p/sheffield/requests/new/": {"question": "spam", "due_date": "2031-01-01"},
            "/p/sheffield/imports/upload/": {
                "file": SimpleUploadedFile("2024-06-x-street.csv", b"x")
            },
            "/p/sheffield/datasets/declare/": {"name": "x", "slug": "x"},
            "/force/south-yorkshire/imports/{s_run}/": {"decision": "reject", "note": "x"},
            "/account/api-tokens/": {"revoke": fill["s_token"]},
            "/p/rotherham/governance/actions/{s_action}/": {"text": "overwritten", "done": "on"},
            "/p/rotherham/governance/meetings/{s_meeting}/": {
                "form": "resolution",
                "resolution-kind": "noted",
                "resolution-text": "overwritten",
            },
            "/p/rotherham/governance/recommendations/{s_rec}/": {
                "form": "response",
                "response-response": "accepted",
            },
            "/p/rotherham/governance/calendar/{s_duty}/": {"cycle_months": "1"},
            "/p/rotherham/governance/dhr/{s_dhr}/": {
                "reference": "overwritten",
                "notified_on": "2024-03-04",
                "status": "notified",
            },
            "/p/sheffield/governance/dhr/": {"reference": "x", "notified_on": "2024-03-04"},
            "/p/sheffield/governance/": {"form": "body", "body-name": "x", "body-kind": "board"},
            "/p/sheffield/governance/settings/": {"response_days": "1"},
            "/p/rotherham/governance/bodies/{s_board}/edit/": {"name": "x", "kind": "board"},
            "/p/rotherham/delivery/streams/{s_stream}/edit/": {
                "name": "x",
                "funder": "x",
                "financial_year": "2024/25",
                "amount": "1000000",
            },
            "/p/rotherham/delivery/grants/{s_grant}/remove/": {"confirm": "yes"},
            "/p/sheffield/delivery/grants/{s_grant}/remove/": {"confirm": "yes"},
            "/p/rotherham/governance/bodies/{s_scrutiny}/remove/": {"confirm": "yes"},
            "/p/rotherham/governance/items/{s_item}/": {"form": "item", "item-title": "x"},
            "/p/rotherham/governance/items/{s_item}/remove/": {"confirm": "yes"},
            "/p/rotherham/governance/papers/{s_paper}/remove/": {"confirm": "yes"},
            "/p/sheffield/governance/items/{s_item}/": {
                "form": "paper",
                "paper-file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n"),
            },
            "/p/rotherham/performance/returns/{s_ret}/": {"action": "correct", "reason": "x"},
            "/p/sheffield/performance/returns/{s_ret}/": {"action": "approve"},
            "/p/sheffield/plan/": {"label": "hijacked"},
            "/p/sheffield/plan/edit/": {"form": "theme", "theme-key": "x", "theme-name": "x"},
            "/p/rotherham/case-reviews/{s_open_application}/": {
                "form": "appeal",
                "appeal-lodged_on": "2024-12-01",
                "appeal-grounds": "x",
            },
            "/p/rotherham/case-reviews/calls/{s_call}/": {
                "form": "close",
                "close-closed_on": "2024-12-01",
                "close-outcome": "x",
            },
            "/p/sheffield/case-reviews/figures/": {"year": "2024/25"},
            "/p/rotherham/personal-data/requests/": {
                "action": "erase",
                "reference": "x",
                "note": "hijacked",
                "records": [f"casereviews.Application:{fill['s_application']}"],
            },
            "/p/sheffield/personal-data/requests/": {
                "action": "export",
                "reference": "x",
                "records": [f"casereviews.Application:{fill['s_application']}"],
            },
            "/p/sheffield/personal-data/": {"record_type": "case_review", "months": "1"},
            "/p/sheffield/case-reviews/import/": {
                "file": SimpleUploadedFile("cases.csv", b"Date received\n")
            },
            "/p/sheffield/case-reviews/settings/": {"form": "settings", "complaints": "1"},
            "/p/sheffield/performance/highlights/": {"code": "x", "kind": "highlight"},
            "/p/sheffield/performance/public/": {"published": "1"},
            "/p/sheffield/performance/calendar/": {"form": "delete", "label": "2024/25-Q2"},
            "/p/sheffield/performance/import/": {
                "file": SimpleUploadedFile("v.csv", b"indicator,period,value\n")
            },
            "/p/sheffield/performance/indicators/new/": {"form": "indicator", "code": "x"},
            "/p/sheffield/performance/indicators/{s_ind}/edit/": {
                "form": "delete",
                "confirm": "yes",
            },
            "/p/rotherham/performance/indicators/{s_ind}/edit/": {
                "form": "delete",
                "confirm": "yes",
            },
            "/p/rotherham/reports/{s_report}/edit/": {"introduction": "overwritten"},
            "/p/rotherham/reports/{s_report}/publish/": {"confirm": "yes"},
            "/p/sheffield/reports/": {"kind": "annual", "period": "2024/25"},
            "/p/rotherham/reports/{s_report}/versions/": {},
            "/p/sheffield/reports/disclosure/": {"threshold": "50", "base": "10"},
            "/p/sheffield/reports/contacts/": {"name": "hijacked", "phone": "0114 496 0999"},
            "/p/rotherham/reports/contacts/{s_service}/": {"name": "hijacked"},
            "/p/rotherham/reports/contacts/{s_service}/remove/": {"confirm": "yes"},
            "/p/rotherham/assessment/{r_assessment}/issues/{s_issue}/": {
                "form": "score",
                "score-volume": "1",
            },
            "/p/rotherham/assessment/{s_assessment}/": {"form": "issue", "name": "hijacked"},
            "/p/rotherham/assessment/{s_assessment}/matrix/": {
                "label-0": "hijacked",
                "group-0": "harm",
                "weight-0": "9",
                "scale-0": "a\nb",
                "disagreement": "2",
                "note": "hijacked",
            },
            "/p/rotherham/assessment/{s_assessment}/document/": {
                "form": "embed",
                "section": "gaps",
                "title": "hijacked",
                "query": "view=trend",
            },
            "/p/rotherham/assessment/tension/{s_tension}/": {
                "text": "hijacked",
                "owner_role": "x",
                "review_on": "2025-01-01",
            },
            "/p/rotherham/assessment/consultations/{r_consultation}/responses/": {
                "form": "tag",
                "response": fill["s_response"],
                "tag": "Speeding",
            },
            "/p/rotherham/assessment/consultations/{s_consultation}/responses/": {
                "form": "themes",
                "themes": "hijacked",
            },
            "/p/sheffield/assessment/": {"year": "2026/27"},
            "/p/sheffield/assessment/tension/": {"area": "hijacked"},
            "/p/rotherham/delivery/streams/{s_stream}/": {"project": "1", "amount": "5"},
            "/p/rotherham/delivery/projects/{s_project}/": {"form": "status", "status": "stopped"},
            "/p/rotherham/delivery/projects/{s_project}/?details": {
                "form": "details",
                "project_name": "hijacked",
                "project_organisation": "1",
                "project_start_date": "2024-04-01",
                "project_end_date": "2025-03-31",
            },
            "/p/rotherham/delivery/projects/{r_project}/?remove": {
                "form": "remove_measure",
                "measure": "{s_measure}",
                "confirm": "yes",
            },
            "/p/rotherham/plan/edit/?theme": {
                "form": "delete_theme",
                "id": "{s_theme}",
                "confirm": "yes",
            },
            "/p/rotherham/plan/edit/?priority": {
                "form": "delete_priority",
                "id": "{s_priority}",
                "confirm": "yes",
            },
            "/p/rotherham/delivery/returns/{s_mret}/": {"action": "correct", "reason": "x"},
            "/p/sheffield/delivery/returns/{s_mret}/": {"action": "approve"},
            "/p/sheffield/delivery/": {
                "name": "x",
                "funder": "x",
                "financial_year": "2024/25",
                "amount": "1",
            },
            "/p/sheffield/delivery/communications/": {
                "date": "2024-01-01",
                "title": "x",
                "audience": "x",
            },
            "/p/sheffield/delivery/engagement/": {
                "kind": "training",
                "date": "2024-01-01",
                "title": "x",
            },
        }
        for template, data in attempts.items():
            url = template.format(**fill)
            data = {k: v.format(**fill) if isinstance(v, str) else v for k, v in data.items()}
            response = client.post(url, data)
            assert response.status_code in {302, 403, 404}, (role, url, response.status_code)
            assert not leaks(response, url, world["secrets"]), (role, url)
            if response.status_code == 302:  # only a way back to Rotherham's own pages
                assert response["Location"].startswith(("/p/rotherham/", "/account/")), (role, url)
    s_req.refresh_from_db()
    assert s_req.answer.startswith("ZQXSHEF: yes") and s_req.status == "answered"
    assert DataRequest.objects.get(pk=fill["s_open"]).status == "open"
    assert SavedView.objects.filter(request=s_req).count() == views_before
    assert PartnerDataset.objects.get(pk=fill["s_ds_id"]).name == f"ZQXSHEF dataset {SECRET_SLUG}"
    assert ApiToken.objects.get(pk=s_token.pk).revoked_at is None
    from saferstat.governance.models import Action, Body, Recommendation, Resolution

    assert Action.objects.get(pk=fill["s_action"]).status == "open"
    assert not Action.objects.get(pk=fill["s_action"]).updates.exists()
    assert not Resolution.objects.filter(text="overwritten").exists()
    assert Recommendation.objects.get(pk=fill["s_rec"]).responded_on is None
    assert not Body.objects.filter(name="x").exists()
    assert Body.objects.filter(pk=fill["s_scrutiny"]).exists()
    from saferstat.governance.models import AgendaItem, Paper

    assert AgendaItem.objects.get(pk=fill["s_item"]).title == "ZQXSHEF Performance report"
    assert Paper.objects.filter(pk=fill["s_paper"]).exists()
    assert Paper.objects.filter(item__meeting__partnership__slug="sheffield").count() == 1
    from saferstat.delivery.models import FundingStream, Grant

    assert Grant.objects.filter(pk=fill["s_grant"]).exists()
    assert not FundingStream.objects.filter(name="x").exists()
    from saferstat.casereviews.models import Appeal, CallForAction, PublishedYear

    assert not Appeal.objects.filter(application_id=fill["s_open_application"]).exists()
    assert CallForAction.objects.get(pk=fill["s_call"]).status == "open"
    assert not PublishedYear.objects.filter(partnership__slug="sheffield").exists()
    from saferstat.casereviews.models import Application
    from saferstat.dataprotection.models import Erasure, RetentionPeriod, SubjectRequest

    assert Application.objects.get(pk=fill["s_application"]).applicant_name.startswith("ZQXSHEF")
    assert not Erasure.objects.exists() and not SubjectRequest.objects.exists()
    from saferstat.assessment.models import ConsultationResponse

    s_response = ConsultationResponse.objects.get(pk=fill["s_response"])
    assert s_response.tags == ["ZQXSHEF Knife crime"]
    assert s_response.consultation.themes == ["ZQXSHEF Knife crime", "Speeding"]
    assert not RetentionPeriod.objects.exists()
    assert Application.objects.filter(partnership__slug="sheffield").count() == 2
    for slug, expected in (("rotherham", 404), ("sheffield", 403)):
        response = client.post(
            f"/api/partnerships/{slug}/returns/{fill['s_ret']}",
            data=json.dumps({"values": {}, "submit": False}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world['r_key']}",
        )
        assert response.status_code == expected, (slug, response.content)
        assert not leaks(response, "/", world["secrets"])
    s_ret = world["s_plan"]["approved"]
    s_ret.refresh_from_db()
    assert s_ret.status == "approved" and s_ret.lines.filter(value=FIGURES[0]).exists()
    assert world["s_plan"]["owed"].__class__.objects.get(pk=world["s_plan"]["owed"].pk).status == (
        "not_started"
    )
    s_plan = world["s_plan"]["plan"]
    s_plan.refresh_from_db()
    assert s_plan.version == 2 and s_plan.versions.count() == 1
    from saferstat.assessment.models import Assessment, CandidateIssue, TensionAction

    assert not CandidateIssue.objects.filter(name="hijacked").exists()
    assert not TensionAction.objects.filter(text="hijacked").exists()
    assert Assessment.objects.filter(partnership__slug="sheffield").count() == 1
    s_assessment = Assessment.objects.get(partnership__slug="sheffield")
    assert s_assessment.matrix_version == 1
    assert not s_assessment.sections.filter(views__title="hijacked").exists()
    from saferstat.delivery.models import (
        Activity,
        Communication,
        FundingStream,
        MonitoringReturn,
        Project,
    )

    assert Project.objects.get(pk=fill["s_project"]).status == "active"
    assert Project.objects.get(pk=fill["s_project"]).name.startswith("ZQXSHEF")
    from saferstat.delivery.models import Measure
    from saferstat.plan.models import Priority, Theme

    assert Measure.objects.filter(pk=fill["s_measure"]).exists()
    assert Theme.objects.filter(pk=fill["s_theme"]).exists()
    assert Priority.objects.filter(pk=fill["s_priority"]).exists()
    assert MonitoringReturn.objects.get(pk=fill["s_mret"]).status == "approved"
    assert not FundingStream.objects.filter(name="x").exists()
    assert not Communication.objects.filter(title="x").exists()
    assert not Activity.objects.filter(title="x").exists()
    assert FundingStream.objects.get(pk=fill["s_stream"]).grants.count() == 1
    sheffield = s_req.partnership
    assert not sheffield.overview_published and sheffield.data_requests.count() == 2
    assert not sheffield.import_runs.exclude(pk=fill["s_run"]).exists()
