"""RSS, Atom, JSON Feed and the sitemap, tested by parsing what they serve."""

import datetime
import re
import xml.etree.ElementTree as ET
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.feeds import FEED_LENGTH
from articles.models import Article, Source
from articles.sitemaps import ArticleSitemap
from common.paging import encode_cursor
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimFactory,
    RelationFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries

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
        path = section.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        urls = _xml(client, path).findall(f"{SITEMAP}url")
        assert bool(section.findtext(f"{SITEMAP}lastmod")) == bool(urls), path
        for url in urls:
            locations[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
    return locations


def test_the_sitemap_lists_exactly_the_public_pages_each_with_its_last_change(client, articles):
    claim = ClaimFactory(article=articles)
    ClaimFactory(article=Article.objects.get(title="Not public: draft"))
    actor = ActorFactory(slug="kazakhstan")
    articles.actors.add(actor)
    relation = RelationFactory(actor_a=actor)
    public_sources = {citation.source for citation in articles.citations.all()}
    assert Source.objects.count() > len(public_sources)  # the unpublished articles cite their own

    locations = _sitemap_locations(client)

    pages = {
        "/",
        "/articles/",
        "/topics/",
        "/claims/",
        "/actors/",
        "/relations/",
        "/articles/trade-with-china/",
        "/authors/aida/",
        "/topics/trade/",
        claim.get_absolute_url(),
        *(source.get_absolute_url() for source in public_sources),
        actor.get_absolute_url(),
        relation.actor_b.get_absolute_url(),
        relation.get_absolute_url(),
    }
    assert set(locations) == {f"http://testserver{page}" for page in pages}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    lastmods = {url: value for url, value in locations.items() if value}
    # Only the actor no public article mentions has no date of its own.
    assert set(locations) - set(lastmods) == {f"http://testserver{relation.actor_b.get_absolute_url()}"}


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
    assert feed["home_page_url"] == _xml(client, "/feeds/articles.rss").find("channel").findtext("link")
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


# Whole articles in the feeds, notes included

RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def noted():
    """A public article with two notes, a claim, a topic, an author and an actor."""
    article = ArticleFactory(
        title="Gas through Kazakhstan",
        slug="gas",
        body="Exports [rose](https://example.org/rose) and [fell](https://example.org/fell) again.",
    )
    ArticleAuthorFactory(article=article, author=AuthorFactory(name="Aida Nurlanova", slug="aida"))
    article.topics.add(TopicFactory(name="Energy", slug="energy"))
    article.actors.add(ActorFactory(name="Kazakhstan", slug="kazakhstan"))
    ClaimFactory(article=article)
    return article


def _content_links(html: str) -> tuple[list[str], set[str]]:
    document = BeautifulSoup(html, "html.parser")
    return [a["href"] for a in document.find_all("a", href=True)], {e["id"] for e in document.select("[id]")}


def _assert_whole_with_notes(html: str) -> None:
    hrefs, ids = _content_links(html)
    fragments = [href[1:] for href in hrefs if href.startswith("#")]
    assert fragments == ["note-1", "note-2"]  # the references, each to a note in the entry itself
    assert {"note-1", "note-2"} <= ids
    assert all(href.startswith(("http://", "https://")) for href in hrefs if not href.startswith("#"))
    notes = BeautifulSoup(html, "html.parser").select("ol li")
    assert [note.get_text(" ", strip=True).count("https://example.org/") for note in notes] == [1, 1]


def test_an_rss_entry_carries_the_whole_article_with_its_notes(client, noted):
    [item] = _xml(client, "/feeds/articles.rss").find("channel").findall("item")
    assert item.findtext("description") == noted.summary
    _assert_whole_with_notes(item.findtext(RSS_CONTENT))


def test_an_atom_entry_carries_the_whole_article_and_every_required_element(client, noted):
    feed = _xml(client, "/feeds/articles.atom")
    for name in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{name}"), name
    [entry] = feed.findall(f"{ATOM}entry")
    for name in ("id", "title", "updated"):
        assert entry.findtext(f"{ATOM}{name}"), name
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/articles/gas/"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    _assert_whole_with_notes(content.text)


def test_the_json_feed_content_holds_the_notes_its_references_point_at(client, noted):
    [item] = client.get("/feed.json").json()["items"]
    _assert_whole_with_notes(item["content_html"])


# Feeds of one topic, author or actor

FEEDS_OF = {
    "topic": ("/topics/{}/feed.{}", "energy"),
    "author": ("/authors/{}/feed.{}", "aida"),
    "actor": ("/actors/{}/feed.{}", "kazakhstan"),
}


@pytest.mark.parametrize("kind", list(FEEDS_OF))
@pytest.mark.parametrize("form", ["rss", "atom"])
def test_a_feed_of_one_topic_author_or_actor_lists_only_its_public_articles(client, noted, kind, form):
    address, slug = FEEDS_OF[kind]
    other = ArticleFactory(title="Not about it")
    unpublished = ArticleFactory(title="A draft about it", status=Article.Status.DRAFT, published_at=None)
    unpublished.topics.add(*noted.topics.all())
    unpublished.actors.add(*noted.actors.all())
    ArticleAuthorFactory(article=unpublished, author=noted.bylines.get().author)

    feed = _xml(client, address.format(slug, form))

    if form == "rss":
        titles = [item.findtext("title") for item in feed.find("channel").findall("item")]
    else:
        titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Gas through Kazakhstan"]
    assert other.title not in titles


@pytest.mark.parametrize("kind", ["topic", "author"])
def test_a_feed_of_a_topic_or_author_with_no_public_article_answers_404(client, kind):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    article.topics.add(TopicFactory(slug="quiet"))
    ArticleAuthorFactory(article=article, author=AuthorFactory(slug="quiet"))
    address, _ = FEEDS_OF[kind]
    assert client.get(address.format("quiet", "rss")).status_code == 404
    assert client.get(address.format("no-such-thing", "atom")).status_code == 404


def test_a_topic_feed_runs_the_same_queries_for_one_article_or_twenty(client):
    topic = TopicFactory(slug="many")
    ArticleFactory().topics.add(topic)
    with CaptureQueriesContext(connection) as one:
        client.get("/topics/many/feed.rss")
    for _ in range(19):
        article = ArticleFactory()
        article.topics.add(topic)
        ArticleAuthorFactory(article=article)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/topics/many/feed.rss")
    assert len(ET.fromstring(response.content).find("channel").findall("item")) == 20
    assert len(one) == len(twenty)


FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}


