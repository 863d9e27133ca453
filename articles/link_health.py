"""Link health: whether each source's address still leads to a page, and where.

`LinkChecker` asks many sites at once and each site politely: at most one request to a host at
a time, a pause between two requests to it, a User-Agent saying who asks, a time-out on every
request, HEAD first and GET only when a server refuses HEAD. Redirects are followed one hop at a
time, each hop as polite as the first, to http(s) addresses only. Bodies are never read: the
status line and headers say all it needs, so a huge or endless page costs nothing.

A link is
- ok: the page answers 2xx, at its own address or at one that normalises to it (`normalise_url`:
  http to https, `www.`, a trailing slash), which is the same page for a reader;
- redirected: it answers 2xx at another address, recorded as the target;
- broken: anything else, with the status ("404 Not Found") or the error ("timed out after 10 s").

The checks run in an event loop on a thread of their own, so the caller keeps the database on its
own thread and records results while later ones are still being fetched.
"""

import asyncio
import contextlib
import datetime
import ipaddress
import itertools
import queue
import socket
import ssl
import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.caching import forget_public_pages

from .links import normalise_url, web_address
from .models import Source

Status = Source.LinkStatus
MAX_REDIRECTS = 10
# Statuses servers give to a HEAD they will not serve although GET works; a 404 or 410 is believed.
HEAD_REFUSED = frozenset({400, 403, 405, 406, 501})
RECORD_CHUNK = 500
RECORD_EVERY = 200  # results recorded at once while a run goes on
SELECT_CHUNK = 2000
RECORDED_FIELDS = ["link_status", "link_checked_at", "link_target", "link_error"]


@dataclass(frozen=True, slots=True)
class LinkJob:
    """One source's address to check: what the checker needs, without the model instance."""

    source_id: int
    key: str
    url: str


@dataclass(frozen=True, slots=True)
class LinkResult:
    source_id: int
    url: str  # the address checked, so a result is not recorded against an address changed since
    status: str  # a Source.LinkStatus value: ok, redirected or broken
    checked_at: datetime.datetime
    target: str = ""  # where redirects ended, when there were any
    error: str = ""  # why the link is broken


