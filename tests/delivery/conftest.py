import pytest

from tests.delivery.factories import delivery_world


@pytest.fixture
def world(rotherham, members):
    return delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )
