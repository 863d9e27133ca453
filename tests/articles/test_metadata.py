"""What a page's head tells search engines, social sites and reference managers: canonical links, Open
Graph and Twitter cards, Google Scholar's citation_* tags and schema.org JSON-LD, parsed back."""

import datetime
import itertools
import json

import pytest
from bs4 import BeautifulSoup

from articles.models import Claim
from articles.workflow import claim_set_status
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimFactory,
    OrganisationFactory,
    RelationFactory,
    SourceFactory,
    SuperuserFactory,
    TopicFactory,
)
from tests.helpers import count_queries

db = pytest.mark.django_db
HOST = "http://testserver"
PUBLISHED = datetime.datetime(2023, 3, 9, 9, 0, tzinfo=datetime.UTC)
_unique = itertools.count()


def get_page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(page: BeautifulSoup) -> list[dict]:
    return [json.loads(script.string) for script in page.find_all("script", type="application/ld+json")]


def meta(page: BeautifulSoup, name: str) -> list[str]:
    """The content of every meta tag with this name (or Open Graph property), in order."""
    found = page.head.find_all("meta", attrs={"name": name}) + page.head.find_all("meta", property=name)
    return [tag["content"] for tag in found]


def canonical(page: BeautifulSoup) -> str:
    [link] = page.head.find_all("link", rel="canonical")
    return link["href"]


def an_article(notes: int = 2, **fields):
    """A public analysis with two authors, a topic, an actor and `notes` notes to as many sources."""
    prefix = next(_unique)
    sources = [SourceFactory(title=f"Source {prefix}-{i}") for i in range(notes)]
    body = " ".join(f"[note {i}](source:{source.key})" for i, source in enumerate(sources))
    values = {"title": "Central Asia a year on", "published_at": PUBLISHED, "body": body, "dek": "Distance."}
    article = ArticleFactory(**(values | fields))
    for position, name in enumerate(["Mirela Aster", "Aida Nurlanova"]):
        ArticleAuthorFactory(article=article, author=AuthorFactory(name=name), position=position)
    article.topics.add(TopicFactory(name=f"Energy {prefix}"))
    article.actors.add(ActorFactory(name="Kazakhstan"), OrganisationFactory(name="CSTO"))
    return article, sources


# The article page


@db
def test_the_article_head_has_a_canonical_link_open_graph_and_twitter_card(client):
    article, _ = an_article()

    page = get_page(client, f"{article.get_absolute_url()}?utm_source=feed")

    address = HOST + article.get_absolute_url()
    assert canonical(page) == address
    assert meta(page, "og:type") == ["article"]
    assert meta(page, "og:title") == meta(page, "twitter:title") == ["Central Asia a year on"]
    assert meta(page, "og:url") == [address]
    assert meta(page, "og:site_name") == ["Footnote"]
    assert meta(page, "og:description") == ["Distance."]
    assert meta(page, "twitter:card") == ["summary"]
    assert meta(page, "article:published_time") == ["2023-03-09T09:00:00+00:00"]
    assert meta(page, "article:author") == [HOST + b.author.get_absolute_url() for b in article.bylines.all()]
    assert meta(page, "article:tag") == [article.topics.get().name]


@db
def test_the_article_head_has_the_google_scholar_tags(client):
    article, _ = an_article()

    page = get_page(client, article.get_absolute_url())

    assert meta(page, "citation_title") == ["Central Asia a year on"]
    assert meta(page, "citation_author") == ["Mirela Aster", "Aida Nurlanova"]
    assert meta(page, "citation_publication_date") == meta(page, "citation_online_date") == ["2023/03/09"]
    assert meta(page, "citation_publisher") == ["Footnote"]
    assert meta(page, "citation_fulltext_html_url") == [HOST + article.get_absolute_url()]
    assert meta(page, "citation_pdf_url") == []  # there is no PDF to point to


@db
def test_the_article_json_ld_names_its_authors_dates_publisher_actors_and_cited_sources(client):
    article, sources = an_article(notes=3)
    evidence_only = SourceFactory(title="Cited only as a claim's evidence")
    ClaimFactory(article=article).sources.add(evidence_only, through_defaults={})

    [data] = json_ld(get_page(client, article.get_absolute_url()))

    address = HOST + article.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "AnalysisNewsArticle"
    assert (data["headline"], data["url"], data["mainEntityOfPage"]) == (
        "Central Asia a year on",
        address,
        address,
    )
    assert data["author"] == [
        {"@type": "Person", "name": b.author.name, "url": HOST + b.author.get_absolute_url()}
        for b in article.bylines.all()
    ]
    assert data["datePublished"] == data["dateModified"] == "2023-03-09T09:00:00+00:00"
    assert data["publisher"] == {"@type": "Organization", "name": "Footnote", "url": f"{HOST}/"}
    assert data["isAccessibleForFree"] is True
    assert data["keywords"] == [article.topics.get().name]
    assert [(m["@type"], m["name"]) for m in data["mentions"]] == [
        ("Organization", "CSTO"),
        ("Country", "Kazakhstan"),
    ]
    assert all(m["url"].startswith(f"{HOST}/actors/") for m in data["mentions"])
    # The notes' sources, each once, in note order; evidence alone is not a citation of the text.
    assert data["citation"] == [
        {
            "@type": "CreativeWork",
            "name": source.title,
            "url": source.url,
            "publisher": {"@type": "Organization", "name": "Example Publisher"},
            "datePublished": "2022-11-01",
        }
        for source in sources
    ]


