"""The link checker against a site served on 127.0.0.1, and the recording of what it finds."""

import socket

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.link_health import (
    LinkChecker,
    LinkJob,
    LinkResult,
    interleaved_by_host,
    source_links_record,
    sources_due_for_check,
)
from articles.models import Source
from tests.factories import SourceFactory
from tests.helpers import past
from tests.http_servers import TIMEOUT, LinkSite

Status = Source.LinkStatus


@pytest.fixture
def site():
    with LinkSite() as running:
        yield running


def checker(**overrides) -> LinkChecker:
    options = {
        "user_agent": "FootnoteLinkChecker/1.0 (+https://footnote.example; links@footnote.example)",
        "timeout": TIMEOUT,
        "concurrency": 4,
        "per_host_interval": 0.0,
        "allow_private": True,  # the test servers listen on 127.0.0.1
    } | overrides
    return LinkChecker(**options)


def check_and_record(sources, **overrides) -> list[LinkResult]:
    jobs = [LinkJob(source.pk, source.key, source.url) for source in sources]
    results = list(checker(**overrides).check(jobs))
    source_links_record(results=results)
    return results


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_every_kind_of_answer_is_recorded_with_its_status_target_and_reason(site):
    paths = {
        "ok": "/ok",
        "moved": "/moved",
        "slash": "/slash",
        "gone": "/gone",
        "error": "/error",
        "no-head": "/no-head",
        "loop": "/loop-a",
        "ftp": "/to-ftp",
        "moved-then-gone": "/moved-then-gone",
        "hang": "/hang",
    }
    sources = {key: SourceFactory(key=key, url=site.url(path)) for key, path in paths.items()}
    before = Source.objects.get(key="ok").link_checked_at

    check_and_record(sources.values())

    found = {
        s.key: (s.link_status, s.link_target, s.link_error) for s in Source.objects.filter(key__in=paths)
    }
    assert found == {
        "ok": (Status.OK, "", ""),
        "moved": (Status.REDIRECTED, site.url("/pages/new"), ""),
        # Only a trailing slash added: the same page to a reader.
        "slash": (Status.OK, "", ""),
        "gone": (Status.BROKEN, "", "404 Not Found"),
        "error": (Status.BROKEN, "", "500 Internal Server Error"),
        "no-head": (Status.OK, "", ""),
        "loop": (Status.BROKEN, site.url("/loop-a"), "redirect loop"),
        "ftp": (Status.BROKEN, "ftp://127.0.0.1/file.txt", "redirects to a non-web address"),
        "moved-then-gone": (Status.BROKEN, site.url("/gone"), "404 Not Found"),
        "hang": (Status.BROKEN, "", "timed out after 0.5 s"),
    }
    assert before is None
    assert all(s.link_checked_at is not None for s in Source.objects.filter(key__in=paths))
    # HEAD first everywhere; GET only where HEAD was refused; the ftp address was never asked for.
    assert sorted(path for method, _, path in site.requests if method == "GET") == ["/no-head"]
    assert "/file.txt" not in site.paths()


