import pytest
from django.core.cache import cache

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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages (the sitemap) and counts (the API's rate limit) never carry over between tests."""
    cache.clear()
    yield
    cache.clear()
