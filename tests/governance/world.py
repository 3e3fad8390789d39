"""A partnership's governance records, built through the services (for the access matrix,
the isolation test and the governance tests). Names are roles and invented text."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.services import organisation_upsert
from saferstat.governance import services
from saferstat.governance.clock import LONDON

#: The smallest file that is a PDF by its content (a header and an end marker).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build(partnership, admin, *, owner=None, mark: str = "", public: bool = True) -> dict:
    """A Board (private) and a scrutiny committee (meets in public), a held Board meeting
    with a confidential item, an approved scrutiny meeting with a recommendation, an action,
    the statutory calendar, a work programme topic ("wp"), a domestic homicide review
    awaiting its decision ("dhr", overdue). The confidential item has a paper
    (a PDF); "item" is the Board meeting's open item; "seat" (the Council's, with attendance)
    and "resolution" (from the held, not approved, Board meeting). `mark` is put in every piece of text; `public=False` keeps the
    committee's meetings private."""
    council = organisation_upsert(
        partnership=partnership,
        name=f"{mark}Borough Council",
        kind="council",
        is_responsible_authority=True,
    )
    board = services.body_create(
        partnership=partnership, by=admin, name=f"{mark}Partnership Board", kind="board"
    )
    scrutiny = services.body_create(
        partnership=partnership,
        by=admin,
        name=f"{mark}Crime and Disorder Committee",
        kind="scrutiny",
        meets_in_public=public,
    )
    seat = services.seat_add(body=board, by=admin, label=f"{mark}Council", organisation=council)
    services.seat_add(body=board, by=admin, label=f"{mark}Chair", is_chair=True)
    meeting = services.meeting_create(
        body=board, by=admin, starts_at=dt.datetime(2024, 6, 10, 14, 0, tzinfo=LONDON)
    )
    services.meeting_set_status(meeting=meeting, by=admin, status="held")
    item = services.agenda_item_add(meeting=meeting, by=admin, title=f"{mark}Performance report")
    secret = services.agenda_item_add(
        meeting=meeting, by=admin, title=f"{mark}Exempt: case review", confidential=True
    )
    paper = services.paper_add(
        item=secret,
        by=admin,
        upload=SimpleUploadedFile(f"{mark}case-review.pdf", PDF, content_type="application/pdf"),
        title=f"{mark}Exempt case review paper",
    )
    services.attendance_record(meeting=meeting, by=admin, records={seat.pk: ("Y", "")})
    resolution = services.resolution_add(
        meeting=meeting, by=admin, kind="agreed", text=f"{mark}Exempt resolution", item=secret
    )
    action = services.action_create(
        partnership=partnership,
        by=admin,
        title=f"{mark}Provide a briefing on the priority data",
        due_date=dt.date(2024, 7, 31),
        owner=owner,
        owner_role="" if owner else "Head of Service",
        meeting=meeting,
        resolution=resolution,
    )
    hearing = services.meeting_create(
        body=scrutiny, by=admin, starts_at=dt.datetime(2024, 11, 6, 10, 0, tzinfo=LONDON)
    )
    services.meeting_set_status(meeting=hearing, by=admin, status="held")
    services.meeting_set_status(meeting=hearing, by=admin, status="approved")
    services.agenda_item_add(meeting=hearing, by=admin, title=f"{mark}Annual report")
    rec = services.recommendation_create(
        meeting=hearing,
        by=admin,
        text=f"{mark}Report hate crime outcomes each quarter",
        to_organisation=council,
    )
    topic = services.work_programme_add(
        body=scrutiny, by=admin, topic=f"{mark}Domestic abuse", source="Resolution 3"
    )
    duties = services.duties_ensure(partnership=partnership, by=admin)
    dhr = services.dhr_create(
        partnership=partnership,
        by=admin,
        reference=f"{mark}DHR 2024-01",
        notified_on=dt.date(2024, 3, 4),
    )
    return {
        "board": board.pk,
        "scrutiny": scrutiny.pk,
        "meeting": meeting.pk,
        "hearing": hearing.pk,
        "action": action.pk,
        "rec": rec.pk,
        "duty": duties[0].pk,
        "item": item.pk,
        "paper": paper.pk,
        "seat": seat.pk,
        "resolution": resolution.pk,
        "wp": topic.pk,
        "dhr": dhr.pk,
    }
