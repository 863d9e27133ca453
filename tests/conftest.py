import pytest

from tests.factories import StaffFactory, SuperuserFactory


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="editor")


@pytest.fixture
def staff_user(db):
    return StaffFactory(username="analyst")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
