import pytest

from tests.performance.factories import plan_world


@pytest.fixture
def other_lead(rotherham, make_member):
    return make_member(rotherham, "lead", username="rotherham-lead-2")


@pytest.fixture
def world(rotherham, members, other_lead):
    return plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=other_lead,
    )
