"""The API's rate limit, counted where every server process counts."""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class SharedAnonRateThrottle(AnonRateThrottle):
    """Anonymous requests per client address and window, counted in the "public" cache (Redis, or
    files on one machine), so that three workers allow the rate once, not three times.

    The client address is DRF's `get_ident`: the peer's, or the one `NUM_PROXIES` trusted proxies
    put in X-Forwarded-For. Each window (a minute for "600/minute") is one counter, raised with the
    cache's `incr`, atomic on Redis: DRF's own throttle reads a list of times and writes it back,
    and requests arriving together overwrite each other's.
    """

    @property
    def cache(self):
        return caches["public"]

    @property
    def THROTTLE_RATES(self):  # noqa: N802 (DRF's name)
        # DRF copies the rates once, when its module is imported; read them when the throttle is made.
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        # Made by the window's first request; it outlives the window, so `incr` always finds it.
        self.cache.add(counter, 0, timeout=self.duration)
        try:
            return self.cache.incr(counter) <= self.num_requests
        except ValueError:  # culled from a full file cache meanwhile: this request is not counted
            return True

    def wait(self):
        return self.window_ends - self.now
