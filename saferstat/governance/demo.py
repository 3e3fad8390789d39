"""Demo governance records for Rotherham: a year (2024/25) of Board meetings with eleven
partner seats and attendance patterned on the 2018/19 table of the annual report (seed 004),
an annual Crime and Disorder Committee meeting with resolutions, recommendations,
responses and a work programme (patterned on seeds 000-002, reworded, with roles), the
committee's next meeting with its agenda published, a paper (a PDF made with WeasyPrint) on
a Board item, priority groups, and the statutory calendar. Names are roles, never people. Safe to run again: a
partnership that already has a Board is left as it is."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from saferstat.core.models import Organisation, Partnership, User
from saferstat.core.pdf import html_to_pdf

from . import services
from .clock import LONDON
from .models import Body

BOARD = "Safer Rotherham Partnership Board"
COMMITTEE = "Overview and Scrutiny Management Board (Crime and Disorder Committee)"

# Seat label, organisation name ("{place}" = Rotherham) or None, holder role.
SEATS = [
    ("Chair", "{place} Council", "Cabinet Member for Community Safety"),
    ("Council", "{place} Council", "Assistant Director, Community Safety"),
    ("Police", "South Yorkshire Police", "District Commander"),
    ("Fire", "South Yorkshire Fire and Rescue", "District Manager"),
    ("Probation", "Probation Service", "Head of Service"),
    ("Health (ICB)", "NHS South Yorkshire ICB", "Place Director"),
    ("Fire Authority", None, "Authority member"),
    (
        "Police and Crime Commissioner",
        "South Yorkshire Mayoral Combined Authority (PCC functions)",
        "Partnerships Manager",
    ),
    ("Voluntary sector", "Voluntary Action {place}", "Chief Executive"),
    ("Victim services", None, "Service Manager"),
    ("Housing", None, "Head of Housing Management"),
]
# The six Board meetings of 2024/25 and attendance codes in seat order (the pattern of
# seed 004's 2018/19 table).
MEETINGS = [
    (dt.date(2024, 4, 8), "YYYYAYYYYAA"),
    (dt.date(2024, 6, 10), "YYYYYYYYYNY"),
    (dt.date(2024, 8, 5), "YYYYYAYYYAY"),
    (dt.date(2024, 10, 7), "YYYYYYAYAYY"),
    (dt.date(2024, 12, 2), "AYYYAYYYAYA"),
    (dt.date(2025, 2, 10), "YYYYYYYYAYA"),
]
PRIORITY_GROUPS = [
    "Protecting vulnerable children",
    "Protecting vulnerable adults",
    "Building confident and cohesive communities",
    "Domestic abuse",
    "Serious and organised crime",
]


def _org(partnership: Partnership, name: str | None) -> Organisation | None:
    if name is None:
        return None
    place = partnership.areas.first().name
    return Organisation.objects.filter(
        partnership=partnership, name=name.format(place=place)
    ).first()


#: The demo paper: invented figures for the June 2024 Board's performance item.
PAPER_TITLE = "Quarterly performance report, Q4 2023/24"
PAPER_ROWS = [
    ("All crime", "6,412", "6,655", "-3.7%"),
    ("Violence against the person", "2,301", "2,254", "+2.1%"),
    ("Residential burglary", "298", "341", "-12.6%"),
    ("Anti-social behaviour incidents", "2,874", "3,102", "-7.4%"),
]


def demo_paper_pdf(place: str) -> bytes:
    """A small tagged PDF for the demo's paper, made with WeasyPrint (`core.pdf`). Invented
    figures; it says so."""
    rows = "".join(
        f"<tr><th scope='row'>{escape(a)}</th><td>{b}</td><td>{c}</td><td>{d}</td></tr>"
        for a, b, c, d in PAPER_ROWS
    )
    html = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>{escape(PAPER_TITLE)}</title>
<style>body{{font-family:sans-serif;font-size:11pt}} table{{border-collapse:collapse}}
th,td{{border:1px solid #777;padding:4px 8px;text-align:left}}</style></head><body>
<h1>{escape(PAPER_TITLE)}</h1>
<p>Safer {escape(place)} Partnership Board, 10 June 2024, item 2. Demonstration paper:
the figures are invented.</p>
<table><caption>Recorded incidents, January to March 2024 against the same quarter of
2023</caption><thead><tr><th scope="col">Measure</th><th scope="col">Q4 2023/24</th>
<th scope="col">Q4 2022/23</th><th scope="col">Change</th></tr></thead>
<tbody>{rows}</tbody></table>
<p>Recommendation: that the Board notes the report.</p></body></html>"""
    return html_to_pdf(html)


