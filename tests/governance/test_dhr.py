"""The domestic homicide review register: deadline arithmetic, who may see and record
reviews, the audit of every write, and the statutory calendar's line (with the home page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from saferstat.core.models import AuditEvent
from saferstat.governance import clock, selectors, services
from saferstat.governance.models import DomesticHomicideReview
from tests.governance.world import build

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


# ------------------------------------------------------------------ deadline arithmetic


@pytest.mark.parametrize(
    ("notified", "months", "due"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),  # a shorter month: its last day
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # a leap year
        (dt.date(2025, 1, 30), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 2, 28), 1, dt.date(2025, 3, 28)),  # not the end of March
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),  # across the year
        (dt.date(2025, 3, 31), 2, dt.date(2025, 5, 31)),
    ],
)
def test_decision_due_months_after_notification_at_month_ends(notified, months, due):
    assert clock.dhr_decision_due(notified, months) == due


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        (dt.date(2024, 8, 31), dt.date(2025, 2, 28)),
        (dt.date(2023, 8, 31), dt.date(2024, 2, 29)),
        (dt.date(2025, 9, 30), dt.date(2026, 3, 30)),
        (dt.date(2025, 2, 28), dt.date(2025, 8, 28)),
    ],
)
def test_report_due_six_months_after_the_decision(decided, due):
    assert clock.dhr_report_due(decided) == due


def test_next_deadline_follows_the_status():
    notified, decided = dt.date(2025, 1, 31), dt.date(2025, 2, 20)
    assert clock.dhr_deadline("notified", notified, None) == ("decision", dt.date(2025, 2, 28))
    assert clock.dhr_deadline("deciding", notified, None, 2) == ("decision", dt.date(2025, 3, 31))
    assert clock.dhr_deadline("in_progress", notified, decided) == (
        "report",
        dt.date(2025, 8, 20),
    )
    assert clock.dhr_deadline("in_progress", notified, decided, 1, 9) == (
        "report",
        dt.date(2025, 11, 20),
    )
    assert clock.dhr_deadline("report_sent", notified, decided) is None
    assert clock.dhr_deadline("closed", notified, decided) is None
    with pytest.raises(ValueError):
        clock.dhr_decision_due(notified, 0)
    with pytest.raises(ValueError):
        clock.dhr_report_due(decided, 0)


# ------------------------------------------------------------------ writes and the audit


def audited(verb: str, review) -> AuditEvent | None:
    return AuditEvent.objects.filter(
        verb=verb, object_type=review._meta.label, object_id=str(review.pk)
    ).first()


def _held(review, by, **changes):
    fields = {
        "reference": review.reference,
        "notified_on": review.notified_on,
        "status": "in_progress",
        "decision": "review",
        "decision_on": review.notified_on + dt.timedelta(days=20),
        "decision_reason": "The criteria are met.",
        "chair_role": "Independent chair",
        "report_sent_on": None,
    }
    fields.update(changes)
    return services.dhr_update(review=review, by=by, **fields)


@pytest.mark.django_db
def test_every_write_is_audited_with_before_and_after(rotherham, members):
    analyst = members["analyst"]
    review = services.dhr_create(
        partnership=rotherham, by=analyst, reference="DHR 2025-01", notified_on=dt.date(2025, 1, 31)
    )
    created = audited("dhr.create", review)
    assert created and created.actor == analyst and created.after["reference"] == "DHR 2025-01"
    review = _held(review, members["admin"])
    updated = audited("dhr.update", review)
    assert updated.actor == members["admin"]
    assert updated.before["status"] == "notified" and updated.after["status"] == "in_progress"
    assert updated.after["decision_on"] == "2025-02-20"
    review = _held(review, analyst, status="report_sent", report_sent_on=dt.date(2025, 8, 1))
    assert AuditEvent.objects.filter(verb="dhr.update", object_id=str(review.pk)).count() == 2
    review.refresh_from_db()
    assert review.status == "report_sent" and review.report_sent_on == dt.date(2025, 8, 1)


@pytest.mark.django_db
def test_the_record_keeps_its_rules(rotherham, members):
    analyst = members["analyst"]
    review = services.dhr_create(
        partnership=rotherham, by=analyst, reference="DHR 2025-01", notified_on=dt.date(2025, 1, 6)
    )
    before = AuditEvent.objects.count()
    future = timezone.localdate() + dt.timedelta(days=1)
    cases = [
        ({"decision": "", "decision_on": None, "decision_reason": ""}, "status"),
        ({"decision_on": None}, "decision_on"),
        ({"decision_reason": ""}, "decision_reason"),
        ({"decision_on": dt.date(2025, 1, 5)}, "decision_on"),  # before the notification
        ({"decision_on": future}, "decision_on"),
        ({"status": "deciding"}, "status"),  # a decision is recorded
        ({"status": "report_sent"}, "report_sent_on"),  # without the date
        ({"report_sent_on": dt.date(2025, 1, 10)}, "report_sent_on"),  # before the decision
        ({"decision": "no_review", "report_sent_on": dt.date(2025, 3, 1)}, "report_sent_on"),
        ({"reference": "  "}, "reference"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            _held(review, analyst, **changes)
        assert field in caught.value.message_dict, (changes, caught.value.message_dict)
    services.dhr_create(
        partnership=rotherham, by=analyst, reference="DHR 2025-02", notified_on=dt.date(2025, 2, 6)
    )
    with pytest.raises(ValidationError) as caught:
        _held(review, analyst, reference="dhr 2025-02")
    assert "reference" in caught.value.message_dict
    assert AuditEvent.objects.count() == before + 1  # only the second review's creation
    review.refresh_from_db()
    assert review.status == "notified" and review.decision == ""
    # Not holding a review closes it.
    _held(review, analyst, status="closed", decision="no_review")
    review.refresh_from_db()
    assert review.status == "closed"


# ------------------------------------------------------------------------- permissions


@pytest.mark.django_db
def test_only_admins_and_analysts_record_reviews(rotherham, members, sheffield, make_member):
    for role in ROLES:
        if role in ("admin", "analyst"):
            review = services.dhr_create(
                partnership=rotherham,
                by=members[role],
                reference=f"DHR {role}",
                notified_on=dt.date(2025, 1, 6),
            )
            assert audited("dhr.create", review)
        else:
            with pytest.raises(PermissionDenied):
                services.dhr_create(
                    partnership=rotherham,
                    by=members[role],
                    reference="DHR x",
                    notified_on=dt.date(2025, 1, 6),
                )
            with pytest.raises(PermissionDenied):
                _held(review, members[role])
    outsider = make_member(sheffield, "admin", username="outsider")
    with pytest.raises(PermissionDenied):
        _held(review, outsider)
    assert not DomesticHomicideReview.objects.filter(reference="DHR x").exists()
    assert DomesticHomicideReview.objects.get(pk=review.pk).status == "notified"


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], owner=members["board"])


@pytest.mark.django_db
def test_pages_refuse_scrutiny_leads_board_and_the_public(client, members, world):
    urls = ["/p/rotherham/governance/dhr/", f"/p/rotherham/governance/dhr/{world['dhr']}/"]
    for url in urls:
        for role in ("lead", "board", "scrutiny"):
            client.force_login(members[role])
            assert client.get(url).status_code == 403, (role, url)
            response = client.post(
                url, {"reference": "leaked", "notified_on": "2025-01-06", "status": "notified"}
            )
            assert response.status_code == 403, (role, url)
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
        for role in ("admin", "analyst"):
            client.force_login(members[role])
            html = client.get(url).content.decode()
            assert "DHR 2024-01" in html and "never a name" in html.lower()
            assert "Home Office statutory guidance" in html
    assert not DomesticHomicideReview.objects.filter(reference="leaked").exists()


@pytest.mark.django_db
def test_another_partnerships_review_is_not_found(client, members, sheffield, make_member):
    theirs = build(sheffield, make_member(sheffield, "admin", username="s-admin"), mark="S ")
    # Sheffield's admin made it; Rotherham's admin asks for it under Rotherham's address.
    client.force_login(members["admin"])
    assert client.get(f"/p/rotherham/governance/dhr/{theirs['dhr']}/").status_code == 404
    response = client.post(
        f"/p/rotherham/governance/dhr/{theirs['dhr']}/",
        {"reference": "overwritten", "notified_on": "2024-03-04", "status": "notified"},
    )
    assert response.status_code == 404
    assert DomesticHomicideReview.objects.get(pk=theirs["dhr"]).reference == "S DHR 2024-01"


@pytest.mark.django_db
def test_adding_and_deciding_through_the_pages(client, rotherham, members):
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/governance/dhr/", {"reference": "DHR 2025-01", "notified_on": "2025-01-31"}
    )
    assert response.status_code == 302
    review = DomesticHomicideReview.objects.get(partnership=rotherham)
    url = f"/p/rotherham/governance/dhr/{review.pk}/"
    # In progress without a decision: refused with the reason on the form.
    response = client.post(
        url, {"reference": "DHR 2025-01", "notified_on": "2025-01-31", "status": "in_progress"}
    )
    assert response.status_code == 400 and "Record the decision" in response.content.decode()
    response = client.post(
        url,
        {
            "reference": "DHR 2025-01",
            "notified_on": "2025-01-31",
            "status": "in_progress",
            "decision": "review",
            "decision_on": "2025-02-28",
            "decision_reason": "The criteria are met.",
            "chair_role": "Independent chair",
        },
    )
    assert response.status_code == 302
    html = client.get("/p/rotherham/governance/dhr/").content.decode()
    assert "Report due 28 Aug 2025" in html  # six months after the decision of 28 February
    review.refresh_from_db()
    assert review.decision_on == dt.date(2025, 2, 28)


# ------------------------------------------------------------------ the calendar's line


@pytest.mark.django_db
def test_the_calendar_line_counts_reviews_and_flags_late_ones(client, rotherham, members, world):
    analyst = members["analyst"]
    today = timezone.localdate()
    # The world's review (notified 4 March 2024, no decision) is late for its decision.
    late = DomesticHomicideReview.objects.get(pk=world["dhr"])
    soon = services.dhr_create(
        partnership=rotherham,
        by=analyst,
        reference="DHR 2025-07",
        notified_on=today - dt.timedelta(days=30),
    )
    _held(soon, analyst, decision_on=today - dt.timedelta(days=10))
    services.dhr_create(
        partnership=rotherham,
        by=analyst,
        reference="DHR 2023-02",
        notified_on=dt.date(2023, 5, 1),
        status="closed",
        decision="no_review",
        decision_on=dt.date(2023, 5, 20),
        decision_reason="The criteria are not met.",
    )
    (line,) = [r for r in selectors.duty_rows(rotherham, today, dhr=True) if r.duty.key == "dhr"]
    assert line.dhr.in_progress == 1 and line.dhr.awaiting_decision == 1
    assert [r.review for r in line.dhr.late] == [late]
    assert line.due == clock.dhr_decision_due(late.notified_on) and line.state == "overdue"

    html = client_get(client, analyst, "/p/rotherham/governance/calendar/")
    assert "Domestic homicide reviews in progress" in html
    assert "1 in progress, 1 awaiting a decision" in html
    assert 'id="dhr-late"' in html and "DHR 2024-01" in html and "DHR 2025-07" not in html
    home = client_get(client, analyst, "/p/rotherham/")
    assert "Domestic homicide reviews in progress overdue since" in home

    # Those who may not see reviews see the line without figures, and no warning at home.
    for role in ("lead", "board", "scrutiny"):
        html = client_get(client, members[role], "/p/rotherham/governance/calendar/")
        assert "Domestic homicide reviews in progress" in html and "Confidential" in html
        assert "DHR 20" not in html and "awaiting a decision" not in html, role
        home = client_get(client, members[role], "/p/rotherham/")
        assert "Domestic homicide reviews" not in home, role


@pytest.mark.django_db
def test_a_review_due_within_30_days_reaches_the_home_page_and_settings_move_it(
    client, rotherham, members, world
):
    analyst, admin = members["analyst"], members["admin"]
    today = timezone.localdate()
    _held(
        DomesticHomicideReview.objects.get(pk=world["dhr"]),
        analyst,
        status="closed",
        decision="no_review",
    )
    services.dhr_create(
        partnership=rotherham,
        by=analyst,
        reference="DHR 2026-03",
        notified_on=today - dt.timedelta(days=5),
    )

    def dhr_lines(dhr=True):
        return [
            r
            for r in selectors.duties_needing_attention(rotherham, today, dhr=dhr)
            if r.duty.key == "dhr"
        ]

    (row,) = dhr_lines()  # the decision is due a month after notification: in 23-26 days
    assert row.state == "due_soon" and row.due == clock.dhr_decision_due(today - dt.timedelta(5))
    assert dhr_lines(dhr=False) == []  # never for those who may not see reviews
    home = client_get(client, analyst, "/p/rotherham/")
    assert "Domestic homicide reviews in progress due" in home
    # A longer local period moves the deadline beyond 30 days: off the home page.
    services.settings_update(
        partnership=rotherham, by=admin, response_days=28, dhr_decision_months=3
    )
    assert dhr_lines() == []
    (later,) = [r for r in selectors.dhr_rows(rotherham, today) if r.review.status == "notified"]
    assert later.due == clock.dhr_decision_due(today - dt.timedelta(days=5), 3)
    html = client_get(client, analyst, "/p/rotherham/governance/dhr/")
    assert "due 3 months after" in html


def client_get(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