def _feeds_page(client, kind: str) -> tuple[BeautifulSoup, dict[str, str]]:
    """The page of the topic, author or actor of `noted`, and its feeds' addresses by form."""
    address, slug = FEEDS_OF[kind]
    page = BeautifulSoup(
        client.get(address.format(slug, "rss").removesuffix("feed.rss")).content, "html.parser"
    )
    return page, {form: address.format(slug, form) for form in FEED_TYPES}


@pytest.mark.parametrize("kind", list(FEEDS_OF))
def test_a_topic_author_or_actor_page_announces_its_feeds_each_with_its_type(client, noted, kind):
    page, feeds = _feeds_page(client, kind)
    announced = {link["href"]: link["type"] for link in page.select('head link[rel="alternate"]')}
    for form, feed in feeds.items():
        assert announced[feed] == FEED_TYPES[form]
        assert client.get(feed).status_code == 200


@pytest.mark.parametrize("kind", list(FEEDS_OF))
def test_a_topic_author_or_actor_page_links_its_feeds(client, noted, kind):
    page, feeds = _feeds_page(client, kind)
    shown = {link["href"] for link in page.select(".feed-links a")}
    assert shown == set(feeds.values())


# JSON Feed 1.1 of everything and of one topic, author or actor, paged by `next_url`

