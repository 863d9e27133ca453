"""Public pages are cached whole and answer conditional requests, and none outlives what it shows.

Every cached page is stored under the site's *public generation*, a number kept where every server
process reads it (the "public" cache: Redis, or files on one machine). Any committed change to what
readers may see moves the number on (`forget_public_pages`), so the next request on any server renders
afresh; pages stored under an old number are never read again and expire. The generation also moves
on by itself when the next scheduled article's publish time arrives, with nobody saving anything.

The generation is the pages' ETag and the time it moved their Last-Modified: a reader's browser or a
proxy that sends them back gets 304 Not Modified, from the cache without rendering, for an address
that is a page; one that is not (a 404, a 410) answers as such whatever the request's validators.
"""

import datetime
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

GENERATION, CHANGED_AT, NEXT_CHANGE = "generation", "changed-at", "next-change"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
STORED_STATUSES = {200, 410}  # not 404s: any address can be asked for, and must not fill the cache


@dataclass(frozen=True)
class PublicState:
    generation: int
    changed_at: float  # a Unix time
    next_change: float | None  # when a change is due with nobody acting (a scheduled article)


def _state_cache():
    return caches["public"]


def public_state() -> PublicState:
    """The current generation, moved on first if a scheduled publish time has arrived since."""
    found = _state_cache().get_many([GENERATION, CHANGED_AT, NEXT_CHANGE])
    if GENERATION not in found or CHANGED_AT not in found:
        return _next_generation()
    state = PublicState(found[GENERATION], found[CHANGED_AT], found.get(NEXT_CHANGE))
    if state.next_change is not None and state.next_change <= _unix_now():
        return _next_generation()
    return state


def forget_public_pages() -> None:
    """Move the generation on once the current transaction commits (at once outside one): once per
    transaction, however many rows it changes."""
    connection = transaction.get_connection()
    pending = getattr(connection, "footnote_forget_pending", None)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        return

    def forget() -> None:
        connection.footnote_forget_pending = None
        _next_generation()

    connection.footnote_forget_pending = forget
    transaction.on_commit(forget)


def forget_public_pages_on_change(*models) -> None:
    """Forget the public pages whenever a row of one of `models` is saved or deleted, or its
    many-to-many links change, whoever writes it (the admin, an import, a service, a shell): a
    page must never show what was true before. Bulk writes, which send no signal, call
    `forget_public_pages` themselves."""
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"forget-pages-saved-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"forget-pages-deleted-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _changed, sender=through, dispatch_uid=f"forget-pages-linked-{through._meta.label}"
            )


def _changed(**kwargs) -> None:
    forget_public_pages()


def _next_generation() -> PublicState:
    store = _state_cache()
    try:
        generation = store.incr(GENERATION)
    except ValueError:
        # Never stored, or evicted: a number no earlier generation used, so no old page is read again.
        generation = time.time_ns()
        store.set(GENERATION, generation)
    state = PublicState(generation, _unix_now(), _next_change())
    store.set_many({CHANGED_AT: state.changed_at, NEXT_CHANGE: state.next_change})
    return state


def forget_public_pages_at(when: Callable[[], datetime.datetime | None]) -> None:
    """Also move the generation on when the time `when()` gives arrives, such as the next scheduled
    publication: asked again each time the generation moves."""
    _CHANGES_TO_COME.append(when)


_CHANGES_TO_COME: list[Callable[[], datetime.datetime | None]] = []


def _unix_now() -> float:
    return time.time()


def _next_change() -> float | None:
    times = [when.timestamp() for when in (ask() for ask in _CHANGES_TO_COME) if when is not None]
    return min(times, default=None)


def public_page(view=None, *, query: Iterable[str] | None = (), representation=None):
    """Serve `view`, which shows only what is public and the same to everyone, from the cache, with
    ETag and Last-Modified, answering a matching conditional request with 304.

    `query` names the parameters of the address the view reads. The view sees only those, and the
    page is stored under them alone, so `?utm_source=…` or a random parameter is the same page from
    the cache, not a fresh rendering anyone could ask for at will. `query=None` hands the view every
    parameter, for a view that refuses those it does not know (the API). `representation(request)`
    names the form the view will answer in, for a view that answers in more than one (the API's JSON
    or, in development, its browsable HTML), so that each is stored apart.
    """
    if view is None:
        return partial(public_page, query=query, representation=representation)
    names = None if query is None else frozenset(query)

    @wraps(view)
    def page(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        _keep_only(request, names)
        state = public_state()
        form = representation(request) if representation else ""
        response = _cached(request, state, form, view, args, kwargs)
        if not _storable(response):
            return response
        # Weak: the page compressed and plain are the same page to a reader.
        response["ETag"] = f'W/"{state.generation}"'
        response["Last-Modified"] = http_date(state.changed_at)
        # Shared caches may keep the page but must ask again each time: a withdrawn article goes at once.
        patch_cache_control(response, public=True, no_cache=True)
        if response.status_code != 200:
            return response  # a 410 is no page a reader could hold a copy of, even for "If-None-Match: *"
        patch_vary_headers(response, ("Accept-Encoding",))  # as the 304 standing for it must say
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=int(state.changed_at), response=response
        )

    page.public_page = True
    return page


def _keep_only(request, names: frozenset[str] | None) -> None:
    """Leave the request with the parameters in `names` alone (all of them if None), in a canonical
    order: what the view reads, links back to (`{% querystring %}`, `build_absolute_uri`) and the
    page's key all agree."""
    kept = QueryDict(mutable=True)
    for name in sorted(request.GET.keys() if names is None else names & request.GET.keys()):
        kept.setlist(name, request.GET.getlist(name))
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


def _cached(request, state: PublicState, form: str, view, args, kwargs):
    gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    key = _page_key(request, state, form, gzipped)
    response = cache.get(key)
    if response is None:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        seconds = settings.FOOTNOTE_PAGE_CACHE_SECONDS
        if seconds and request.method == "GET" and _storable(response):
            if gzipped:
                _compress(response)
            cache.set(key, response, seconds)
    return response


def _compress(response) -> None:
    """Compress the page once, as it is stored, rather than at every request (GZipMiddleware leaves
    a response that has its encoding alone)."""
    patch_vary_headers(response, ("Accept-Encoding",))
    compressed = compress_string(response.content)
    if len(compressed) < len(response.content) and not response.has_header("Content-Encoding"):
        response.content = compressed
        response["Content-Encoding"] = "gzip"


def _page_key(request, state: PublicState, form: str, gzipped: bool) -> str:
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"footnote:page:{state.generation}:{address}:{form}:{'gzip' if gzipped else 'plain'}"


def _storable(response) -> bool:
    """A response the same for every reader: not a preview, no cookie set, nothing varying by user."""
    control = response.get("Cache-Control", "")
    return (
        response.status_code in STORED_STATUSES
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and "Cookie" not in response.get("Vary", "")
    )
