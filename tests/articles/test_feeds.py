"""RSS, Atom and the sitemap, tested by parsing what they serve."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleAuthorFactory, ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def articles():
    """One public article with an author and a topic, and one of each unpublished kind."""
    public = ArticleFactory(title="Trade with China", slug="trade-with-china", summary="Up 45 per cent.")
    ArticleAuthorFactory(article=public, author=AuthorFactory(name="Aida Nurlanova", slug="aida"))
    public.topics.add(TopicFactory(name="Trade", slug="trade"))
    hidden_topic = TopicFactory(name="Hidden", slug="hidden")
    for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.WITHDRAWN):
        ArticleFactory(title=f"Not public: {status}", status=status).topics.add(hidden_topic)
    ArticleFactory(title="Not public: scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
    ArticleAuthorFactory(
        article=Article.objects.get(title="Not public: draft"), author=AuthorFactory(slug="ghost")
    )
    return public


def _xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_the_rss_feed_lists_only_public_articles_with_author_and_topics(client, articles):
    channel = _xml(client, "/feeds/articles.rss").find("channel")
    items = channel.findall("item")

    assert [item.findtext("title") for item in items] == ["Trade with China"]
    [item] = items
    assert item.findtext("link") == "http://testserver/articles/trade-with-china/"
    assert item.findtext("description") == "Up 45 per cent."
    assert [category.text for category in item.findall("category")] == ["Trade"]
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Aida Nurlanova"


def test_the_atom_feed_lists_only_public_articles(client, articles):
    feed = _xml(client, "/feeds/articles.atom")
    entries = feed.findall(f"{ATOM}entry")

    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Trade with China"]
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Aida Nurlanova"
    assert entries[0].findtext(f"{ATOM}updated")


def _sitemap_locations(client) -> dict[str, str]:
    """Every page the sitemap index leads to, with its lastmod, read section by section."""
    index = _xml(client, "/sitemap.xml")
    locations = {}
    for section in index.findall(f"{SITEMAP}sitemap"):
        assert section.findtext(f"{SITEMAP}lastmod")
        path = section.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        for url in _xml(client, path).findall(f"{SITEMAP}url"):
            locations[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return locations


def test_the_sitemap_index_leads_only_to_public_pages_each_with_its_last_change(client, articles):
    locations = _sitemap_locations(client)

    assert set(locations) == {
        "http://testserver/",
        "http://testserver/articles/",
        "http://testserver/articles/trade-with-china/",
        "http://testserver/authors/aida/",
        "http://testserver/topics/trade/",
    }
    assert all(locations.values())


def test_a_sitemap_section_is_paged(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5, body="", render=False)
    sections = [
        section.findtext(f"{SITEMAP}loc")
        for section in _xml(client, "/sitemap.xml").findall(f"{SITEMAP}sitemap")
        if "articles" in section.findtext(f"{SITEMAP}loc")
    ]
    assert sections == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    page_three = _xml(client, "/sitemap-articles.xml?p=3")
    assert len(page_three.findall(f"{SITEMAP}url")) == 1


def test_the_feed_runs_the_same_queries_for_one_article_or_twenty(client):
    ArticleAuthorFactory(article=ArticleFactory())
    with CaptureQueriesContext(connection) as one:
        client.get("/feeds/articles.rss")
    for _ in range(19):
        article = ArticleFactory()
        ArticleAuthorFactory(article=article)
        article.topics.add(TopicFactory())
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/feeds/articles.rss")

    assert len(ET.fromstring(response.content).find("channel").findall("item")) == 20
    assert len(one) == len(twenty)


def test_the_json_feed_is_json_feed_1_1_with_only_public_articles(client, articles):
    response = client.get("/feed.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json"
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/feed.json"
    assert feed["home_page_url"] == "http://testserver/"
    [item] = feed["items"]
    assert item["id"] == item["url"] == "http://testserver/articles/trade-with-china/"
    assert item["title"] == "Trade with China"
    assert item["summary"] == "Up 45 per cent."
    assert '<sup class="note-ref" id="ref-1">' in item["content_html"]
    assert item["authors"] == [{"name": "Aida Nurlanova", "url": "http://testserver/authors/aida/"}]
    assert item["tags"] == ["Trade"]
    assert datetime.datetime.fromisoformat(item["date_published"]) == articles.published_at


def test_the_json_feed_runs_the_same_queries_for_one_article_or_twenty(client):
    ArticleAuthorFactory(article=ArticleFactory())
    with CaptureQueriesContext(connection) as one:
        client.get("/feed.json")
    for _ in range(19):
        ArticleAuthorFactory(article=ArticleFactory()).article.topics.add(TopicFactory())
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get("/feed.json").json()["items"]) == 20
    assert len(one) == len(twenty)


@pytest.mark.parametrize("url", ["/feeds/articles.rss", "/feeds/articles.atom"])
def test_a_control_character_in_a_title_does_not_take_the_feeds_down(client, url):
    ArticleFactory(title="Line\x0bbreak from Word", dek="A\x1bdek")
    response = client.get(url)
    assert response.status_code == 200
    titles = [
        element.text for element in ET.fromstring(response.content).iter() if element.tag.endswith("title")
    ]
    assert "Line break from Word" in titles