JSON_FEEDS = {
    "all": "/feed.json",
    **{kind: address.format(slug, "json") for kind, (address, slug) in FEEDS_OF.items()},
}
# RFC 3339's date-time: a full date, a full time and an offset, never a local time.
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _json_feed(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/feed+json"
    return response.json()


def _assert_json_feed_1_1(feed: dict, address: str) -> None:
    """The members JSON Feed 1.1 requires, and the types and formats it gives every member we send."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == f"http://testserver{address}"
    assert urlsplit(feed["home_page_url"]).scheme == "http"
    assert isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "author" not in item  # JSON Feed 1.0's single author; 1.1 has `authors`
        assert item["authors"] and all(set(author) == {"name", "url"} for author in item["authors"])
        for name in ("date_published", "date_modified"):
            assert RFC_3339.fullmatch(item[name]), item[name]
        assert isinstance(item["content_html"], str) and item["content_html"]


def _subject_of(noted: Article, kind: str) -> dict:
    """What makes an article one of `kind`'s, as factory links: the topic, author or actor of `noted`."""
    return {
        "all": {},
        "topic": {"topics": noted.topics.all()},
        "author": {"author": noted.bylines.get().author},
        "actor": {"actors": noted.actors.all()},
    }[kind]


def _article_of(subject: dict, **fields) -> Article:
    article = ArticleFactory(**fields)
    if "topics" in subject:
        article.topics.add(*subject["topics"])
    if "actors" in subject:
        article.actors.add(*subject["actors"])
    ArticleAuthorFactory(article=article, **({"author": subject["author"]} if "author" in subject else {}))
    return article


@pytest.mark.parametrize("kind", list(JSON_FEEDS))
def test_a_json_feed_lists_exactly_the_public_articles_of_its_topic_author_or_actor(client, noted, kind):
    subject = _subject_of(noted, kind)
    newer = _article_of(
        subject, title="A newer one", published_at=timezone.now() - datetime.timedelta(hours=1)
    )
    unrelated = _article_of(
        {}, title="About something else", published_at=noted.published_at - datetime.timedelta(1)
    )
    for state, fields in UNPUBLISHED_STATES.items():
        _article_of(subject, title=f"Not public: {state}", **fields())

    feed = _json_feed(client, JSON_FEEDS[kind])

    _assert_json_feed_1_1(feed, JSON_FEEDS[kind])
    titles = [item["title"] for item in feed["items"]]
    expected = [newer.title, noted.title] + ([unrelated.title] if kind == "all" else [])
    assert titles == expected
    assert "next_url" not in feed


@pytest.mark.parametrize("kind", list(FEEDS_OF))
def test_a_json_feed_of_one_topic_author_or_actor_is_named_after_it(client, noted, kind):
    feed = _json_feed(client, JSON_FEEDS[kind])
    name = {"topic": "Energy", "author": "Aida Nurlanova", "actor": "Kazakhstan"}[kind]
    assert feed["title"] == f"Footnote: {name}"
    assert feed["home_page_url"] == "http://testserver" + JSON_FEEDS[kind].removesuffix("feed.json")


@pytest.mark.parametrize("kind", ["topic", "author", "actor"])
def test_the_json_feed_of_an_unknown_topic_author_or_actor_answers_404(client, kind):
    address, _ = FEEDS_OF[kind]
    assert client.get(address.format("no-such-thing", "json")).status_code == 404


@pytest.mark.parametrize("kind", ["topic", "author"])
def test_the_json_feed_of_a_topic_or_author_with_no_public_article_answers_404(client, kind):
    for state, fields in UNPUBLISHED_STATES.items():
        article = ArticleFactory(**fields())
        article.topics.add(TopicFactory(slug=f"quiet-{state}"))
        ArticleAuthorFactory(article=article, author=AuthorFactory(slug=f"quiet-{state}"))
        assert client.get(FEEDS_OF[kind][0].format(f"quiet-{state}", "json")).status_code == 404, state


def test_the_json_feed_of_an_actor_no_public_article_mentions_is_empty(client):
    ArticleFactory(status=Article.Status.DRAFT, published_at=None).actors.add(ActorFactory(slug="quiet"))
    feed = _json_feed(client, "/actors/quiet/feed.json")
    _assert_json_feed_1_1(feed, "/actors/quiet/feed.json")
    assert feed["items"] == []


def _follow(client, address: str, between=lambda: None) -> tuple[list[str], list[dict]]:
    """Every item id from the first page to the last by `next_url`, calling `between` after each page."""
    ids, pages, url = [], [], address
    while url:
        feed = _json_feed(client, url.removeprefix("http://testserver"))
        pages.append(feed)
        ids += [item["id"] for item in feed["items"]]
        url = feed.get("next_url")
        assert url not in {page["feed_url"] for page in pages}
        between()
    return ids, pages


@pytest.mark.parametrize("kind", ["all", "topic"])
def test_following_next_url_gives_every_article_once_though_one_is_published_meanwhile(client, kind):
    subject = {"all": {}, "topic": {"topics": [TopicFactory(slug="energy")]}}[kind]
    start = timezone.now() - datetime.timedelta(days=1)
    # Two and a half pages, three articles at each moment, so pages end between articles of the same time.
    articles = [
        _article_of(subject, published_at=start - datetime.timedelta(minutes=n // 3), body="", render=False)
        for n in range(FEED_LENGTH * 5 // 2)
    ]
    newest_first = sorted(articles, key=lambda article: (article.published_at, article.pk), reverse=True)

    def publish_one():
        _article_of(subject, published_at=timezone.now(), body="", render=False)

    ids, pages = _follow(client, JSON_FEEDS[kind], between=publish_one)

    assert [len(page["items"]) for page in pages] == [FEED_LENGTH, FEED_LENGTH, FEED_LENGTH // 2]
    # Each exactly once and in order: the articles published meanwhile are newer than the first page.
    assert ids == [f"http://testserver{article.get_absolute_url()}" for article in newest_first]
    assert {page["feed_url"] for page in pages} == {f"http://testserver{JSON_FEEDS[kind]}"}
    assert "next_url" not in pages[-1]
    assert set(parse_qs(urlsplit(pages[0]["next_url"]).query)) == {"older"}


@pytest.mark.parametrize("kind", list(JSON_FEEDS))
def test_a_json_feed_page_runs_the_same_queries_for_one_article_or_a_full_page(client, noted, kind):
    subject = _subject_of(noted, kind)
    one = count_queries(client, JSON_FEEDS[kind])
    for _ in range(FEED_LENGTH * 2):  # each with all `noted` has, a claim, a note, a topic and an author
        article = _article_of(subject)
        article.topics.add(TopicFactory())
        ClaimFactory(article=article)
    first = _json_feed(client, JSON_FEEDS[kind])
    assert len(first["items"]) == FEED_LENGTH
    older = first["next_url"].removeprefix("http://testserver")
    assert len(_json_feed(client, older)["items"]) == FEED_LENGTH
    assert count_queries(client, JSON_FEEDS[kind]) == one
    assert count_queries(client, older) == one


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "=",
        "MjAyNHwx",  # base64 of "2024|1": no time
        encode_cursor(datetime.datetime(2024, 1, 1), 1),  # naive
        # A time with no UTC equivalent, which once took SQLite down (500).
        encode_cursor(datetime.datetime.fromisoformat("9999-12-31T23:00:00-14:00"), 1),
    ],
)
@pytest.mark.parametrize("kind", list(JSON_FEEDS))
def test_a_json_feed_page_with_a_cursor_that_is_not_ours_answers_404(client, noted, kind, cursor):
    response = client.get(JSON_FEEDS[kind], {"older": cursor})
    assert response.status_code == 404


# The demo content's notes, in every item of the JSON Feed


def test_every_json_feed_item_of_the_demo_holds_its_notes_and_every_link_leads_somewhere(client):
    call_command("load_demo", stdout=StringIO())
    articles = {f"http://testserver{a.get_absolute_url()}": a for a in Article.objects.published()}

    ids, pages = _follow(client, "/feed.json")

    assert sorted(ids) == sorted(articles)
    for item in (item for page in pages for item in page["items"]):
        document = BeautifulSoup(item["content_html"], "html.parser")
        targets = {element["id"] for element in document.select("[id]")}
        notes = {
            f"note-{number}" for number in articles[item["id"]].citations.values_list("number", flat=True)
        }
        assert notes and notes <= targets  # the whole notes list
        for link in document.find_all("a", href=True):
            href = link["href"]
            if href.startswith("#"):
                assert href[1:] in targets, href
            else:
                address = urlsplit(href)
                assert address.scheme in ("http", "https") and address.netloc, href
        references = {link["href"][1:] for link in document.select('a[href^="#note-"]')}
        assert references == notes
