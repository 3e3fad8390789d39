"""The life cycle of a quarterly return, one service per transition, with who may take it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.core.models import AuditEvent
from saferstat.performance import selectors
from saferstat.performance.models import Return, ReturnStatus
from saferstat.performance.services import (
    reminders_send,
    return_approve,
    return_correct,
    return_save,
    return_send_back,
    return_submit,
)

pytestmark = pytest.mark.django_db
ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


def _values(world, n=30, pct=75):
    return {world["missing"].code: n, world["share"].code: pct}


def _verbs(ret):
    return list(
        AuditEvent.objects.filter(object_type="performance.Return", object_id=str(ret.pk))
        .order_by("at", "id")
        .values_list("verb", flat=True)
    )


def test_save_draft_only_by_the_priority_lead(world, members, other_lead):
    ret = world["owed"]
    for role in ["admin", "analyst", "board", "scrutiny"]:
        with pytest.raises(PermissionDenied):
            return_save(ret=ret, by=members[role], values=_values(world))
    with pytest.raises(PermissionDenied):  # a lead of another priority
        return_save(ret=ret, by=other_lead, values=_values(world))
    ret = return_save(
        ret=ret, by=members["lead"], values={world["missing"].code: "31"}, commentary="Hi"
    )
    assert ret.status == ReturnStatus.DRAFT
    assert ret.lines.get(indicator=world["missing"]).value == 31
    assert ret.lines.get(indicator=world["share"]).value is None  # blank is allowed in a draft
    assert ret.commentary == "<p>Hi</p>"
    assert _verbs(ret) == ["return.save"]


def test_submit_needs_every_entered_value_and_checks_units(world, members):
    ret, lead = world["owed"], members["lead"]
    with pytest.raises(ValidationError) as exc:
        return_submit(ret=ret, by=lead, values={world["missing"].code: 12})
    assert world["share"].code in exc.value.message_dict
    bad = {world["missing"].code: "12.5", world["share"].code: "140"}
    with pytest.raises(ValidationError) as exc:
        return_submit(ret=ret, by=lead, values=bad)
    assert set(exc.value.message_dict) == {world["missing"].code, world["share"].code}
    with pytest.raises(ValidationError) as exc:
        return_submit(ret=ret, by=lead, values={**_values(world), "not-ours": 3})
    assert "not-ours" in exc.value.message_dict
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.NOT_STARTED and not ret.lines.exists()  # nothing stored
    ret = return_submit(ret=ret, by=lead, values=_values(world))
    assert ret.status == ReturnStatus.SUBMITTED and ret.submitted_by == lead
    assert ret.submitted_at is not None
    with pytest.raises(ValidationError):  # submitted: the lead cannot change it any more
        return_save(ret=ret, by=lead, values=_values(world, 1))


def test_approve_only_analysts_and_only_when_submitted(world, members):
    ret = world["submitted"]
    for role in ["lead", "board", "scrutiny"]:
        with pytest.raises(PermissionDenied):
            return_approve(ret=ret, by=members[role])
    ret = return_approve(ret=ret, by=members["analyst"], comment="Fine")
    assert ret.status == ReturnStatus.APPROVED and ret.decided_by == members["analyst"]
    with pytest.raises(ValidationError):
        return_approve(ret=ret, by=members["admin"])  # already approved
    assert _verbs(ret)[-1] == "return.approve"


def test_return_to_the_lead_needs_a_comment_then_resubmit(world, members):
    ret, lead = world["owed"], members["lead"]
    ret = return_submit(ret=ret, by=lead, values=_values(world))
    for role in ["lead", "board", "scrutiny"]:
        with pytest.raises(PermissionDenied):
            return_send_back(ret=ret, by=members[role], comment="No")
    with pytest.raises(ValidationError) as exc:
        return_send_back(ret=ret, by=members["admin"], comment="  ")
    assert "comment" in exc.value.message_dict
    ret = return_send_back(ret=ret, by=members["admin"], comment="Check the count")
    assert ret.status == ReturnStatus.RETURNED and ret.decision_comment == "Check the count"
    ret = return_save(ret=ret, by=lead, values=_values(world, 29))
    assert ret.status == ReturnStatus.DRAFT
    ret = return_submit(ret=ret, by=lead, values=_values(world, 29))
    ret = return_approve(ret=ret, by=members["analyst"])
    assert ret.lines.get(indicator=world["missing"]).value == 29
    assert _verbs(ret) == [
        "return.submit",
        "return.return",
        "return.save",
        "return.submit",
        "return.approve",
    ]


def test_correction_after_approval_keeps_the_history(world, members, other_lead):
    ret = world["approved"]
    with pytest.raises(ValidationError) as exc:
        return_correct(ret=ret, by=members["lead"], values={world["missing"].code: 41}, reason="")
    assert "reason" in exc.value.message_dict
    for user in [members["board"], members["scrutiny"], other_lead]:
        with pytest.raises(PermissionDenied):
            return_correct(ret=ret, by=user, values={world["missing"].code: 41}, reason="x")
    ret = return_correct(
        ret=ret, by=members["lead"], values={world["missing"].code: 41}, reason="Late records"
    )
    assert ret.status == ReturnStatus.CORRECTED
    assert ret.lines.get(indicator=world["missing"]).value == 41
    assert ret.lines.get(indicator=world["share"]).value == 80  # untouched
    event = ret.events.get(kind="correct")
    assert event.comment == "Late records"
    assert event.before["values"][world["missing"].code] == 40
    assert event.after["values"][world["missing"].code] == 41
    audit = AuditEvent.objects.get(verb="return.correct", object_id=str(ret.pk))
    assert audit.before["values"][world["missing"].code] == 40
    # The analyst may correct too; a draft cannot be "corrected".
    return_correct(
        ret=ret, by=members["analyst"], values={world["share"].code: "81"}, reason="Typo"
    )
    with pytest.raises(ValidationError):
        return_correct(
            ret=world["owed"], by=members["analyst"], values={world["share"].code: 1}, reason="x"
        )


def test_corrected_values_count_and_unapproved_ones_do_not(world, members):
    q2 = world["periods"]["2024/25-Q2"]
    return_submit(ret=world["owed"], by=members["lead"], values=_values(world, 35))
    rows = selectors.indicator_rows(partnership=world["plan"].partnership, period=q2)
    missing = next(r for r in rows if r.indicator == world["missing"])
    assert [(p.period, p.value, p.status) for p in missing.points] == [
        ("2024/25-Q1", 40.0, "approved"),
        ("2024/25-Q2", None, "submitted"),  # awaiting approval: a gap, not a value
    ]
    return_correct(
        ret=world["approved"], by=members["lead"], values={world["missing"].code: 44}, reason="x"
    )
    rows = selectors.indicator_rows(partnership=world["plan"].partnership, period=q2)
    missing = next(r for r in rows if r.indicator == world["missing"])
    assert missing.points[0] == type(missing.points[0])("2024/25-Q1", 44.0, "corrected")


def test_lead_page_lists_what_is_owed_and_late(world, members, other_lead):
    owed = selectors.returns_owed(partnership=world["plan"].partnership, user=members["lead"])
    assert [(r.priority, r.period.label) for r in owed] == [
        (world["first"], label) for label in ["2024/25-Q2", "2024/25-Q3", "2024/25-Q4"]
    ]
    late = selectors.returns_late(partnership=world["plan"].partnership, today=dt.date(2025, 1, 1))
    # Q2 deadline 2024-10-22 passed; Q3 and Q4 not yet due on 1 January 2025.
    assert {(r.priority.key, r.period.label) for r in late} == {
        ("missing", "2024/25-Q2"),
        ("asb", "2024/25-Q2"),
    }


def test_reminders_email_exactly_the_leads_who_owe(world, members, other_lead):
    members["lead"].email = "lead@example.org"
    members["lead"].save()
    other_lead.email = "other@example.org"
    other_lead.save()
    # 2025-01-16: Q2 (due 2024-10-22) is late for the first priority (the second's Q2 is
    # submitted); Q3 (due 2025-01-22) is due within the week for both; Q1 is approved or
    # submitted, Q4 not open yet: none of those is chased.
    second_q2 = Return.objects.get(priority=world["second"], period=world["periods"]["2024/25-Q2"])
    return_submit(ret=second_q2, by=other_lead, values={})
    chased = reminders_send(today=dt.date(2025, 1, 16))
    sent = sorted((m.to[0], m.subject.split(": ", 1)[1]) for m in mail.outbox)
    assert sent == [
        ("lead@example.org", f"{world['first'].name} return for 2024/25-Q2"),
        ("lead@example.org", f"{world['first'].name} return for 2024/25-Q3"),
        ("other@example.org", f"{world['second'].name} return for 2024/25-Q3"),
    ]
    assert "late" in next(m.body for m in mail.outbox if "Q2" in m.subject)
    assert len(chased) == 3
    # The next day nothing new goes out; a week later the late one is chased again.
    mail.outbox.clear()
    assert reminders_send(today=dt.date(2025, 1, 17)) == []
    assert mail.outbox == []
    reminders_send(today=dt.date(2025, 1, 23))
    assert sorted(m.subject[-10:] for m in mail.outbox) == [
        "2024/25-Q2",
        "2024/25-Q3",
        "2024/25-Q3",
    ]
    assert AuditEvent.objects.filter(verb="return.remind").count() == 6


def test_the_reminder_task_runs_the_service(world, members):
    from saferstat.performance.tasks import send_return_reminders

    members["lead"].email = "lead@example.org"
    members["lead"].save()
    result = send_return_reminders.enqueue()
    assert result.return_value >= 1
    assert any(m.to == ["lead@example.org"] for m in mail.outbox)


def test_each_reminder_run_is_kept_and_shown_on_the_jobs_page(
    client, world, members, other_lead, sheffield, monkeypatch
):
    """The daily task keeps one run per partnership (how many reminders went), shown on the
    scheduled jobs page like the governance reminders; a failure is kept on the run."""
    from saferstat.governance.models import JobRun
    from saferstat.performance import services
    from saferstat.performance.tasks import send_return_reminders

    members["lead"].email = "lead@example.org"
    members["lead"].save()
    result = send_return_reminders.enqueue()
    runs = JobRun.objects.filter(job="performance.reminders")
    assert {r.partnership.slug for r in runs} == {"rotherham", "sheffield"}
    mine = runs.get(partnership__slug="rotherham")
    assert mine.ok and mine.finished_at is not None
    sent = len([m for m in mail.outbox if m.to == ["lead@example.org"]])
    assert sent >= 1 and mine.detail == f"{sent} quarterly return reminder(s)"
    assert result.return_value == sent
    assert runs.get(partnership__slug="sheffield").detail == "0 quarterly return reminder(s)"
    assert AuditEvent.objects.filter(verb="return_reminders.run").count() == 2
    client.force_login(members["analyst"])
    html = client.get("/p/rotherham/governance/jobs/").content.decode()
    assert "Quarterly return reminders" in html and mine.detail in html

    # A failing run is kept as failed, and raised for the worker's log.
    def broken(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(services, "reminders_send", broken)
    with pytest.raises(RuntimeError):
        services.reminders_run(partnership=world["plan"].partnership)
    failed = JobRun.objects.filter(job="performance.reminders").first()
    assert not failed.ok and failed.detail == "Failed: RuntimeError"
