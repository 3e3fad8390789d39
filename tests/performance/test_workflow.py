"""One return machinery for every kind of quarterly return: the same steps, the same rules
and the same words for an indicator return (performance) and a project's monitoring return
(delivery). Each test runs against both."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from saferstat.delivery import services as delivery
from saferstat.performance import services as performance
from saferstat.performance import workflow
from saferstat.performance.models import ReturnLifecycle, ReturnStatus
from tests.delivery.factories import delivery_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(rotherham, members):
    world = delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )
    from saferstat.performance.models import Return

    indicator_return = Return.objects.get(
        priority=world["priority"], period__label="2024/25-Q2"
    )  # owed
    performance.return_submit(
        ret=indicator_return, by=members["lead"], values={"missing-repeat": 3, "found-share": 50}
    )
    return {
        "performance": (indicator_return, performance.return_approve, performance.return_send_back),
        "delivery": (
            world["submitted"],
            delivery.monitoring_approve,
            delivery.monitoring_send_back,
        ),
    }


@pytest.mark.parametrize("kind", ["performance", "delivery"])
def test_both_kinds_share_the_life_cycle(both, members, kind, monkeypatch):
    ret, approve, send_back = both[kind]
    assert isinstance(ret, ReturnLifecycle)
    calls = []
    original = workflow.mark_returned
    monkeypatch.setattr(
        workflow, "mark_returned", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    with pytest.raises(ValidationError) as exc:
        send_back(ret=ret, by=members["analyst"], comment="")
    assert exc.value.message_dict == {"comment": [workflow.ERR_COMMENT]}
    send_back(ret=ret, by=members["analyst"], comment="Check the figure")
    assert len(calls) == 2  # both attempts went through the shared step
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED and ret.decided_by == members["analyst"]
    with pytest.raises(ValidationError) as exc:
        approve(ret=ret, by=members["analyst"])
    assert exc.value.messages == [
        workflow.ERR_STATUS.format(status="returned for changes", action="approved")
    ]


@pytest.mark.parametrize("kind", ["performance", "delivery"])
def test_late_means_the_same_for_both(both, kind):
    import datetime as dt

    ret, *_ = both[kind]
    ret.status = ReturnStatus.DRAFT
    assert workflow.is_late(ret, ret.period.deadline + dt.timedelta(days=1))
    assert not workflow.is_late(ret, ret.period.deadline)
    ret.status = ReturnStatus.SUBMITTED
    assert not workflow.is_late(ret, ret.period.deadline + dt.timedelta(days=1))
