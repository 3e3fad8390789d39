"""`manage.py demo_casereviews`: a year of invented case reviews and calls for action for
Rotherham, the published figures computed from them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from saferstat.analytics.casereview import YearFigures
from saferstat.casereviews import selectors
from saferstat.casereviews.demo import CALLS, CASES
from saferstat.casereviews.models import Appeal, Application, CallForAction
from saferstat.core.demo import demo_install
from saferstat.core.models import Partnership


@pytest.mark.django_db
def test_demo_casereviews_builds_a_year_and_is_safe_to_run_again():
    demo_install()
    call_command("demo_governance")
    call_command("demo_casereviews")
    call_command("demo_casereviews")  # again: nothing doubled
    rotherham = Partnership.objects.get(slug="rotherham")
    # The year's cases and one of the current year whose review meeting is planned.
    assert Application.objects.filter(partnership=rotherham).count() == len(CASES) + 1
    assert Appeal.objects.filter(application__partnership=rotherham).count() == 1
    assert CallForAction.objects.filter(partnership=rotherham).count() == len(CALLS)
    assert CallForAction.objects.filter(committee_item__isnull=False).count() == 1
    figures = selectors.year_figures(rotherham)
    # Hand count of CASES: 10 applications; not met: cases 2, 4, 8, 10; reviews: cases 1,
    # 3, 5, 6, 7, 9 (case 9's review falls in 2024/25 too: 17 Feb + 12 + 20 days);
    # with recommendations: all but case 7.
    assert figures[0] == YearFigures("2024/25", 10, 4, 6, 5)
    assert figures[-1].applications == 1 and figures[-1].reviews == 0
    assert selectors.published_years(rotherham) == {"2024/25"}
    assert all("invented" in a.applicant_name for a in Application.objects.all())
    # Every review was held at a meeting of the panel (a governance body), the case a
    # confidential item; the current year's case has its meeting planned.
    reviewed = Application.objects.filter(partnership=rotherham, review_on__isnull=False)
    assert reviewed.count() == 6
    for a in reviewed:
        meeting = a.review_meeting
        assert meeting.body.name == "ASB case review panel" and meeting.status == "held"
        assert meeting.date == a.review_on and a.review_item.confidential
        assert set(a.recommendations.values_list("action__meeting", flat=True)) <= {meeting.pk}
    planned = Application.objects.get(partnership=rotherham, review_on__isnull=True, decision="met")
    assert planned.review_meeting.status == "planned"
    assert Application.objects.exclude(ward_code="").count() == len(CASES)
