"""`manage.py demo_governance`: Rotherham's year of Board meetings and its annual scrutiny,
with the attendance table and the action log coming out of the records."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command
from django.utils import timezone

from saferstat.core.demo import demo_install
from saferstat.core.models import Partnership
from saferstat.governance import selectors
from saferstat.governance.demo import BOARD, COMMITTEE, MEETINGS, PAPER_TITLE, SEATS
from saferstat.governance.models import (
    Action,
    Body,
    DomesticHomicideReview,
    Paper,
    Recommendation,
    StatutoryDuty,
)


@pytest.mark.django_db
def test_demo_governance_builds_rotherhams_year_and_is_safe_to_run_again(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the demo paper's file stays out of others' way
    demo_install()
    call_command("demo_governance")
    call_command("demo_governance")  # again: nothing doubled
    rotherham = Partnership.objects.get(slug="rotherham")
    board = Body.objects.get(partnership=rotherham, name=BOARD)
    assert board.seats.count() == 11 and board.meetings.count() == 6
    table = selectors.attendance_table(board, 2024)
    assert [codes for _, codes in table.rows] == [list(codes) for _, codes in MEETINGS]
    assert table.seats == [label for label, _, _ in SEATS]
    assert table.rates[0] == 5 / 6  # the chair sent apologies once
    committee = Body.objects.get(partnership=rotherham, name=COMMITTEE)
    hearing = committee.meetings.get(status="approved")
    assert hearing.resolutions.count() == 3 and committee.work_programme.count() == 2
    # The committee's next meeting: its agenda is public before it meets.
    coming = committee.meetings.get(status="planned")
    assert coming.agenda_published_at is not None and coming.is_public
    assert not coming.minutes_public and coming.starts_at > timezone.now()
    # A newcomer finds a real paper (a tagged PDF) on the June Board's performance item.
    paper = Paper.objects.get(item__meeting__body=board)
    assert paper.title == PAPER_TITLE and paper.kind == "pdf"
    assert paper.item.meeting.date == MEETINGS[1][0] and not paper.item.confidential
    data = Path(paper.stored_path).read_bytes()
    assert data.startswith(b"%PDF-") and len(data) == paper.size_bytes
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert PAPER_TITLE in str(pdf.open_metadata().get("dc:title", ""))
    recs = Recommendation.objects.filter(partnership=rotherham)
    assert recs.count() == 2 and recs.filter(responded_on__isnull=False).count() == 1
    assert Action.objects.filter(partnership=rotherham).count() == 4
    assert Action.objects.filter(partnership=rotherham, owner__username="rotherham-board").exists()
    assert StatutoryDuty.objects.filter(partnership=rotherham).count() == 8
    # One invented domestic homicide review in progress, by reference only, on the calendar.
    (review,) = DomesticHomicideReview.objects.filter(partnership=rotherham)
    assert review.reference.startswith("DHR ") and review.status == "in_progress"
    assert review.chair_role == "Independent chair"
    today = timezone.localdate()
    (line,) = [r for r in selectors.duty_rows(rotherham, today, dhr=True) if r.duty.key == "dhr"]
    assert line.dhr.in_progress == 1 and not line.dhr.late
    assert line.due > today and line.state in ("on_track", "due_soon")
    assert not Body.objects.exclude(partnership=rotherham).exists()
