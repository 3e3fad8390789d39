"""Demo case reviews and calls for action for Rotherham: the 2024/25 year, invented and
labelled as such (applicants are "Demo applicant N", places are invented), some meeting the
threshold, one overridden with a reason, one appeal, each review held at a meeting of the
demo "ASB case review panel" (a governance body) with the case as a confidential item; one
case of the current year whose review meeting is planned; three councillor calls for action,
one referred to the Crime and Disorder Committee. Roles only, no real people. The 2024/25
figures are published. Safe to run again: a partnership with applications is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from saferstat.core.models import Partnership, User
from saferstat.governance import services as governance
from saferstat.governance.clock import LONDON
from saferstat.governance.models import Body, BodyKind

from . import services
from .models import Application

D = dt.date
# received, complaint dates (made = behaviour), decision (None: as the test says), review?
CASES = [
    (D(2024, 4, 15), [D(2023, 12, 1), D(2024, 2, 10), D(2024, 4, 2)], None, True),
    (D(2024, 5, 20), [D(2024, 5, 1)], None, False),
    (D(2024, 6, 24), [D(2024, 1, 5), D(2024, 3, 14), D(2024, 6, 10)], None, True),
    (D(2024, 8, 5), [D(2023, 11, 1), D(2024, 7, 20)], None, False),
    (D(2024, 9, 16), [D(2024, 4, 1), D(2024, 6, 3), D(2024, 9, 2)], None, True),
    (D(2024, 10, 21), [D(2024, 10, 1)], "override", True),
    (D(2024, 12, 2), [D(2024, 7, 1), D(2024, 9, 9), D(2024, 11, 25)], None, True),
    (D(2025, 1, 13), [D(2024, 12, 30)], None, False),
    (D(2025, 2, 17), [D(2024, 10, 7), D(2024, 12, 16), D(2025, 2, 3)], None, True),
    (D(2025, 3, 24), [D(2025, 3, 3), D(2025, 3, 10)], None, False),
]
BODIES = ["Police", "Council ASB team", "Housing provider"]
#: The ward of each case (Rotherham's 2024 wards; case 8 has none recorded), for the
#: analysts' ward map.
WARDS = [
    "E05013010",  # Rotherham East
    "E05013011",  # Rotherham West
    "E05013010",
    "E05012996",  # Boston Castle
    "E05013006",  # Maltby East
    "E05013000",  # Dinnington
    "E05013010",
    "",
    "E05013016",  # Wath
    "E05013011",
]
PANEL = "ASB case review panel"
CALLS = [
    ("Boston Castle", "Off-road motorbikes in the park", D(2024, 6, 3), True),
    ("Rotherham West", "Drug dealing near the shops", D(2024, 9, 9), False),
    ("Dinnington", "Repeated fly-tipping and fires", D(2025, 1, 20), False),
]


def _panel(partnership: Partnership, admin: User) -> Body:
    """The demo body that holds case review meetings (private, not the scrutiny committee)."""
    panel = Body.objects.filter(partnership=partnership, name=PANEL).first()
    if panel is None:
        panel = governance.body_create(
            partnership=partnership,
            by=admin,
            name=PANEL,
            kind=BodyKind.PRIORITY_GROUP,
            terms_of_reference="<p>Holds ASB case reviews (the Community Trigger) for the "
            "relevant bodies. Invented demo body.</p>",
        )
    services.settings_update(partnership=partnership, by=admin, review_body=panel)
    return panel


def _open_case(partnership: Partnership, admin: User) -> Application:
    """A case of the current year: threshold met, its review meeting planned next week."""
    today = timezone.localdate()
    received = today - dt.timedelta(days=15)
    a = services.application_create(
        partnership=partnership,
        by=admin,
        received_on=received,
        applicant_type="victim",
        applicant_name="Demo applicant 11 (invented)",
        applicant_contact="demo@example.invalid",
        location="Invented Street 11",
        behaviour="Invented demo case: repeated harassment on the stairwell.",
        ward_code="E05013016",
    )
    for i, days in enumerate((70, 40, 12)):
        day = received - dt.timedelta(days=days)
        services.complaint_add(
            application=a, by=admin, made_on=day, behaviour_on=day, body=BODIES[i]
        )
    services.application_acknowledge(application=a, by=admin, on=received + dt.timedelta(days=2))
    services.threshold_decide(
        application=a, by=admin, decided_on=received + dt.timedelta(days=5), met=True
    )
    a.refresh_from_db()
    services.review_meeting_schedule(
        application=a,
        by=admin,
        starts_at=dt.datetime.combine(today + dt.timedelta(days=7), dt.time(14), tzinfo=LONDON),
        location="Riverside House, meeting room 2 (invented)",
    )
    return a


@transaction.atomic
def demo_casereviews(partnership: Partnership, admin: User, analyst: User | None) -> bool:
    if Application.objects.filter(partnership=partnership).exists():
        return False
    if analyst is not None:
        services.reviewer_name(partnership=partnership, by=admin, user=analyst)
    _panel(partnership, admin)
    for n, (received, complaints, decision, review) in enumerate(CASES, start=1):
        a = services.application_create(
            partnership=partnership,
            by=admin,
            received_on=received,
            applicant_type="victim" if n % 3 else "representative",
            applicant_name=f"Demo applicant {n} (invented)",
            applicant_contact="demo@example.invalid",
            location=f"Invented Street {n}",
            behaviour="Invented demo case: noise, intimidation and damage to property.",
            ward_code=WARDS[n - 1],
        )
        for i, day in enumerate(complaints):
            services.complaint_add(
                application=a,
                by=admin,
                made_on=day,
                behaviour_on=day - dt.timedelta(days=3),
                body=BODIES[i % 3],
                hate=(n == 6),
            )
        services.application_acknowledge(
            application=a, by=admin, on=received + dt.timedelta(days=5)
        )
        result = services.threshold_result(a)
        met = True if decision == "override" else result.met
        services.threshold_decide(
            application=a,
            by=admin,
            decided_on=received + dt.timedelta(days=12 if n != 4 else 30),
            met=met,
            reason="Hate-motivated behaviour against a vulnerable victim: reviewed under the "
            "local procedure."
            if decision == "override"
            else "",
        )
        if met and review:
            a.refresh_from_db()
            held_on = a.decided_on + dt.timedelta(days=20)
            services.review_meeting_schedule(
                application=a,
                by=admin,
                starts_at=dt.datetime.combine(held_on, dt.time(10), tzinfo=LONDON),
                location="Riverside House, meeting room 2 (invented)",
            )
            a.refresh_from_db()
            services.review_record(
                application=a,
                by=admin,
                review_on=held_on,
                agencies="Police, council ASB team, housing provider, victim services",
                outcome="Joint action plan agreed (invented).",
            )
            if n != 7:
                services.recommendation_add(
                    application=a,
                    by=admin,
                    text="Target-harden the applicant's home and agree a joint patrol plan.",
                    due_date=a.review_on + dt.timedelta(days=42),
                    owner_role="ASB Team Manager",
                )
        a.refresh_from_db()
        services.applicant_informed(application=a, by=admin, on=a.review_on or a.decided_on)
        if n == 2:
            appeal = services.appeal_lodge(
                application=a,
                by=admin,
                lodged_on=a.decided_on + dt.timedelta(days=10),
                grounds="The applicant says earlier complaints were not counted (invented).",
            )
            services.appeal_decide(
                appeal=appeal,
                by=admin,
                decided_on=appeal.lodged_on + dt.timedelta(days=14),
                result="not_upheld",
                outcome="The complaints were outside the six-month window.",
            )
    committee = Body.objects.filter(partnership=partnership, kind=BodyKind.SCRUTINY).first()
    for ward, topic, raised, refer in CALLS:
        call = services.call_create(
            partnership=partnership,
            by=admin,
            ward=ward,
            councillor="Ward councillor",
            topic=topic,
            matter=f"Residents raised {topic.lower()} with the ward councillor (invented).",
            raised_on=raised,
        )
        services.call_respond(
            call=call,
            by=admin,
            response="Asked the neighbourhood policing team and the council for a joint plan.",
            responded_on=raised + dt.timedelta(days=14),
        )
        if refer and committee is not None:
            meeting = committee.meetings.order_by("starts_at").first()
            services.call_refer(call=call, by=admin, committee=committee, meeting=meeting)
    _open_case(partnership, admin)
    services.year_publish(partnership=partnership, by=admin, year="2024/25")
    return True