class LinkChecker:
    """Checks many addresses concurrently, politely per host; see the module's docstring."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        concurrency: int,
        per_host_interval: float,
        allow_private: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if timeout <= 0 or concurrency < 1 or per_host_interval < 0:
            raise ValueError("The time-out must be positive, the concurrency at least 1, the interval >= 0.")
        self.user_agent = user_agent
        self.timeout = timeout
        self.concurrency = concurrency
        self.per_host_interval = per_host_interval
        # The checker runs on the server: an address inside its network (the cloud's metadata
        # service, an admin port on localhost) is refused unless this deployment says otherwise.
        self.allow_private = allow_private
        self.transport = transport  # tests give a mock transport for failures no local server can make

    def check(self, jobs: Iterable[LinkJob]) -> Iterator[LinkResult]:
        """The result of every job, in the order they finish.

        Closing the iterator early (an exception in the caller's loop) cancels what is left.
        """
        # Read here, on the caller's thread: `jobs` may come from the database, which is not
        # to be used from the checker's thread.
        ordered = list(interleaved_by_host(jobs))
        results: queue.Queue = queue.Queue()
        run = _Run(self, iter(ordered), results.put)
        thread = threading.Thread(target=run.run, name="link-checker", daemon=True)
        thread.start()
        try:
            while (item := results.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            run.cancel()
            thread.join()

    async def check_one(self, client: "_PoliteClient", job: LinkJob) -> LinkResult:
        url, target = job.url.strip(), ""
        try:
            if not web_address(url):
                return self._result(job, Status.BROKEN, error="not a web (http or https) address")
            seen = {str(httpx.URL(url))}
            response = await client.fetch(url)
            while response.is_redirect:
                target = str(response.url.join(response.headers["Location"]))
                if error := _redirect_refused(target, seen):
                    return self._result(job, Status.BROKEN, target=target, error=error)
                seen.add(target)
                response = await client.fetch(target)
        except Exception as exc:  # every failure of one link is that link's result, never the run's end
            error = self.describe(exc, url=target or url)
            return self._result(job, Status.BROKEN, target=target, error=error)
        if not response.is_success:
            return self._result(job, Status.BROKEN, target=target, error=status_text(response))
        if not target or normalise_url(target) == normalise_url(url):
            return self._result(job, Status.OK)
        return self._result(job, Status.REDIRECTED, target=target)

    def describe(self, exc: Exception, *, url: str) -> str:
        """A short reason for a failed request, as an editor would read it."""
        if isinstance(exc, TimeoutError | httpx.TimeoutException):
            return f"timed out after {self.timeout:g} s"
        causes = _causes(exc)
        if gaierror := next((c for c in causes if isinstance(c, socket.gaierror)), None):
            host = urlsplit(url).hostname or url
            return f"DNS lookup failed for {host} ({gaierror.strerror or gaierror})"
        if isinstance(exc, PrivateAddress):
            return str(exc)
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return "connection refused"
        if invalid := next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None):
            return f"TLS certificate not accepted ({invalid.verify_message})"
        if any(isinstance(c, ssl.SSLError) for c in causes):
            return "TLS handshake failed"
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | ValueError):
            return "not a valid web address"
        if isinstance(exc, httpx.RemoteProtocolError):
            return "the server broke off the answer"
        if isinstance(exc, httpx.ConnectError):
            return f"could not connect ({exc})"
        return f"{type(exc).__name__}: {exc}"

    def _result(self, job: LinkJob, status: str, *, target: str = "", error: str = "") -> LinkResult:
        return LinkResult(
            source_id=job.source_id,
            url=job.url,
            status=status,
            checked_at=timezone.now(),
            target=target,
            error=error,
        )


class PrivateAddress(Exception):
    """An address that leads inside the server's own network, which the checker never asks."""


async def refuse_private_address(url: str) -> None:
    """Raise PrivateAddress when the host of `url` is, or resolves to, a loopback, private,
    link-local or otherwise reserved address. (A host that changes its answer between this lookup and
    the connection can still slip through; the time-out and the unread bodies bound what it gets.)"""
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if any(not address.is_global for address in addresses):
        raise PrivateAddress(f"{host} is an address inside the server's own network, not checked")


def status_text(response: httpx.Response) -> str:
    """ "404 Not Found": the standard reason phrase, or the server's for codes without one."""
    reason = httpx.codes.get_reason_phrase(response.status_code) or response.reason_phrase
    return f"{response.status_code} {reason}".strip()


def _redirect_refused(target: str, seen: set[str]) -> str:
    """Why a redirect to `target`, after the addresses `seen`, is not followed ('' when it is)."""
    if urlsplit(target).scheme not in {"http", "https"}:
        return "redirects to a non-web address"
    if target in seen:
        return "redirect loop"
    if len(seen) > MAX_REDIRECTS:
        return f"more than {MAX_REDIRECTS} redirects"
    return ""


def interleaved_by_host(jobs: Iterable[LinkJob]) -> Iterator[LinkJob]:
    """`jobs` taking turns by host: the first of each host, then the second of each, and so on.

    Requests to one host wait for each other, so a run of one host's sources would hold up the
    ones behind it; taking turns keeps every host busy until only the largest are left.
    """
    by_host: dict[str, deque[LinkJob]] = defaultdict(deque)
    for job in jobs:
        by_host[_host(job.url)].append(job)
    while by_host:
        for host in list(by_host):
            waiting = by_host[host]
            yield waiting.popleft()
            if not waiting:
                del by_host[host]


class _HostGate:
    """One host's turn: a lock held for one request, and when the next may start."""

    __slots__ = ("lock", "free_at")

    def __init__(self):
        self.lock = asyncio.Lock()
        self.free_at = 0.0


class _PoliteClient:
    """An httpx client sending one request at a time per host, and at most `concurrency` in all."""

    def __init__(self, checker: LinkChecker, client: httpx.AsyncClient):
        self.checker = checker
        self.client = client
        self.slots = asyncio.Semaphore(checker.concurrency)
        self.gates: dict[str, _HostGate] = defaultdict(_HostGate)

    async def fetch(self, url: str) -> httpx.Response:
        """HEAD `url`, and GET it when the server refuses HEAD; the answer, closed, body unread."""
        response = await self.request("HEAD", url)
        if response.status_code in HEAD_REFUSED:
            response = await self.request("GET", url)
        return response

    async def request(self, method: str, url: str) -> httpx.Response:
        loop = asyncio.get_running_loop()
        if not self.checker.allow_private:
            await refuse_private_address(url)
        gate = self.gates[_host(url)]
        async with gate.lock:
            if (wait := gate.free_at - loop.time()) > 0:
                await asyncio.sleep(wait)
            # A host waiting its turn holds no slot: slots go to hosts that can be asked now.
            try:
                async with self.slots, asyncio.timeout(self.checker.timeout):
                    response = await self.client.send(self.client.build_request(method, url), stream=True)
                    await response.aclose()
            finally:
                # The pause runs from the end of a request, so a slow host is asked more slowly.
                gate.free_at = loop.time() + self.checker.per_host_interval
        return response


_DONE = object()


class _Run:
    """One `LinkChecker.check` call: the event loop on its thread, and a way to stop it."""

    def __init__(self, checker: LinkChecker, jobs: Iterator[LinkJob], deliver):
        self.checker = checker
        self.jobs = jobs
        self.deliver = deliver
        self.cancelled = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None

    def run(self) -> None:
        try:
            asyncio.run(self.main())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # handed to the caller's thread, which raises it
            self.deliver(exc)
        finally:
            self.deliver(_DONE)

    def cancel(self) -> None:
        self.cancelled.set()
        if self.loop is not None and self.task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self.loop.call_soon_threadsafe(self.task.cancel)

    async def main(self) -> None:
        self.loop, self.task = asyncio.get_running_loop(), asyncio.current_task()
        checker = self.checker
        # Enough jobs under way that hosts waiting their turn do not leave slots idle.
        window = asyncio.Semaphore(checker.concurrency * 10)
        slots = checker.concurrency
        limits = httpx.Limits(max_connections=slots, max_keepalive_connections=slots)
        async with httpx.AsyncClient(
            headers={"User-Agent": checker.user_agent, "Accept": "*/*"},
            timeout=checker.timeout,
            limits=limits,
            follow_redirects=False,  # followed hop by hop above, each hop checked and polite
            transport=checker.transport,
        ) as client:
            polite = _PoliteClient(checker, client)

            def finished(task: asyncio.Task) -> None:
                window.release()
                if not task.cancelled():
                    self.deliver(task.result())

            async with asyncio.TaskGroup() as group:
                for job in self.jobs:
                    if self.cancelled.is_set():
                        break
                    await window.acquire()
                    group.create_task(checker.check_one(polite, job)).add_done_callback(finished)


def _host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _causes(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def sources_due_for_check(*, older_than: datetime.datetime) -> Iterator[Source]:
    """Sources with an address whose link was never checked, or last checked before `older_than`.

    Only what a check needs is loaded, a chunk at a time, so an archive of any size fits in memory.
    """
    due = Source.objects.exclude(url="").filter(
        Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=older_than)
    )
    return due.only("pk", "key", "url").order_by("pk").iterator(chunk_size=SELECT_CHUNK)


@transaction.atomic
def source_links_record(*, results: Iterable[LinkResult]) -> int:
    """Write the link health of many sources at once, and nothing else of theirs; how many were written.

    A result whose source is gone, or whose address was changed since it was checked, is dropped:
    it says nothing about the address the source has now.
    """
    results = list(results)
    max_target = Source._meta.get_field("link_target").max_length
    max_error = Source._meta.get_field("link_error").max_length
    written = 0
    for start in range(0, len(results), RECORD_CHUNK):
        chunk = results[start : start + RECORD_CHUNK]
        current = dict(Source.objects.filter(pk__in=[r.source_id for r in chunk]).values_list("pk", "url"))
        rows = [
            Source(
                pk=result.source_id,
                link_status=result.status,
                link_checked_at=result.checked_at,
                # An address longer than the column holds is no address to link to.
                link_target=result.target if len(result.target) <= max_target else "",
                link_error=_shortened(result.error, max_error),
            )
            for result in chunk
            if current.get(result.source_id) == result.url
        ]
        written += Source.objects.bulk_update(rows, RECORDED_FIELDS)
    forget_public_pages()  # a source's page and the notes citing it show its link's health
    return written


def _shortened(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def links_check(*, jobs: list[LinkJob], timeout: float, concurrency: int) -> Iterator[list[LinkResult]]:
    """Check `jobs` as the deployment's settings say, recording the results a batch at a time as
    they come (a run cut short keeps what it found); yields each recorded batch."""
    checker = LinkChecker(
        user_agent=settings.LINK_CHECK_USER_AGENT,
        timeout=timeout,
        concurrency=concurrency,
        per_host_interval=settings.LINK_CHECK_PER_HOST_INTERVAL,
        allow_private=settings.LINK_CHECK_ALLOW_PRIVATE,
    )
    results = checker.check(jobs)
    while batch := list(itertools.islice(results, RECORD_EVERY)):
        source_links_record(results=batch)
        yield batch


def link_jobs(sources: Iterable[Source]) -> list[LinkJob]:
    """What the checker needs of `sources`, read in full before the first result is written: a
    cursor left open while the same table is written is not safe on every database."""
    return [LinkJob(source.pk, source.key, source.url) for source in sources]
