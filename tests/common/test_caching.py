"""Public pages are served from the cache, answer conditional requests, and never outlive a change."""

import datetime
import gzip
import time
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim
from articles.workflow import article_publish, article_withdraw, claim_set_status, source_assess
from common import caching
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DevelopmentFactory,
    RelationFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.fixture(autouse=True)
def _pages_cached(settings):
    settings.FOOTNOTE_PAGE_CACHE_SECONDS = 3600


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block writes as a transaction of its own that commits at its end. (The test's
    transaction never commits, so what was written before the block is still waiting to.)"""

    def transaction():
        connection.footnote_forget_pending = None
        return django_capture_on_commit_callbacks(execute=True)

    return transaction


def _text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_a_public_page_carries_an_etag_a_last_modified_date_and_asks_caches_to_revalidate(client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"].endswith("GMT")
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"public", "no-cache"}


def test_a_second_request_is_served_from_the_cache_without_a_query(client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(article.get_absolute_url())
    assert len(queries) == 0
    assert second.content == first.content


@pytest.mark.parametrize("noise", ["utm_source=newsletter", "x=1&y=2", "page=2", "%00=%FF"])
def test_parameters_a_page_does_not_read_are_the_same_page_from_the_cache(client, noise):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"{article.get_absolute_url()}?{noise}")
    assert len(queries) == 0
    assert again.content == first.content


def test_a_list_is_stored_under_the_parameters_it_reads_whatever_their_order_or_the_noise(client):
    topic = TopicFactory(slug="energy")
    ArticleFactory().topics.add(topic)
    ArticleFactory()
    url = reverse("articles:article-list")
    filtered = client.get(f"{url}?topic=energy&kind=analysis&utm_source=x")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"{url}?fbclid=y&kind=analysis&topic=energy")
    assert len(queries) == 0
    assert again.content == filtered.content
    assert "utm_source" not in filtered.content.decode()  # links on the page never carry the noise
    assert client.get(f"{url}?topic=energy").content != filtered.content


@pytest.mark.parametrize("header", ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])
def test_a_conditional_request_for_an_unchanged_page_answers_304_without_rendering(client, header):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    validator = first["ETag"] if header == "HTTP_IF_NONE_MATCH" else first["Last-Modified"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(article.get_absolute_url(), **{header: validator})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "Accept-Encoding" in again["Vary"]
    assert len(queries) == 0


def test_a_conditional_request_after_a_change_gets_the_new_page(client, committed):
    article = ArticleFactory(title="Before")
    first = client.get(article.get_absolute_url())
    with committed():
        Article.objects.filter(pk=article.pk).first().save()  # any save of a row readers see
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def _retitle(article):
    article.title = "Changed for readers"
    article.save()


def _restate_claim(article):
    claim = article.claims.get()
    claim.statement = "Changed for readers"
    claim.save()


def _verify_claim(article):
    claim_set_status(claim=article.claims.get(), status=Claim.Status.VERIFIED, user=None, note="Checked.")


def _retitle_source(article):
    source = article.citations.first().source
    source.title = "Changed for readers"
    source.save()


def _grade_source(article):
    source_assess(
        source=article.citations.first().source, user=None, reliability="A", credibility=2, note="Known."
    )


def _rename_actor(article):
    actor = article.actors.get()
    actor.name = "Changed for readers"
    actor.save()


def _add_topic(article):
    article.topics.add(TopicFactory(name="Changed for readers"))


CHANGES = {
    "article edited": _retitle,
    "claim edited": _restate_claim,
    "claim verified": _verify_claim,
    "source record edited": _retitle_source,
    "source graded": _grade_source,
    "actor renamed": _rename_actor,
    "topic added": _add_topic,
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
def test_every_change_a_page_shows_is_on_the_next_request(client, committed, change):
    article = ArticleFactory(body="Trade [grew](https://example.org/cached).")
    claim = ClaimFactory(article=article, statement="Trade grew.", status=Claim.Status.UNVERIFIED)
    ClaimEvidenceFactory(claim=claim)
    article.actors.add(ActorFactory(name="Kazakhstan"))
    before = client.get(article.get_absolute_url())
    assert "Changed for readers" not in _text(before)

    with committed():
        change(article)

    after = _text(client.get(article.get_absolute_url()))
    if change is _verify_claim:
        assert "Verified" in after.replace("Unverified", "")
    elif change is _grade_source:
        assert after != _text(before)
    else:
        assert "Changed for readers" in after


def test_a_relation_page_shows_a_new_development_at_once(client, committed):
    relation = RelationFactory()
    client.get(relation.get_absolute_url())
    with committed():
        development = DevelopmentFactory(title="A border treaty is signed")
        development.participants.set([relation.actor_a, relation.actor_b])
    assert "A border treaty is signed" in _text(client.get(relation.get_absolute_url()))


def test_a_withdrawn_article_answers_410_on_the_next_request(client, editor_user, committed):
    article = ArticleFactory()
    assert client.get(article.get_absolute_url()).status_code == 200
    with committed():
        article_withdraw(article=article, user=editor_user, note="Legal review.")
    assert client.get(article.get_absolute_url()).status_code == 410


def test_a_scheduled_article_appears_when_its_time_comes_with_nobody_saving(client, monkeypatch, committed):
    with committed():
        ArticleFactory(title="Live already")
        scheduled = ArticleFactory(title="Due in an hour", published_at=timezone.now() + _hour())
    listed = _text(client.get(reverse("articles:article-list")))
    assert "Live already" in listed and "Due in an hour" not in listed

    later, later_unix = timezone.now() + _hour() * 2, time.time() + 7200
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(caching, "_unix_now", lambda: later_unix)

    assert "Due in an hour" in _text(client.get(reverse("articles:article-list")))
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def _hour():
    return datetime.timedelta(hours=1)


def test_many_rows_changed_in_one_transaction_move_the_generation_once(committed):
    before = caching.public_state().generation
    with committed():
        for _ in range(5):
            SourceFactory()
    assert caching.public_state().generation == before + 1


def test_a_lost_generation_starts_a_new_one_that_no_stored_page_used(client):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    old = caching.public_state().generation
    caches["public"].delete(caching.GENERATION)
    assert caching.public_state().generation not in {old, 0, 1}


def test_a_preview_is_neither_stored_nor_validated(client, editor_user):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor_user)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "private" in response["Cache-Control"]
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_address_that_is_not_found_is_not_stored(client):
    client.get("/articles/no-such-article/")
    assert not any("footnote:page" in key for key in caches["default"]._cache)  # locmem in tests


def test_pages_are_compressed_once_for_clients_that_accept_it_and_plain_for_others(client, monkeypatch):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    page = gzip.decompress(first.content)
    assert b"<html" in page

    compressions = []
    monkeypatch.setattr(caching, "compress_string", lambda *a, **k: compressions.append(a) or b"")
    again = client.get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(again.content) == page
    assert compressions == []  # served as it was stored

    plain = client.get(article.get_absolute_url())
    assert not plain.has_header("Content-Encoding")
    assert plain.content == page
    assert plain["ETag"] == first["ETag"] and first["ETag"].startswith('W/"')
    revalidated = client.get(
        article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert revalidated.status_code == 304


def _sitemap_has(client, article) -> bool:
    def locations(url):
        return [
            loc.text for loc in ElementTree.fromstring(client.get(url).content).iter(f"{{{SITEMAPS}}}loc")
        ]

    urls = [url for section in locations(reverse("articles:sitemap")) for url in locations(section)]
    return f"http://testserver{article.get_absolute_url()}" in urls


def test_a_withdrawn_article_leaves_cached_search_results_and_sitemaps_at_once(
    client, editor_user, committed
):
    article = ArticleFactory(title="Ferghana water talks", body="Ferghana water talks resumed.")
    assert "Ferghana water talks" in _text(client.get(reverse("articles:search"), {"q": "Ferghana"}))
    assert _sitemap_has(client, article)

    with committed():
        article_withdraw(article=article, user=editor_user, note="Legal review.")

    assert "Ferghana water talks" not in _text(client.get(reverse("articles:search"), {"q": "Ferghana"}))
    assert not _sitemap_has(client, article)

    with committed():
        article_publish(article=article, user=editor_user)
    assert _sitemap_has(client, article)


def test_every_public_page_of_the_site_is_served_through_the_page_cache():
    from django.urls import get_resolver

    resolver = get_resolver()
    public = [
        pattern
        for namespace in ("articles", "relations")
        for pattern in resolver.namespace_dict[namespace][1].url_patterns
    ]
    uncached = {p.name for p in public if not getattr(p.callback, "public_page", False)}
    assert uncached == {"robots-txt"}  # a day in browsers' caches, whatever changes


@pytest.mark.parametrize(
    "validators",
    [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"}],
)
def test_an_address_that_is_no_page_answers_as_such_whatever_the_validators(
    client, editor_user, committed, validators
):
    page, withdrawn = ArticleFactory(), ArticleFactory()
    with committed():
        article_withdraw(article=withdrawn, user=editor_user, note="Legal review.")
    assert client.get(page.get_absolute_url(), **validators).status_code == 304
    assert client.get("/articles/no-such-article/", **validators).status_code == 404
    assert client.get(withdrawn.get_absolute_url(), **validators).status_code == 410


def test_another_pages_etag_does_not_stand_for_an_address_that_is_no_page(client):
    etag = client.get(ArticleFactory().get_absolute_url())["ETag"]
    assert client.get("/articles/no-such-article/", HTTP_IF_NONE_MATCH=etag).status_code == 404
