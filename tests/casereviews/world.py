"""A partnership's case review records, built through the services (for the access
matrix, the isolation test, the two-factor test and the case review tests). Invented text
and roles only."""

from __future__ import annotations

import datetime as dt

from saferstat.casereviews import services

D = dt.date


def build(partnership, admin, *, mark: str = "", published: bool = True) -> dict:
    """One application that met the threshold, was reviewed with a recommendation (a
    governance action) and appealed; one that did not; a call for action. `published`
    publishes 2024/25's figures."""
    met = services.application_create(
        partnership=partnership,
        by=admin,
        received_on=D(2024, 9, 2),
        applicant_type="victim",
        applicant_name=f"{mark}Applicant A",
        applicant_contact=f"{mark}01234 000000",
        location=f"{mark}Invented Street",
        behaviour=f"{mark}Noise and intimidation late at night",
        ward_code="E05000001",
    )
    for made, behaviour in [
        (D(2024, 3, 10), D(2024, 3, 1)),
        (D(2024, 6, 1), None),
        (D(2024, 8, 20), None),
    ]:
        services.complaint_add(
            application=met, by=admin, made_on=made, behaviour_on=behaviour or made, body="Police"
        )
    services.application_acknowledge(application=met, by=admin, on=D(2024, 9, 5))
    services.threshold_decide(application=met, by=admin, decided_on=D(2024, 9, 12), met=True)
    services.review_record(
        application=met,
        by=admin,
        review_on=D(2024, 10, 1),
        agencies="Police, council ASB team, housing provider",
        outcome=f"{mark}Joint plan agreed",
    )
    services.recommendation_add(
        application=met,
        by=admin,
        text=f"{mark}Install lighting at the rear of the block",
        due_date=D(2024, 12, 1),
        owner_role="ASB Team Manager",
    )
    services.applicant_informed(application=met, by=admin, on=D(2024, 10, 4))
    services.appeal_lodge(
        application=met, by=admin, lodged_on=D(2024, 10, 20), grounds=f"{mark}Not enough done"
    )
    not_met = services.application_create(
        partnership=partnership,
        by=admin,
        received_on=D(2024, 11, 4),
        applicant_type="victim",
        applicant_name=f"{mark}Applicant B",
    )
    services.complaint_add(
        application=not_met,
        by=admin,
        made_on=D(2024, 10, 1),
        behaviour_on=D(2024, 9, 28),
        body="Council",
    )
    services.threshold_decide(application=not_met, by=admin, decided_on=D(2024, 11, 15), met=False)
    call = services.call_create(
        partnership=partnership,
        by=admin,
        ward=f"{mark}Central",
        councillor="Ward councillor",
        topic=f"{mark}Off-road bikes on the park",
        matter=f"{mark}Residents report off-road bikes each evening",
        raised_on=D(2024, 7, 1),
    )
    if published:
        services.year_publish(partnership=partnership, by=admin, year="2024/25")
    return {"application": met.pk, "open_application": not_met.pk, "call": call.pk}
