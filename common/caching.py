"""Public pages kept in the cache for a while (search results, sitemaps) are forgotten the moment
what readers may see changes: a withdrawn article must not live on in a cached page.

Each cached page's key carries a generation number, which the desk's steps move on once their
change is committed; pages cached under the old number are never read again and expire.
"""

from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.views.decorators.cache import cache_page

GENERATION_KEY = "footnote:public-generation"


def public_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 0, timeout=None)


def forget_public_pages() -> None:
    """Move the generation on once the current transaction commits (at once outside one)."""
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not cached yet, or evicted
        cache.set(GENERATION_KEY, 1, timeout=None)


def cache_public_page(seconds: int):
    """`cache_page` for pages that show only what is public, forgotten by `forget_public_pages`."""

    def decorator(view):
        @wraps(view)
        def cached(request, *args, **kwargs):
            prefix = f"public-{public_generation()}"
            return cache_page(seconds, key_prefix=prefix)(view)(request, *args, **kwargs)

        return cached

    return decorator
