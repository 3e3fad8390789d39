"""Every delivery write: who may (per role), another partnership refused, audited,
pence arithmetic, over-allocation needs a reason, monitoring returns through the shared
workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.core.models import AuditEvent
from saferstat.delivery import selectors, services
from saferstat.delivery.models import Grant, MonitoringReturn
from saferstat.performance.models import ReturnStatus
from saferstat.performance.services import reporting_period_upsert

pytestmark = pytest.mark.django_db
ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
MANAGERS = {"admin", "analyst"}


def _stream(partnership, by, name="Fund", amount=1_000_000):
    return services.stream_upsert(
        partnership=partnership,
        by=by,
        name=name,
        funder="Funder",
        financial_year="2024/25",
        amount_pence=amount,
    )


def _project(world, by, name="New project"):
    return services.project_upsert(
        partnership=world["project"].partnership,
        by=by,
        name=name,
        organisation=world["organisation"],
        priority=world["priority"],
        start_date=dt.date(2024, 4, 1),
        end_date=dt.date(2024, 9, 30),
    )


# --- who may write ---------------------------------------------------------------------------


def _writes(world, rotherham):
    """Each write as a function of the user, with a fresh name each time."""
    return {
        "stream_upsert": lambda u: _stream(rotherham, u, name=f"Fund {u.username}"),
        "project_upsert": lambda u: _project(world, u, name=f"Project {u.username}"),
        "grant_set": lambda u: services.grant_set(
            project=world["project"], stream=world["stream"], by=u, amount_pence=100
        ),
        "measure_upsert": lambda u: services.measure_upsert(
            project=world["project"],
            by=u,
            kind="output",
            name=f"M {u.username}",
            unit="sessions",
            planned=5,
        ),  # fmt: skip
        "communication_add": lambda u: services.communication_add(
            partnership=rotherham,
            by=u,
            date=dt.date(2024, 5, 1),
            title="Bulletin",
            audience="Residents",
        ),  # fmt: skip
        "activity_add": lambda u: services.activity_add(
            partnership=rotherham,
            by=u,
            kind="engagement",
            date=dt.date(2024, 5, 1),
            title="Lifestyle survey",
            people=3499,
        ),  # fmt: skip
    }


@pytest.mark.parametrize(
    "write",
    [
        "stream_upsert",
        "project_upsert",
        "grant_set",
        "measure_upsert",
        "communication_add",
        "activity_add",
    ],
)
def test_manage_writes_are_for_analysts_and_admins_only(write, world, rotherham, members):
    fn = _writes(world, rotherham)[write]
    for role in ROLES:
        before = AuditEvent.objects.count()
        if role in MANAGERS:
            fn(members[role])
            assert AuditEvent.objects.count() > before, (write, role)
        else:
            with pytest.raises(PermissionDenied):
                fn(members[role])
            assert AuditEvent.objects.count() == before


def test_another_partnership_is_refused(world, sheffield, make_member, rotherham, members):
    outsider = make_member(sheffield, "admin", username="sheffield-admin-x")
    for write, fn in _writes(world, rotherham).items():
        with pytest.raises(PermissionDenied):
            fn(outsider)
        assert write  # each refused
    with pytest.raises(PermissionDenied):
        services.monitoring_approve(ret=world["submitted"], by=outsider)
    s_lead = make_member(sheffield, "lead", username="sheffield-lead-x")
    with pytest.raises(PermissionDenied):
        services.monitoring_save(ret=world["owed"], by=s_lead, values={})


def test_objects_of_another_partnership_cannot_be_linked(world, sheffield, make_member, members):
    s_admin = make_member(sheffield, "admin", username="sheffield-admin-y")
    s_stream = _stream(sheffield, s_admin)
    with pytest.raises(ValidationError):
        services.grant_set(
            project=world["project"], stream=s_stream, by=members["analyst"], amount_pence=1
        )
    from saferstat.core.services import organisation_upsert

    s_org = organisation_upsert(
        partnership=sheffield, name="Sheffield org", kind="council", is_responsible_authority=True
    )
    with pytest.raises(ValidationError):
        services.project_upsert(
            partnership=world["project"].partnership,
            by=members["analyst"],
            name="Borrowed",
            organisation=s_org,
            priority=world["priority"],
            start_date=dt.date(2024, 4, 1),
            end_date=dt.date(2024, 5, 1),
        )


# --- money -----------------------------------------------------------------------------------


def test_money_must_be_whole_pence(rotherham, members):
    for bad in (1.5, -1, "100", True):
        with pytest.raises(ValidationError):
            _stream(rotherham, members["admin"], amount=bad)


def test_totals_per_stream_equal_the_sum_of_awards(world, members):
    stream = world["stream"]
    a = _project(world, members["analyst"], name="A")
    b = _project(world, members["analyst"], name="B")
    services.grant_set(project=a, stream=stream, by=members["analyst"], amount_pence=3_333_333)
    services.grant_set(project=b, stream=stream, by=members["analyst"], amount_pence=1_111_111)
    row = next(
        r for r in selectors.stream_rows(partnership=stream.partnership) if r.stream == stream
    )
    grants = Grant.objects.filter(stream=stream)
    assert row.awarded == sum(g.amount_pence for g in grants) == 2_000_000 + 3_333_333 + 1_111_111
    assert isinstance(row.awarded, int) and row.left == stream.amount_pence - row.awarded
    assert services.stream_left(stream) == row.left
    summary = selectors.achieved(partnership=stream.partnership, stream=stream)
    assert summary.awarded == row.awarded


def test_over_allocation_needs_a_reason(world, members):
    stream, analyst = world["stream"], members["analyst"]
    other = _project(world, analyst, name="Big")
    left = services.stream_left(stream)
    with pytest.raises(ValidationError) as exc:
        services.grant_set(project=other, stream=stream, by=analyst, amount_pence=left + 1)
    assert "reason" in exc.value.message_dict
    assert not Grant.objects.filter(project=other).exists()
    # exactly what is left needs none
    services.grant_set(project=other, stream=stream, by=analyst, amount_pence=left)
    grant = services.grant_set(
        project=other, stream=stream, by=analyst, amount_pence=left + 100, reason="Match funding"
    )
    assert grant.over_reason == "Match funding"
    row = next(
        r for r in selectors.stream_rows(partnership=stream.partnership) if r.stream == stream
    )
    assert row.over and row.left == -100


def test_a_stream_cannot_shrink_below_its_awards(world, members):
    stream = world["stream"]
    with pytest.raises(ValidationError):
        services.stream_upsert(
            partnership=stream.partnership, by=members["admin"], name=stream.name,
            funder=stream.funder, financial_year=stream.financial_year, amount_pence=1_000,
        )  # fmt: skip


def test_every_project_serves_a_priority_and_has_valid_dates(world, members):
    with pytest.raises(ValidationError):
        services.project_upsert(
            partnership=world["project"].partnership, by=members["analyst"], name="Backwards",
            organisation=world["organisation"], priority=world["priority"],
            start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError):  # the lead must be a priority lead
        services.project_upsert(
            partnership=world["project"].partnership, by=members["analyst"], name="Led",
            organisation=world["organisation"], priority=world["priority"],
            start_date=dt.date(2024, 4, 1), end_date=dt.date(2024, 5, 1), lead=members["board"],
        )  # fmt: skip


# --- monitoring returns ----------------------------------------------------------------------


def test_returns_open_with_the_calendar_and_the_project(world, members):
    project = world["project"]
    assert [r.period.label for r in project.returns.order_by("period__start_month")] == [
        "2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4",
    ]  # fmt: skip
    short = _project(world, members["analyst"], name="Six months")  # April to September
    assert sorted(r.period.label for r in short.returns.all()) == ["2024/25-Q1", "2024/25-Q2"]
    reporting_period_upsert(
        partnership=project.partnership,
        by=members["analyst"],
        label="2025/26-Q1",
        opens_on=dt.date(2025, 7, 1),
        deadline=dt.date(2025, 7, 21),
    )
    assert not project.returns.filter(period__label="2025/26-Q1").exists()  # ended in March
    project.end_date = dt.date(2025, 6, 30)
    project.save()
    reporting_period_upsert(
        partnership=project.partnership, by=members["analyst"], label="2025/26-Q1",
        opens_on=dt.date(2025, 7, 1), deadline=dt.date(2025, 7, 22),
    )  # fmt: skip
    assert project.returns.filter(period__label="2025/26-Q1").exists()


def test_only_the_project_lead_enters_its_return(world, members, make_member, rotherham):
    ret, output, outcome = world["owed"], world["output"], world["outcome"]
    other_lead = make_member(rotherham, "lead", username="rotherham-lead-other")
    for user in (members["admin"], members["analyst"], members["board"], other_lead):
        with pytest.raises(PermissionDenied):
            services.monitoring_save(ret=ret, by=user, values={output.pk: 1})
    services.monitoring_save(ret=ret, by=members["lead"], values={output.pk: 1})
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT
    assert ret.events.get().kind == "save"
    with pytest.raises(ValidationError) as exc:  # every measure and spend needed to submit
        services.monitoring_submit(ret=ret, by=members["lead"], values={output.pk: 1})
    assert set(exc.value.message_dict) == {f"value-{outcome.pk}", "spend"}
    with pytest.raises(ValidationError):
        services.monitoring_submit(
            ret=ret, by=members["lead"], values={output.pk: "2.5", outcome.pk: 1}, spend_pence=0
        )
    services.monitoring_submit(
        ret=ret, by=members["lead"], values={output.pk: 7, outcome.pk: 1}, spend_pence=0
    )
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and ret.submitted_by == members["lead"]


@pytest.mark.parametrize("role", ROLES)
def test_approve_and_return_are_for_analysts(world, members, role):
    ret = world["submitted"]
    if role in MANAGERS:
        services.monitoring_approve(ret=ret, by=members[role])
        ret.refresh_from_db()
        assert ret.status == ReturnStatus.APPROVED
        assert AuditEvent.objects.filter(verb="monitoring_return.approve").count() == 2
    else:
        with pytest.raises(PermissionDenied):
            services.monitoring_approve(ret=ret, by=members[role])
        with pytest.raises(PermissionDenied):
            services.monitoring_send_back(ret=ret, by=members[role], comment="x")


def test_return_needs_a_comment_and_goes_back_to_the_lead(world, members):
    ret = world["submitted"]
    with pytest.raises(ValidationError):
        services.monitoring_send_back(ret=ret, by=members["analyst"], comment=" ")
    services.monitoring_send_back(ret=ret, by=members["analyst"], comment="Add the spend")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED and ret.decision_comment == "Add the spend"
    with pytest.raises(ValidationError):  # not submitted any more
        services.monitoring_approve(ret=ret, by=members["analyst"])
    services.monitoring_save(ret=ret, by=members["lead"], values={world["output"].pk: 21})


def test_only_approved_figures_count(world):
    row = selectors.project_rows(partnership=world["project"].partnership)[0]
    output = next(m for m in row.outputs if m.measure == world["output"])
    assert output.actual == 40 and output.quarters == 1  # Q2 (20) is only submitted
    assert row.spend == 500_000


def test_correct_after_approval_keeps_the_history(world, members):
    ret, output = world["approved"], world["output"]
    with pytest.raises(ValidationError):
        services.monitoring_correct(ret=ret, by=members["lead"], values={output.pk: 41}, reason="")
    with pytest.raises(PermissionDenied):
        services.monitoring_correct(
            ret=ret, by=members["board"], values={output.pk: 41}, reason="typo"
        )
    services.monitoring_correct(ret=ret, by=members["lead"], values={output.pk: 41}, reason="typo")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.CORRECTED
    event = ret.events.get(kind="correct")
    assert (
        event.before["values"][str(output.pk)] == 40 and event.after["values"][str(output.pk)] == 41
    )
    with pytest.raises(ValidationError):  # an owed return cannot be corrected
        services.monitoring_correct(
            ret=world["owed"], by=members["analyst"], values={output.pk: 1}, reason="x"
        )


def test_late_returns_are_listed(world):
    today = dt.date(2025, 2, 1)  # Q3 due 22 January 2025
    late = selectors.returns_late(partnership=world["project"].partnership, today=today)
    assert [r.period.label for r in late] == ["2024/25-Q3"]
    assert selectors.returns_awaiting(partnership=world["project"].partnership) == [
        world["submitted"]
    ]


def test_gaps_are_shown_as_gaps(world, members):
    new = services.measure_upsert(
        project=world["project"], by=members["analyst"], kind="output", name="Leaflets",
        unit="families", planned=1000,
    )  # fmt: skip
    rows = selectors.project_rows(
        partnership=world["project"].partnership, today=dt.date(2025, 6, 1)
    )
    measure = next(m for m in rows[0].outputs if m.measure == new)
    assert measure.actual is None and measure.state == "gap"
    assert "No approved figure for Leaflets" in rows[0].gaps
    assert "2024/25-Q4: return not started and late" in rows[0].gaps


def test_monitoring_return_is_unique_per_project_and_quarter(world):
    assert MonitoringReturn.objects.filter(project=world["project"]).count() == 4
