"""A partnership's strategic assessment, built through the services (for the access matrix,
the isolation test, the two-factor test and the assessment tests). Roles and invented text
only; ``mark`` is put in every piece of text."""

from __future__ import annotations

import datetime as dt

from saferstat.assessment import services
from saferstat.assessment.models import DocumentSection, FrozenView

HEADER = "age,sex,disability,ethnic_group,area,concern_theme"


def build(partnership, admin, analyst, *, board=None, mark: str = "") -> dict:
    """An assessment for 2025/26 with one issue (a document as evidence) scored by the
    analyst (and the Board member, if given), a consultation with three responses (one with
    free text, tagged with the issue's theme), and a tension report with an action. Returns
    the ids the URL templates need."""
    assessment = services.assessment_create(
        partnership=partnership,
        by=analyst,
        year="2025/26",
        title=f"{mark}Strategic assessment 2025/26",
    )
    issue = services.issue_add(
        assessment=assessment, by=analyst, name=f"{mark}Knife crime", description=f"{mark}Knives"
    )
    evidence = services.evidence_add(
        issue=issue,
        by=analyst,
        kind="document",
        title=f"{mark}Serious violence needs assessment",
        url="https://example.org/needs-assessment",
    )
    values = {
        "harm_individual": 5,
        "harm_community": 4,
        "volume": 3,
        "trend": 4,
        "public_concern": 4,
        "capacity_gap": 3,
    }
    for scorer, shift in ((analyst, 0), (board, -3)):
        if scorer is None:
            continue
        services.sheet_save(
            issue=issue,
            by=scorer,
            values={**values, "harm_individual": values["harm_individual"] + shift},
            reasons={k: f"{mark}Reason for {k}" for k in values},
            evidence={k: [evidence.pk] for k in values},
            submit=True,
        )
    consultation = services.consultation_create(
        assessment=assessment,
        by=analyst,
        title=f"{mark}Community safety survey",
        starts_on=dt.date(2025, 1, 6),
        ends_on=dt.date(2025, 2, 28),
        methods=f"{mark}Online",
    )
    services.responses_import(
        consultation=consultation,
        by=analyst,
        text=f"{HEADER},free_text\n34,Female,Disabled,White,,,{mark}Bikes on the park at night\n"
        "70,Male,Not disabled,White,,,\n,,,,,,\n",
        areas=[],
        themes=[],
    )
    services.consultation_themes_set(
        consultation=consultation, by=analyst, themes=[f"{mark}Knife crime", "Speeding"]
    )
    response = consultation.responses.exclude(free_text="").get()
    services.response_tag(response=response, by=analyst, tags=[f"{mark}Knife crime"])
    report = services.tension_report_create(
        partnership=partnership,
        by=analyst,
        reported_on=dt.date(2025, 6, 2),
        area=f"{mark}Town centre",
        community=f"{mark}Local mosque congregation",
        source=f"{mark}Neighbourhood policing team",
        description=f"{mark}Graffiti after a national incident",
        level="medium",
        reasons=f"{mark}Rumours on social media",
    )
    services.tension_action_add(
        report=report,
        by=analyst,
        text=f"{mark}Reassurance patrols",
        owner_role=f"{mark}Neighbourhood inspector",
        review_on=dt.date(2025, 6, 16),
    )
    # The document, signed off by the admin, with one view frozen as the explorer answered
    # it (set here directly: the world has no warehouse to compute it from).
    services.section_text_set(
        assessment=assessment, by=analyst, key="picture", text=f"{mark}Knife crime rose."
    )
    signed = services.sign_off(assessment=assessment, by=admin)
    section = DocumentSection.objects.get(assessment=assessment, key="picture")
    view = FrozenView.objects.create(
        partnership=partnership,
        section=section,
        title=f"{mark}Possession of weapons, trend",
        query="source=police&view=trend&crime_type=Possession+of+weapons",
        figures={
            "resolved_query": "source=police&view=trend&crime_type=Possession+of+weapons"
            "&from=2024-04&to=2025-03&polarity=decrease",
            "title": f"{mark}Possession of weapons: records per month",
            "verdicts": [],
            "columns": ["month", "count"],
            "rows": [{"month": "2025-03", "count": 41}],
            "notes": [],
            "warnings": [],
            "chart": {
                "svg": f"<svg xmlns='http://www.w3.org/2000/svg'><title>{mark}</title></svg>",
                "description": "Frozen chart",
            },
            "facts": {},
        },
        warehouse_version={"generation": 7, "updated_at": None, "latest_month": "2025-03"},
        frozen_at=signed.signed_off_at,
    )
    return {
        "document_view": view.pk,
        "assessment": assessment.pk,
        "issue": issue.pk,
        "consultation": consultation.pk,
        "response": response.pk,
        "tension": report.pk,
        "evidence": evidence.pk,
    }
