"""Who has a record open in the admin: each open change page says so every minute, in the cache
every server shares, and is forgotten a little after it stops."""

import time

from django.core.cache import cache

HEARTBEAT_SECONDS = 60
FORGET_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


def _key(label: str, pk) -> str:
    return f"footnote:open:{label}:{pk}"


def mark_open(label: str, pk, user) -> None:
    """Note that `user` has record `pk` of model `label` open now."""
    now = time.time()
    viewers = _fresh(cache.get(_key(label, pk), {}), now)
    viewers[user.pk] = (user.get_full_name() or user.get_username(), now)
    cache.set(_key(label, pk), viewers, FORGET_AFTER_SECONDS)


def others_viewing(label: str, pk, user) -> list[str]:
    """The names of the other people with the record open."""
    viewers = _fresh(cache.get(_key(label, pk), {}), time.time())
    return sorted(name for user_pk, (name, _) in viewers.items() if user_pk != user.pk)


def _fresh(viewers: dict, now: float) -> dict:
    return {pk: seen for pk, seen in viewers.items() if now - seen[1] < FORGET_AFTER_SECONDS}
