"""Background builds (the task worker, progress on the page), versions and their
differences, the scheduled rebuild on the jobs page, the partnership's disclosure rule, the
Atom feed and the build_report command."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from saferstat.core.models import AuditEvent
from saferstat.governance.models import JobRun
from saferstat.plan.models import Priority
from saferstat.reports import render, selectors, services
from saferstat.reports.models import Report, ReportVersion, VersionStatus
from tests.performance.factories import plan_world
from tests.reports.world import build_version


@pytest.fixture
def world(rotherham, members):
    plan = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
        value=9,
    )
    Priority.objects.filter(pk=plan["first"].pk).update(name="Child sexual exploitation")
    return plan


def _report(rotherham, members, kind="quarterly", period="2024/25-Q1"):
    return services.report_create(
        partnership=rotherham, by=members["analyst"], kind=kind, period=period
    )


@pytest.mark.django_db
def test_a_build_runs_in_the_task_worker_with_progress_on_the_page(
    client, world, rotherham, members, django_capture_on_commit_callbacks
):
    report = _report(rotherham, members)
    url = f"/p/rotherham/reports/{report.pk}/versions/"
    client.force_login(members["board"])
    assert client.post(url).status_code == 403  # Board members read, never build
    client.force_login(members["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("/versions/1/")
    version = ReportVersion.objects.get(report=report)
    # The immediate test backend ran the task on commit: built, every section counted.
    assert version.status == VersionStatus.BUILT, version.error
    assert version.task_id and version.progress_done == version.progress_total > 3
    assert version.built_by == members["analyst"] and version.warehouse_version
    page = client.get(response["Location"])
    assert "Built" in page.content.decode()
    # While it builds, the page polls itself (htmx) and shows how far it got.
    queued = services.report_build(report=report, by=members["analyst"], queue=False)
    ReportVersion.objects.filter(pk=queued.pk).update(
        status=VersionStatus.RUNNING, progress_done=2, progress_total=5, progress_label="Crime"
    )
    partial = client.get(f"{url}{queued.number}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "2 of 5 sections: Crime" in partial
    assert "<html" not in partial
    # A second build is refused while one is under way.
    client.post(url)
    assert ReportVersion.objects.filter(report=report).count() == 2
    # The report page says a version is being built.
    assert "is being built" in client.get(f"/p/rotherham/reports/{report.pk}/").content.decode()


@pytest.mark.django_db
def test_a_failed_build_is_recorded_and_never_published(world, rotherham, members, monkeypatch):
    report = _report(rotherham, members)

    def broken(ctx):
        raise RuntimeError("the warehouse went away")

    from saferstat.reports import sections

    crime = next(s for s in sections.REGISTRY if s.key == "crime")
    broken_crime = sections.Section(crime.key, crime.title, crime.kinds, broken)
    monkeypatch.setattr(
        sections, "REGISTRY", [broken_crime if s is crime else s for s in sections.REGISTRY]
    )
    version = build_version(report, members["analyst"])
    assert version.status == VersionStatus.FAILED and "went away" in version.error
    with pytest.raises(ValidationError):
        services.report_publish(report=report, by=members["admin"], version=version)


@pytest.mark.django_db
def test_versions_show_who_when_and_what_changed(client, world, rotherham, members):
    report = _report(rotherham, members)
    first = build_version(report, members["analyst"])
    Priority.objects.filter(pk=world["first"].pk).update(name="Exploitation renamed")
    second = build_version(report, members["admin"])
    client.force_login(members["lead"])
    html = client.get(f"/p/rotherham/reports/{report.pk}/versions/").content.decode()
    assert "Version 1" in html and "Version 2" in html and str(members["admin"]) in html
    html = client.get(f"/p/rotherham/reports/{report.pk}/versions/2/").content.decode()
    assert 'id="differences"' in html and "Exploitation renamed" in html
    assert "added" in html and "removed" in html
    same = client.get(f"/p/rotherham/reports/{report.pk}/versions/2/?against=2")
    assert "nothing to compare" in same.content.decode()
    # The report page reads the latest built version; ?version=1 the first.
    html = client.get(f"/p/rotherham/reports/{report.pk}/?version=1").content.decode()
    assert "Version 1, built" in html and "Exploitation renamed" not in html
    assert first.number == 1 and second.number == 2


@pytest.mark.django_db
def test_the_scheduled_job_rebuilds_out_of_date_reports_and_is_on_the_jobs_page(
    client, world, rotherham, members, django_capture_on_commit_callbacks
):
    report = _report(rotherham, members)
    never_built = _report(rotherham, members, kind="annual", period="2024/25")
    build_version(report, members["analyst"])
    assert services.rebuild_stale(partnership=rotherham) == []  # up to date
    services.report_narrative_set(report=report, by=members["analyst"], texts={"summary": "New"})
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.rebuild_stale(partnership=rotherham)
    assert [v.report_id for v in queued] == [report.pk]
    latest = selectors.latest_built(report)
    assert latest.number == 2 and latest.built_by is None
    assert latest.built_by_label == "scheduled job" and "New" in latest.narrative["summary"]
    assert not never_built.versions.exists()
    runs = JobRun.objects.filter(partnership=rotherham, job=services.JOB)
    assert runs.count() == 2 and all(r.ok for r in runs)
    client.force_login(members["admin"])
    html = client.get("/p/rotherham/governance/jobs/").content.decode()
    assert "Report rebuilds" in html and "1 report(s) out of date" in html


@pytest.mark.django_db
def test_the_disclosure_rule_is_the_partnerships_set_by_admins_audited_and_used(
    client, world, rotherham, members
):
    analyst, admin = members["analyst"], members["admin"]
    assert selectors.policy_for(rotherham).as_dict() == {"threshold": 7, "base": 5}
    with pytest.raises(PermissionDenied):
        services.disclosure_policy_set(partnership=rotherham, by=analyst, threshold=10, base=5)
    with pytest.raises(ValidationError):
        services.disclosure_policy_set(partnership=rotherham, by=admin, threshold=3, base=5)
    with pytest.raises(ValidationError):
        services.disclosure_policy_set(partnership=rotherham, by=admin, threshold=10, base=3)
    client.force_login(admin)
    response = client.post("/p/rotherham/reports/disclosure/", {"threshold": "2", "base": "5"})
    assert response.status_code == 400
    response = client.post("/p/rotherham/reports/disclosure/", {"threshold": "10", "base": "10"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(verb="set disclosure rule").get()
    assert event.before == {"threshold": 7, "base": 5}
    assert event.after == {"threshold": 10, "base": 10}
    client.force_login(analyst)
    html = client.get("/p/rotherham/reports/disclosure/").content.decode()
    assert "counts of 1 to 10" in html and "<form" not in html.split('id="rule"')[1]
    assert client.post("/p/rotherham/reports/disclosure/", {"threshold": "7"}).status_code == 403
    # Builds from now on use it and record it; a sensitive 9 passed the default rule
    # (rounded to 10), under this rule it is hidden.
    report = _report(rotherham, members, kind="annual", period="2024/25")
    version = build_version(report, analyst)
    assert version.policy == {"threshold": 10, "base": 10}
    table = {
        "key": "t",
        "caption": "Referrals",
        "columns": ["Theme", "Referrals"],
        "rows": [
            {"label": "Hate crime", "cells": [{"value": 9, "unit": "count", "sensitive": True}]}
        ],
    }
    sections = [{"key": "s", "title": "S", "data": {"tables": [table]}}]
    default = selectors.disclose(sections)[0][0]["data"]["tables"][0]["rows"][0]["cells"][0]
    ours = selectors.disclose(sections, selectors.policy_for(rotherham))[0]
    assert default["value"] == 10
    assert ours[0]["data"]["tables"][0]["rows"][0]["cells"][0]["value"] == "*"
    annex = render.annex(report, version.public_sections, "xlsx", version)
    assert annex[:2] == b"PK"


@pytest.mark.django_db
def test_the_atom_feed_lists_publications(client, world, rotherham, members):
    report = _report(rotherham, members)
    assert client.get("/p/rotherham/reports/published/feed.xml").status_code == 302
    build_version(report, members["analyst"])
    services.report_publish(report=report, by=members["admin"])
    response = client.get("/p/rotherham/reports/published/feed.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/atom+xml"
    )
    body = response.content.decode()
    assert report.title in body and "version 1" in body and "#version-1" in body


@pytest.mark.slow
@pytest.mark.django_db
def test_build_report_from_the_command_line(world, rotherham, members, tmp_path):
    out = tmp_path / "out"
    call_command(
        "build_report",
        "quarterly",
        "--partnership",
        "rotherham",
        "--year",
        "2024/25",
        "--quarter",
        "2024/25-Q1",
        "--public",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == ["annex.csv", "annex.ods", "annex.xlsx", "report.html", "report.pdf"]
    assert (out / "report.pdf").read_bytes()[:4] == b"%PDF"
    assert Report.objects.count() == 0  # nothing stored
    with pytest.raises(CommandError, match="needs --quarter"):
        call_command(
            "build_report",
            "quarterly",
            "--partnership",
            "rotherham",
            "--year",
            "2024/25",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="No partnership"):
        call_command(
            "build_report",
            "annual",
            "--partnership",
            "nowhere",
            "--year",
            "2024/25",
            "--out",
            str(out),
        )
