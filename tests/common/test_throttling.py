"""The API's rate limit: per client address as the proxy setting says to read it, counted in the cache
every server process shares, and answered with a 429 that says when to come back."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from common.throttling import SharedAnonRateThrottle

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"
LIMIT = 5
# 15 seconds into a minute: the window ends, and a throttled client may come back, 45 seconds later.
NOW = 60 * 28_000_000 + 15.0


@pytest.fixture(autouse=True)
def small_rate(settings, monkeypatch):
    """Five requests a minute, set after DRF imported its settings: the throttle must read the rate when
    it is made, or the 600 a minute the tests run with would apply. The clock stands still mid-minute."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": f"{LIMIT}/minute"},
    }
    monkeypatch.setattr(SharedAnonRateThrottle, "timer", staticmethod(lambda: NOW))


@pytest.fixture
def api():
    return APIClient()


def statuses(api, count: int, *, forwarded_for=lambda n: f"203.0.113.{n % 250}") -> list[int]:
    return [api.get(LIST_URL, HTTP_X_FORWARDED_FOR=forwarded_for(n)).status_code for n in range(count)]


def test_a_forged_x_forwarded_for_changes_nothing_without_a_trusted_proxy(api, settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0

    assert statuses(api, 200) == [200] * LIMIT + [429] * (200 - LIMIT)


def test_behind_one_trusted_proxy_each_client_has_its_own_count(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    # The proxy appends the address it saw; what a client put before it is not believed.
    each_their_own = statuses(api, LIMIT + 1, forwarded_for=lambda n: f"forged, 198.51.100.{n}")
    one_client = statuses(api, LIMIT + 1, forwarded_for=lambda n: f"forged-{n}, 198.51.100.99")

    assert each_their_own == [200] * (LIMIT + 1)
    assert one_client == [200] * LIMIT + [429]


def test_the_429_says_when_to_come_back_in_the_apis_error_shape(api):
    statuses(api, LIMIT)

    response = api.get(LIST_URL)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 45
    data = response.json()
    assert data["type"] == "client_error"
    [error] = data["errors"]
    assert (error["code"], error["attr"]) == ("throttled", None)
    assert "45 seconds" in error["detail"]


def test_the_next_window_starts_a_new_count(api, monkeypatch):
    assert statuses(api, LIMIT + 1)[-1] == 429

    monkeypatch.setattr(SharedAnonRateThrottle, "timer", staticmethod(lambda: NOW + 45))

    assert statuses(api, LIMIT + 1) == [200] * LIMIT + [429]


# Another worker process: the same throttle, its clock at NOW, asked `sys.argv[1]` times for one client.
OTHER_WORKER = f"""
import sys, django
django.setup()
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from common.throttling import SharedAnonRateThrottle
SharedAnonRateThrottle.timer = staticmethod(lambda: {NOW})
request = Request(APIRequestFactory().get("{LIST_URL}", REMOTE_ADDR="192.0.2.1"))
print(sum(SharedAnonRateThrottle().allow_request(request, None) for _ in range(int(sys.argv[1]))))
"""


def _allowed_here(request, times: int) -> int:
    return sum(SharedAnonRateThrottle().allow_request(request, None) for _ in range(times))


def _allowed_in_another_process(times: int) -> int:
    # The other process reads its settings from the environment, as a server's worker does; without
    # Redis, it is pointed at the files this test run's shared cache lives in.
    shared = django_settings.CACHES["public"]["LOCATION"]
    env = {**os.environ, "JOBS_CACHE_DIR": shared, "API_ANON_RATE": f"{LIMIT}/minute"}
    done = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, str(times)],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_two_worker_processes_count_the_same_client_together():
    request = Request(APIRequestFactory().get(LIST_URL, REMOTE_ADDR="192.0.2.1"))

    assert _allowed_here(request, 3) == 3
    assert _allowed_in_another_process(LIMIT) == LIMIT - 3
    assert _allowed_here(request, 1) == 0