@transaction.atomic
def demo_governance(partnership: Partnership, admin: User, board_member: User | None) -> bool:
    """Create the demo records; False when the partnership already has its Board."""
    if Body.objects.filter(partnership=partnership, name=BOARD).exists():
        return False
    board = services.body_create(
        partnership=partnership,
        by=admin,
        name=BOARD,
        kind="board",
        terms_of_reference="<p>The statutory Community Safety Partnership for the borough "
        "(Crime and Disorder Act 1998 s.5-6): agrees the strategic assessment and the "
        "partnership plan, oversees delivery by the priority groups and holds partners to "
        "account.</p>",
    )
    seats = []
    for label, org, holder in SEATS:
        seats.append(
            services.seat_add(
                body=board,
                by=admin,
                label=label,
                organisation=_org(partnership, org),
                holder=holder,
                is_chair=label == "Chair",
            )
        )
    meetings = []
    for day, codes in MEETINGS:
        meeting = services.meeting_create(
            body=board,
            by=admin,
            starts_at=dt.datetime.combine(day, dt.time(14, 0), tzinfo=LONDON),
            location="Town Hall, committee room 1",
        )
        services.meeting_set_status(meeting=meeting, by=admin, status="held")
        services.attendance_record(
            meeting=meeting,
            by=admin,
            records={seat.pk: (code, "") for seat, code in zip(seats, codes, strict=True)},
        )
        for title in ("Minutes and action log", "Quarterly performance report"):
            services.agenda_item_add(meeting=meeting, by=admin, title=title)
        meetings.append(meeting)
    services.agenda_item_add(
        meeting=meetings[3],
        by=admin,
        title="Domestic homicide review: progress (exempt information)",
        confidential=True,
    )
    services.agenda_item_add(
        meeting=meetings[1],
        by=admin,
        title="Crime overview 2024/25 so far",
        link=f"/p/{partnership.slug}/overview/",
    )
    performance_item = meetings[1].items.get(title="Quarterly performance report")
    services.paper_add(
        item=performance_item,
        by=admin,
        upload=SimpleUploadedFile(
            "quarterly-performance-q4-2023-24.pdf",
            demo_paper_pdf(partnership.areas.first().name),
            content_type="application/pdf",
        ),
        title=PAPER_TITLE,
    )
    for meeting in meetings[:-1]:
        services.meeting_set_status(meeting=meeting, by=admin, status="approved")
    noted = services.resolution_add(
        meeting=meetings[1],
        by=admin,
        kind="noted",
        text="The quarterly performance report was noted.",
    )
    agreed = services.resolution_add(
        meeting=meetings[1],
        by=admin,
        kind="agreed",
        text="Partners to improve the quality and local focus of the data shared at community "
        "action partnership meetings.",
    )
    services.action_create(
        partnership=partnership,
        by=admin,
        meeting=meetings[1],
        resolution=agreed,
        title="Propose a local data pack for community action partnership meetings.",
        owner=board_member,
        owner_role="" if board_member else "District Manager",
        owner_organisation=_org(partnership, "South Yorkshire Fire and Rescue"),
        priority="Building confident and cohesive communities",
        due_date=dt.date(2024, 9, 30),
    )
    services.action_create(
        partnership=partnership,
        by=admin,
        meeting=meetings[1],
        resolution=noted,
        title="Report the reasons for the rise in repeat missing children to the next Board.",
        owner_role="Priority lead, protecting vulnerable children",
        owner_organisation=_org(partnership, "South Yorkshire Police"),
        priority="Protecting vulnerable children",
        due_date=dt.date(2024, 8, 5),
    )
    done = services.action_create(
        partnership=partnership,
        by=admin,
        meeting=meetings[2],
        title="Circulate the hate crime strategy consultation to all partners.",
        owner_role="Community safety officer",
        owner_organisation=_org(partnership, "{place} Council"),
        due_date=dt.date(2024, 9, 1),
    )
    services.action_update(action=done, by=admin, text="Circulated.", status="done")

    committee = services.body_create(
        partnership=partnership,
        by=admin,
        name=COMMITTEE,
        kind="scrutiny",
        meets_in_public=True,
        terms_of_reference="<p>The council's crime and disorder committee (Police and Justice "
        "Act 2006 s.19; SI 2009/942): scrutinises the responsible authorities at least once "
        "in every twelve months and makes reports and recommendations to them.</p>",
    )
    for label in ("Chair", "Vice-chair", "Member 1", "Member 2", "Member 3"):
        services.seat_add(
            body=committee, by=admin, label=label, holder="Councillor", is_chair=label == "Chair"
        )
    hearing = services.meeting_create(
        body=committee,
        by=admin,
        starts_at=dt.datetime(2024, 11, 6, 10, 0, tzinfo=LONDON),
        location="Town Hall, council chamber",
    )
    services.meeting_set_status(meeting=hearing, by=admin, status="held")
    item = services.agenda_item_add(
        meeting=hearing, by=admin, title="Safer Rotherham Partnership annual report 2023/24"
    )
    services.agenda_item_notes(
        item=item,
        by=admin,
        notes="<p>Members asked about restorative justice for hate crime, community cohesion "
        "after disorder, safeguards against modern slavery in the supply chain, and mental "
        "health support within the joint council and police team.</p>",
    )
    services.resolution_add(
        meeting=hearing, by=admin, kind="noted", item=item, text="The annual report was noted."
    )
    briefing = services.resolution_add(
        meeting=hearing,
        by=admin,
        kind="recommendation",
        item=item,
        text="That members receive a briefing on the data behind the partnership's priority areas.",
    )
    services.resolution_add(
        meeting=hearing,
        by=admin,
        kind="work_programme",
        item=item,
        text="That domestic abuse and modern slavery be added to the work programme.",
    )
    services.action_create(
        partnership=partnership,
        by=admin,
        meeting=hearing,
        title="Provide members with further detail on how the mental health clinical lead's "
        "interventions were reviewed and improved.",
        owner_role="Assistant Director, Community Safety",
        owner_organisation=_org(partnership, "{place} Council"),
        due_date=dt.date(2024, 12, 6),
    )
    council = _org(partnership, "{place} Council")
    police = _org(partnership, "South Yorkshire Police")
    answered = services.recommendation_create(
        meeting=hearing, by=admin, text=briefing.text, to_organisation=council, resolution=briefing
    )
    services.recommendation_respond(
        recommendation=answered,
        by=admin,
        response="accepted",
        text="A members' data briefing will be held before the next annual report.",
        responded_on=dt.date(2024, 11, 29),
    )
    services.recommendation_create(
        meeting=hearing,
        by=admin,
        text="That police representation at local community action partnership meetings be "
        "at a senior level.",
        to_organisation=police,
    )
    for topic in ("Domestic abuse", "Modern slavery"):
        services.work_programme_add(
            body=committee, by=admin, topic=topic, source="Resolution 3, 6 November 2024"
        )
    services.meeting_set_status(meeting=hearing, by=admin, status="approved")
    # The committee's next meeting, five weeks from today, its agenda already published.
    coming = services.meeting_create(
        body=committee,
        by=admin,
        starts_at=dt.datetime.combine(
            timezone.localdate() + dt.timedelta(weeks=5), dt.time(10, 0), tzinfo=LONDON
        ),
        location="Town Hall, council chamber",
    )
    for title in ("Partnership annual report", "Domestic abuse (work programme topic)"):
        services.agenda_item_add(meeting=coming, by=admin, title=title)
    services.meeting_publish_agenda(meeting=coming, by=admin)
    for name in PRIORITY_GROUPS:
        services.body_create(partnership=partnership, by=admin, name=name, kind="priority_group")

    duties = {d.key: d for d in services.duties_ensure(partnership=partnership, by=admin)}
    for key, last in (
        ("strategic-assessment", dt.date(2024, 10, 7)),
        ("plan-refresh", dt.date(2024, 4, 8)),
        ("public-meeting", dt.date(2024, 6, 10)),
        ("da-part4", dt.date(2024, 5, 31)),
    ):
        duty = duties[key]
        services.duty_update(
            duty=duty,
            by=admin,
            last_met=last,
            cycle_months=duty.cycle_months,
            owner="Community safety manager",
        )
    demo_dhr(partnership, admin)
    return True


def demo_dhr(partnership: Partnership, admin: User) -> None:
    """One invented domestic homicide review in progress, by its reference only: notified
    60 days ago, the decision to hold it 40 days ago (its report due in the months ahead)."""
    today = timezone.localdate()
    notified = today - dt.timedelta(days=60)
    services.dhr_create(
        partnership=partnership,
        by=admin,
        reference=f"DHR {notified.year}-01",
        notified_on=notified,
        status="in_progress",
        decision="review",
        decision_on=today - dt.timedelta(days=40),
        decision_reason="The criteria for a review are met (invented demo record).",
        chair_role="Independent chair",
    )
