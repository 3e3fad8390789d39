"""The sections that came last: communications, Project highlights (outputs against plan and
what the money bought), training and engagement (delivery selectors), the strategic
assessment (its signed document) and the contacts directory (organisations, leads as
roles). Their figures are the selectors' own, and the public version controls the
sensitive ones as every other section does."""

from __future__ import annotations

import pytest

from saferstat.analytics.disclosure import SUPPRESSED
from saferstat.delivery import selectors as delivery
from saferstat.plan.models import Priority
from saferstat.reports import render, selectors, services
from saferstat.reports.models import ReportKind
from saferstat.reports.sections import sections_for
from tests.assessment.world import build as build_assessment
from tests.delivery.factories import delivery_world
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
        value=5,
    )
    # The project serves a sensitive theme: its small counts must never be published as
    # they are.
    Priority.objects.filter(pk=plan["first"].pk).update(name="Tackling domestic abuse")
    return delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )


def _by_key(sections):
    return {s["key"]: s for s in sections}


def _table(section, key):
    return next(t for t in section["data"]["tables"] if t["key"] == key)


def test_no_section_of_the_annual_report_or_the_pack_is_left_unavailable():
    for kind in (ReportKind.ANNUAL, ReportKind.SCRUTINY):
        missing = [s.key for s in sections_for(kind) if not s.available]
        assert missing == [], kind
    annual = [s.key for s in sections_for(ReportKind.ANNUAL)]
    # Seed 004's order: communications and projects after the priorities, training before
    # the Board's attendance, contacts last.
    assert annual.index("priorities") < annual.index("communications") < annual.index("projects")
    assert annual.index("training") == annual.index("attendance") - 1
    assert annual[-1] == "contacts"


@pytest.mark.django_db
def test_delivery_sections_show_the_selectors_figures_and_hide_small_sensitive_counts(
    client, world, rotherham, members
):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    version = build_version(report, members["analyst"])
    internal = _by_key(version.sections)
    public = _by_key(version.public_sections)

    # Communications: the bulletin as a panel, its reach and the total as the selectors give.
    comms = internal["communications"]["data"]
    assert [p["title"] for p in comms["panels"]] == ["New campaign tackles hate"]
    table = _table(internal["communications"], "communications")
    assert table["rows"][0]["cells"][0]["value"] == world["bulletin"].reach == 40
    assert table["total"] == delivery.reach_total(delivery.communications(partnership=rotherham))

    # Project highlights: outputs and outcomes against plan, from project_rows.
    row = delivery.project_rows(partnership=rotherham, projects=[world["project"]])[0]
    project = _table(internal["projects"], f"project-{world['project'].pk}")
    shown = {r["label"]: [c["value"] for c in r["cells"]] for r in project["rows"]}
    assert shown["Output: Perpetrators referred (perpetrators)"] == [
        row.outputs[0].actual,
        80,
        "Below plan",
    ]
    assert shown["Outcome: Positive completions (completions)"] == [3, 10, "Below plan"]
    assert row.outcomes[0].actual == 3
    assert project["project"]["organisation"] == "Family Support Charity"
    # What the money bought: the stream's figures from achieved().
    bought = delivery.achieved(partnership=rotherham, stream=world["stream"])
    funding = _table(internal["projects"], "funding")
    assert [c["value"] for c in funding["rows"][0]["cells"]] == [
        11_800_000,
        bought.awarded,
        bought.spent,
        bought.unallocated,
        1,
        bought.gaps,
    ]
    assert bought.awarded == 2_000_000 and bought.spent == 500_000

    # Training and engagement.
    training = _table(internal["training"], "activities-training")
    assert training["rows"][0]["label"] == "Co-abuse training for practitioners"
    assert training["rows"][0]["cells"][0]["value"] == 25

    # The public version: the 3 completions of a domestic abuse project are hidden, the 40
    # referrals shown (a multiple of 5), and the check lists the suppression.
    public_project = _table(public["projects"], f"project-{world['project'].pk}")
    cells = {r["label"]: r["cells"][0] for r in public_project["rows"]}
    assert cells["Outcome: Positive completions (completions)"]["value"] == SUPPRESSED
    assert cells["Outcome: Positive completions (completions)"]["suppressed"] is True
    assert cells["Output: Perpetrators referred (perpetrators)"]["value"] == 40
    assert any("Positive completions" in s["where"] for s in version.suppressions)

    client.force_login(members["board"])
    html = client.get(f"/p/rotherham/reports/{report.pk}/?as=public").content.decode()
    assert 'class="govuk-summary-card saferstat-bulletin"' in html
    assert "£20,000" in html and "£118,000" in html
    assert "Not yet available" not in html
    assert f'href="/p/rotherham/delivery/projects/{world["project"].pk}/' in html
    printed = render.print_html(report, version.public_sections, public=True, version=version)
    assert "New campaign tackles hate" in printed and "£20,000" in printed


@pytest.mark.django_db
def test_the_pack_links_the_signed_strategic_assessment(rotherham, members):
    ids = build_assessment(rotherham, members["admin"], members["analyst"])
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="scrutiny-pack", period="2024/25"
    )
    data = _by_key(selectors.build_sections(report))["assessment"]["data"]
    assert data["assessment"]["year"] == "2025/26"
    assert (
        data["assessment"]["document"] == f"/p/rotherham/assessment/{ids['assessment']}/document/"
    )
    assert data["links"][1]["source"].endswith("/document.pdf")
    assert "has not chosen its priorities yet" in " ".join(data["paragraphs"])

    # A year with no signed assessment says so, and shows no link.
    older = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="scrutiny-pack", period="2022/23"
    )
    data = _by_key(selectors.build_sections(older))["assessment"]["data"]
    assert "links" not in data
    assert data["paragraphs"] == [
        "No strategic assessment for 2022/23 or the year after has been signed off."
    ]


@pytest.mark.django_db
def test_the_contacts_directory_lists_organisations_and_leads_as_roles(world, rotherham, members):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    data = _by_key(selectors.build_sections(report))["contacts"]["data"]
    organisations = {r["label"] for r in data["tables"][0]["rows"]}
    assert "Family Support Charity" in organisations
    leads = {r["label"]: r["cells"][0]["value"] for r in data["tables"][1]["rows"]}
    assert leads["Tackling domestic abuse"] in ("Superintendent", "Head of Community Safety")
    text = repr(data)
    for user in members.values():  # roles, never the people in post
        assert user.display_name not in text and user.username not in text