def test_every_request_says_who_is_asking(site):
    seen = []

    class Recording(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            seen.append(request.headers["User-Agent"])
            return await super().handle_async_request(request)

    list(
        checker(transport=Recording(), user_agent="Footnote/1.0 (+https://f.example)").check(
            [LinkJob(1, "ok", site.url("/ok"))]
        )
    )

    assert seen == ["Footnote/1.0 (+https://f.example)"]


def test_requests_to_one_host_never_overlap_but_different_hosts_are_asked_at_once():
    with LinkSite() as site:
        jobs = [
            LinkJob(n, f"k{n}", site.url(f"/meet/{n}", host=host))
            for n, host in enumerate(["127.0.0.1", "localhost"] * 4)
        ]
        results = list(checker(concurrency=8, timeout=5).check(jobs))

    assert {r.status for r in results} == {Status.OK} and len(results) == 8
    assert site.most_in_flight == {"127.0.0.1": 1, "localhost": 1}
    # Both hosts at once, so the limit above is the checker's politeness, not a slow test.
    assert site.most_in_flight_overall == 2


def test_the_concurrency_limit_holds_across_hosts():
    with LinkSite(pause=0.1) as site:
        jobs = [
            LinkJob(n, f"k{n}", site.url(f"/pause/{n}", host=host))
            for n, host in enumerate(["127.0.0.1", "localhost"] * 3)
        ]
        list(checker(concurrency=1).check(jobs))

    assert site.most_in_flight_overall == 1 and len(site.requests) == 6


def test_a_host_is_given_a_pause_between_two_requests():
    interval = 0.2
    with LinkSite() as site:
        jobs = [LinkJob(n, f"k{n}", site.url(f"/pause/{n}")) for n in range(3)]
        list(checker(per_host_interval=interval).check(jobs))

    times = sorted(site.times)
    gaps = [started - ended for (_, ended), (started, _) in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= interval


def test_connection_refused_and_addresses_that_are_not_web_pages_are_broken_without_a_request():
    jobs = [
        LinkJob(1, "closed", f"http://127.0.0.1:{closed_port()}/page"),
        LinkJob(2, "mail", "mailto:press@example.org"),
        LinkJob(3, "script", "javascript:alert(1)"),
    ]

    results = {r.source_id: r.error for r in checker().check(jobs)}

    assert results == {
        1: "connection refused",
        2: "not a web (http or https) address",
        3: "not a web (http or https) address",
    }


def test_a_name_that_does_not_resolve_is_a_dns_failure():
    def unresolvable(request):
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

    results = list(
        checker(transport=httpx.MockTransport(unresolvable)).check(
            [LinkJob(1, "gone-domain", "https://lapsed-domain.example/report")]
        )
    )

    assert results[0].status == Status.BROKEN
    assert results[0].error == "DNS lookup failed for lapsed-domain.example (Name or service not known)"


def test_jobs_take_turns_by_host():
    jobs = [
        LinkJob(1, "a1", "https://a.example/1"),
        LinkJob(2, "a2", "https://a.example/2"),
        LinkJob(3, "a3", "https://A.example/3"),
        LinkJob(4, "b1", "https://b.example/1"),
        LinkJob(5, "c1", "https://c.example/1"),
        LinkJob(6, "c2", "https://c.example/2"),
    ]

    assert [job.source_id for job in interleaved_by_host(jobs)] == [1, 4, 5, 2, 6, 3]


def test_stopping_early_cancels_the_rest(site):
    jobs = [LinkJob(1, "ok", site.url("/ok"))] + [
        LinkJob(n, f"h{n}", site.url(f"/hang?{n}")) for n in range(2, 6)
    ]
    results = checker(concurrency=1).check(jobs)

    first = next(results)
    results.close()

    assert first.source_id == 1
    # The hanging pages were not all waited for: the run stopped when the caller did.
    assert len(site.requests) < len(jobs)


@pytest.mark.django_db
def test_recording_writes_only_the_link_fields_and_skips_addresses_changed_since():
    kept = SourceFactory(title="Kept title", archive_url="https://web.archive.org/web/2024/x")
    changed = SourceFactory()
    stale = Source.objects.get(pk=kept.pk)
    Source.objects.filter(pk=kept.pk).update(title="Edited meanwhile")
    checked_at = past(days=0)
    results = [
        LinkResult(kept.pk, kept.url, Status.REDIRECTED, checked_at, target="https://example.org/new"),
        LinkResult(changed.pk, changed.url, Status.BROKEN, checked_at, error="404 Not Found"),
        LinkResult(999_999, "https://example.org/deleted", Status.OK, checked_at),
    ]
    Source.objects.filter(pk=changed.pk).update(url="https://example.org/corrected")

    written = source_links_record(results=results)

    assert written == 1
    kept = Source.objects.get(pk=stale.pk)
    assert (kept.link_status, kept.link_target, kept.link_error) == (
        Status.REDIRECTED,
        "https://example.org/new",
        "",
    )
    assert kept.link_checked_at == checked_at
    assert kept.title == "Edited meanwhile" and kept.archive_url == "https://web.archive.org/web/2024/x"
    changed = Source.objects.get(pk=changed.pk)
    assert (changed.link_status, changed.link_checked_at) == (Status.UNCHECKED, None)


@pytest.mark.django_db
def test_recording_many_results_takes_a_few_queries_and_shortens_long_reasons():
    sources = Source.objects.bulk_create(SourceFactory.build_batch(1200))
    checked_at = past(days=0)
    results = [LinkResult(s.pk, s.url, Status.BROKEN, checked_at, error="x" * 400) for s in sources]

    with CaptureQueriesContext(connection) as queries:
        assert source_links_record(results=results) == 1200

    # A read per chunk of 500 and updates of a few hundred rows each (SQLite binds at most 999
    # values to a query), never a query per source.
    assert len(queries) <= 20
    errors = set(Source.objects.values_list("link_error", flat=True))
    assert errors == {"x" * 299 + "…"}


@pytest.mark.django_db
def test_due_sources_are_those_with_an_address_never_or_long_ago_checked():
    never = SourceFactory(key="never")
    long_ago = SourceFactory(key="long-ago", link_checked_at=past(days=30))
    SourceFactory(key="recent", link_checked_at=past(days=1))
    SourceFactory(key="no-address", url="")
    SourceFactory(key="placeholder", url="", placeholder=True)

    due = list(sources_due_for_check(older_than=past(days=7)))

    assert [s.key for s in due] == [never.key, long_ago.key]
    # Only what a check needs is loaded.
    assert due[0].get_deferred_fields() >= {"title", "link_status", "archive_url"}


def test_addresses_inside_the_servers_network_are_never_asked(site):
    jobs = [
        LinkJob(1, "loopback", site.url("/ok")),
        LinkJob(2, "metadata", "http://169.254.169.254/latest/meta-data/"),
        LinkJob(3, "private", "http://10.0.0.7/admin"),
    ]

    results = {result.source_id: result for result in checker(allow_private=False).check(jobs)}

    assert {r.status for r in results.values()} == {Status.BROKEN}
    assert results[2].error == "169.254.169.254 is an address inside the server's own network, not checked"
    assert site.requests == []


def test_a_public_page_redirecting_inside_the_network_is_not_followed():
    def public_then_private(request):
        if request.url.host == "93.184.216.34":
            return httpx.Response(302, headers={"Location": "http://127.0.0.1:8000/admin/"})
        raise AssertionError(f"asked {request.url}")

    transport = httpx.MockTransport(public_then_private)
    [result] = checker(allow_private=False, transport=transport).check(
        [LinkJob(1, "public", "http://93.184.216.34/page")]
    )

    assert (result.status, result.target) == (Status.BROKEN, "http://127.0.0.1:8000/admin/")
    assert "inside the server's own network" in result.error
