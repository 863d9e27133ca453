from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings

from common.caching import public_state
from tests.factories import StaffFactory, SuperuserFactory


@pytest.fixture(scope="session", autouse=True)
def _shared_caches_of_this_run(tmp_path_factory):
    """Without Redis, the caches every process shares are files on this machine: each test run gets
    its own, so two runs at once never read each other's generation of public pages."""
    location = str(tmp_path_factory.mktemp("shared-cache"))
    own = {
        alias: {**config, "LOCATION": location} if config["BACKEND"].endswith("FileBasedCache") else config
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=own):
        yield


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
def _empty_cache(request):
    """Cached pages and counts (the API's rate limit) never carry over between tests. A test with a
    database starts with the public pages' generation read, as on a running site, so a page's first
    request counts only its own queries."""
    for alias in ("default", "public"):
        caches[alias].clear()
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        public_state()
    yield
    for alias in ("default", "public"):
        caches[alias].clear()


def in_role(user, role: str):
    """`user`, made a member of one of the desk's groups (Analyst, Editor, Administrator).

    A test that flushes the database (transaction=True) takes the groups the migration made with
    it, so they are made again the same way when missing.
    """
    if not Group.objects.filter(name=role).exists():
        import_module("articles.migrations.0013_ledger_records").set_roles(django_apps, None)
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)  # a fresh copy: permissions are cached per instance


@pytest.fixture
def analyst_user(db):
    return in_role(StaffFactory(username="ana", first_name="Ana", last_name="Lyst"), "Analyst")


@pytest.fixture
def editor_user(db):
    return in_role(StaffFactory(username="ed", first_name="Ed", last_name="Itor"), "Editor")
