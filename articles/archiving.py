"""Copies of cited pages in a web archive, so a note still leads somewhere once the page is gone.

One client, set by `WEB_ARCHIVE_SAVE_URL`: the page's address is appended to it and requested,
as the Wayback Machine's Save Page Now expects (the default). The archive says where it keeps the
copy in a Content-Location or Location header, or by redirecting to it.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .link_health import status_text
from .links import web_address
from .models import Source

MAX_ARCHIVE_REDIRECTS = 5
# Wayback addresses carry the copy's time: https://web.archive.org/web/20240131120000/https://…
WAYBACK_TIME = re.compile(r"/web/(\d{14})")


class ArchiveError(Exception):
    """The archive could not be asked, refused, or did not say where it keeps the copy."""


@dataclass(frozen=True, slots=True)
class ArchivedCopy:
    url: str
    at: datetime.datetime


def archive_save(*, url: str, transport: httpx.BaseTransport | None = None) -> ArchivedCopy:
    """Ask the web archive to save the page at `url`; where and when it keeps the copy."""
    page = web_address(url).split("#", 1)[0]
    if not page:
        raise ArchiveError(f"“{url}” is not a web page the archive can save.")
    save_url = settings.WEB_ARCHIVE_SAVE_URL + page
    try:
        client = httpx.Client(
            headers={"User-Agent": settings.LINK_CHECK_USER_AGENT},
            timeout=settings.WEB_ARCHIVE_TIMEOUT,
            follow_redirects=True,
            max_redirects=MAX_ARCHIVE_REDIRECTS,
            transport=transport,
        )
        # Streamed and closed unread: the copy's address is in the headers, the page is not needed.
        with client, client.stream("GET", save_url) as response:
            pass
    except httpx.TimeoutException as exc:
        timeout = settings.WEB_ARCHIVE_TIMEOUT
        raise ArchiveError(f"The web archive did not answer within {timeout:g} s for {page}.") from exc
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise ArchiveError(f"The web archive could not be asked to save {page}: {reason}.") from exc
    if not response.is_success:
        raise ArchiveError(f"The web archive refused to save {page}: {status_text(response)}.")
    copy = _copy_address(response)
    if not copy:
        raise ArchiveError(f"The web archive did not say where it saved {page}.")
    return ArchivedCopy(url=copy, at=_copy_time(copy))


def _copy_address(response: httpx.Response) -> str:
    """The copy's absolute address, from the headers, or the address the archive redirected to."""
    for header in ("Content-Location", "Location"):
        if value := response.headers.get(header, "").strip():
            return web_address(urljoin(str(response.url), value))
    # Without either header, only a redirect says where the copy is: the save address itself is not it.
    return web_address(str(response.url)) if response.history else ""


def _copy_time(copy: str) -> datetime.datetime:
    """When the archive made the copy, as its address says; now, when it does not say."""
    if found := WAYBACK_TIME.search(urlsplit(copy).path):
        try:
            return datetime.datetime.strptime(found[1], "%Y%m%d%H%M%S").replace(tzinfo=datetime.UTC)
        except ValueError:
            pass
    return timezone.now()


def sources_due_for_archive(*, limit: int) -> QuerySet[Source]:
    """Up to `limit` sources whose page was live when last checked and that have no archived copy."""
    return (
        Source.objects.filter(link_status__in=[Source.LinkStatus.OK, Source.LinkStatus.REDIRECTED])
        .exclude(url="")
        .filter(archive_url="")
        .only("pk", "key", "url")
        .order_by("pk")[:limit]
    )


def source_archive(*, source: Source, transport: httpx.BaseTransport | None = None) -> Source:
    """Have the web archive save `source`'s page, and keep the copy's address and time on the source.

    The archive is asked before anything is written, so no transaction waits on it; then only
    the two archive fields are written.
    """
    copy = archive_save(url=source.url, transport=transport)
    max_length = Source._meta.get_field("archive_url").max_length
    if len(copy.url) > max_length:
        raise ArchiveError(f"The archived copy's address is longer than {max_length} characters.")
    source.archive_url, source.archived_at = copy.url, copy.at
    source.save(update_fields=["archive_url", "archived_at"])
    return source