@db
def test_a_source_cited_twice_is_one_citation_and_a_lost_address_has_no_url(client):
    lost = SourceFactory(url="", placeholder=True, title="Lost report")
    kept = SourceFactory()
    article = ArticleFactory(body=f"[a](source:{kept.key}) [b](source:{lost.key}) [c](source:{kept.key})")

    [data] = json_ld(get_page(client, article.get_absolute_url()))

    assert [work["name"] for work in data["citation"]] == [kept.title, "Lost report"]
    assert "url" not in data["citation"][1]


@db
@pytest.mark.parametrize(("kind", "schema_type"), [("commentary", "OpinionNewsArticle"), ("brief", "Report")])
def test_the_json_ld_type_follows_the_kind(client, kind, schema_type):
    article, _ = an_article(kind=kind)

    [data] = json_ld(get_page(client, article.get_absolute_url()))

    assert data["@type"] == schema_type


@db
def test_no_text_can_end_the_json_ld_script(client):
    title = "</script><script>alert(1)</script><!-- & \u2028 “quotes” \\ Қазақстан"
    article, _ = an_article(title=title, dek="</SCRIPT >")

    page = get_page(client, article.get_absolute_url())

    [data] = json_ld(page)
    assert (data["headline"], data["description"]) == (title, "</SCRIPT >")
    assert all(
        script.get("src") or script.get("type") == "application/ld+json" for script in page.find_all("script")
    )


@db
def test_a_staff_preview_has_no_metadata_for_search_engines(client):
    article, _ = an_article(status="draft", published_at=None)
    client.force_login(SuperuserFactory())

    page = get_page(client, article.get_absolute_url())

    assert meta(page, "robots") == ["noindex, nofollow"]
    assert json_ld(page) == []
    assert page.head.find_all("link", rel="canonical") == []
    assert meta(page, "citation_title") == []


@db
def test_the_article_page_runs_as_many_queries_for_forty_notes_as_for_one(client):
    one, _ = an_article(notes=1)
    forty, _ = an_article(notes=40)

    assert count_queries(client, one.get_absolute_url()) == count_queries(client, forty.get_absolute_url())


# The claim page


def reviewed(claim: Claim, status: str, note: str = "") -> Claim:
    claim_set_status(claim=claim, status=status, user=SuperuserFactory(), note=note)
    claim.refresh_from_db()
    return claim


@db
@pytest.mark.parametrize(
    ("status", "rating", "name"),
    [
        ("verified", 5, "Verified"),
        ("outdated", 4, "Outdated"),
        ("disputed", 3, "Disputed"),
        ("false", 1, "False"),
    ],
)
def test_a_reviewed_claim_has_a_claim_review(client, status, rating, name):
    article, _ = an_article()
    claim = ClaimFactory(article=article, status="unverified", statement="Trade exceeded $70 billion.")
    claim = reviewed(claim, status, note="Internal: asked the customs office, off the record.")

    page = get_page(client, claim.get_absolute_url())

    [data] = json_ld(page)
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == "Trade exceeded $70 billion."
    assert data["url"] == canonical(page) == HOST + claim.get_absolute_url()
    assert data["datePublished"] == claim.checked_at.date().isoformat()
    assert data["author"] == {"@type": "Organization", "name": "Footnote", "url": f"{HOST}/"}
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": rating,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": name,
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["appearance"]["url"] == HOST + article.get_absolute_url()
    assert [author["name"] for author in item["author"]] == ["Mirela Aster", "Aida Nurlanova"]
    assert "off the record" not in page.decode()


@db
def test_a_claim_by_an_actor_names_the_actor_as_its_author(client):
    actor = ActorFactory(name="Kazakhstan")
    claim = ClaimFactory(claimant_actor=actor, claimant_name="Kazakh officials", checked_at=PUBLISHED)

    [data] = json_ld(get_page(client, claim.get_absolute_url()))

    assert data["itemReviewed"]["author"] == {
        "@type": "Country",
        "name": "Kazakh officials",
        "url": HOST + actor.get_absolute_url(),
    }


@db
@pytest.mark.parametrize("fields", [{"status": "unverified"}, {"status": "verified", "checked_at": None}])
def test_a_claim_nobody_reviewed_has_no_claim_review(client, fields):
    claim = ClaimFactory(**fields)

    page = get_page(client, claim.get_absolute_url())

    assert json_ld(page) == []
    assert canonical(page) == HOST + claim.get_absolute_url()
    assert meta(page, "og:url") == [HOST + claim.get_absolute_url()]


@db
def test_the_claim_page_runs_as_many_queries_for_three_authors_as_for_one(client):
    def claim_page_queries(authors: int) -> int:
        article = ArticleFactory()
        for _ in range(authors):
            ArticleAuthorFactory(article=article)
        claim = ClaimFactory(article=article, checked_at=PUBLISHED)
        return count_queries(client, claim.get_absolute_url())

    assert claim_page_queries(1) == claim_page_queries(3)


# Canonical links on the other pages


@db
def test_every_public_page_names_its_canonical_address(client):
    article, sources = an_article()
    author = article.bylines.first().author
    topic, actor = article.topics.get(), article.actors.first()
    relation = RelationFactory()

    for thing in (sources[0], author, topic, actor, relation):
        page = get_page(client, f"{thing.get_absolute_url()}?page=1&utm_medium=x")
        assert canonical(page) == HOST + thing.get_absolute_url()
