"""The article list's filters, the claims and topics indexes and the navigation to them, as pages."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Claim, ClaimEvidence
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    SourceFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES, past

pytestmark = pytest.mark.django_db

ARTICLES = reverse("articles:article-list")
CLAIMS = reverse("articles:claim-list")
TOPICS = reverse("articles:topic-list")


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def main(response) -> BeautifulSoup:
    return page(response).find("main")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def titles(response) -> list[str]:
    return [heading.get_text(strip=True) for heading in main(response).select(".card__title")]


@pytest.fixture
def energy():
    return TopicFactory(slug="energy", name="Energy")


@pytest.fixture
def kazakhstan():
    return ActorFactory(slug="kazakhstan", name="Kazakhstan")


def article_on(topic, actor=None, **fields) -> Article:
    article = ArticleFactory(**fields)
    article.topics.add(topic)
    if actor:
        article.actors.add(actor)
    return article


# The article list's filter form


def test_the_filter_form_is_a_get_form_whose_every_field_has_a_label(client, energy, kazakhstan):
    article_on(energy, kazakhstan)

    form = main(client.get(ARTICLES)).find("form", class_="filters")

    assert form["method"] == "get"
    assert form["action"] == ARTICLES
    fields = form.find_all("select")
    assert [field["name"] for field in fields] == ["topic", "actor", "author", "kind", "year"]
    for field in fields:
        label = form.find("label", attrs={"for": field["id"]})
        assert label is not None and label.get_text(strip=True)
    assert form.find("button", type="submit")
    topic_options = [
        option["value"] for option in form.find("select", attrs={"name": "topic"}).find_all("option")
    ]
    assert topic_options == ["", "energy"]


def test_the_form_shows_the_filters_in_force_selected(client, energy, kazakhstan):
    article_on(energy, kazakhstan)

    form = main(client.get(ARTICLES, {"topic": "energy", "actor": "kazakhstan"})).find(
        "form", class_="filters"
    )

    selected = {
        select["name"]: select.find("option", selected=True)["value"] for select in form.find_all("select")
    }
    assert selected == {"topic": "energy", "actor": "kazakhstan", "author": "", "kind": "", "year": ""}


def test_the_filtered_list_shows_only_matching_articles_and_each_filter_in_force_removable(
    client, energy, kazakhstan
):
    article_on(energy, kazakhstan, title="Steppe gas")
    article_on(energy, title="Caspian oil")
    article_on(TopicFactory(), kazakhstan, title="Border trade")

    response = client.get(ARTICLES, {"topic": "energy", "actor": "kazakhstan"})

    assert response.status_code == 200
    assert titles(response) == ["Steppe gas"]
    links = main(response).select(".active-filters__list a")
    assert [link.get_text(" ", strip=True) for link in links] == [
        "Remove the filter Topic: Energy ×",
        "Remove the filter Mentions: Kazakhstan ×",
    ]
    assert [query_of(link["href"]) for link in links] == [{"actor": ["kazakhstan"]}, {"topic": ["energy"]}]
    assert set(titles(client.get(ARTICLES + links[0]["href"]))) == {"Steppe gas", "Border trade"}
    assert page(response).find("meta", attrs={"name": "robots"})["content"] == "noindex, follow"


def test_without_filters_the_list_shows_no_active_filters_and_may_be_indexed(client, energy):
    article_on(energy)
    response = client.get(ARTICLES)
    assert main(response).select(".active-filters") == []
    assert page(response).find("meta", attrs={"name": "robots"}) is None


def test_filters_that_match_nothing_say_so(client, energy, kazakhstan):
    article_on(energy)
    article_on(TopicFactory(), kazakhstan)

    response = client.get(ARTICLES, {"topic": "energy", "actor": "kazakhstan"})

    assert response.status_code == 200
    assert titles(response) == []
    assert "No published articles match these filters." in main(response).get_text()


def test_paging_links_carry_the_filters_and_keep_them_to_the_last_page(client, energy):
    on_topic = [article_on(energy, title=f"On topic {n}", published_at=past(days=n)) for n in range(1, 26)]
    for n in range(1, 6):
        ArticleFactory(title=f"Elsewhere {n}", published_at=past(days=n))

    first = client.get(ARTICLES, {"topic": "energy"})
    older = main(first).find("a", rel="next")["href"]
    second = client.get(ARTICLES + older)
    newer = main(second).find("a", rel="prev")["href"]
    newest = main(second).find("a", string="Newest")["href"]

    assert query_of(older)["topic"] == ["energy"] and "older" in query_of(older)
    assert titles(first) == [article.title for article in on_topic[:20]]
    assert titles(second) == [article.title for article in on_topic[20:]]
    assert query_of(newer)["topic"] == ["energy"] and "older" not in query_of(newer)
    assert titles(client.get(ARTICLES + newer)) == titles(first)
    assert query_of(newest) == {"topic": ["energy"]}
    # The form starts a new filter from the first page: it carries no cursor.
    assert main(second).find("form", class_="filters").find(attrs={"name": "older"}) is None


@pytest.mark.parametrize(
    "query, message",
    [
        ({"topic": "no-such-topic"}, "There is no published topic “no-such-topic”."),
        ({"year": "abc"}, "No articles were published in “abc”."),
        ({"kind": "<script>alert(1)</script>"}, "“<script>alert(1)</script>” is not a kind of article."),
    ],
)
def test_a_filter_that_cannot_apply_answers_400_with_the_reason_and_no_list(client, energy, query, message):
    article_on(energy, title="Listed otherwise")

    response = client.get(ARTICLES, query)

    assert response.status_code == 400
    content = main(response)
    alert = content.find(attrs={"role": "alert"})
    assert message in alert.get_text()
    assert alert.find("a", string="Show everything")["href"] == ARTICLES
    assert content.find("script") is None  # the value is shown as text, never run
    assert titles(response) == []
    (invalid,) = content.select(".active-filter--invalid")
    assert query_of(invalid["href"]) == {}


def test_a_field_whose_value_cannot_apply_is_marked_and_described(client, energy):
    article_on(energy)
    form = main(client.get(ARTICLES, {"kind": "memo"})).find("form", class_="filters")
    kind = form.find("select", attrs={"name": "kind"})
    assert kind["aria-invalid"] == "true"
    assert form.find(id=kind["aria-describedby"]).get_text(strip=True) == "“memo” is not a kind of article."


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_a_topic_only_unpublished_articles_have_is_unknown_to_the_list(client, energy, state):
    article_on(energy)
    article_on(TopicFactory(slug="embargoed"), title="Not yet", **state())

    response = client.get(ARTICLES, {"topic": "embargoed"})

    assert response.status_code == 400
    assert "Not yet" not in response.content.decode()
    options = main(client.get(ARTICLES)).find("select", attrs={"name": "topic"}).find_all("option")
    assert "embargoed" not in [option["value"] for option in options]


# Author and topic pages lead to the filtered list


def test_author_and_topic_pages_link_to_the_list_filtered_by_them(client, energy):
    article = article_on(energy)
    author = AuthorFactory(slug="mira-aster")
    ArticleAuthorFactory(article=article, author=author, position=1)

    author_links = [a["href"] for a in main(client.get(author.get_absolute_url())).select(".list-links a")]
    topic_links = [a["href"] for a in main(client.get(energy.get_absolute_url())).select(".list-links a")]

    assert author_links == [f"{ARTICLES}?author=mira-aster"]
    assert topic_links == [f"{ARTICLES}?topic=energy", f"{CLAIMS}?topic=energy"]
    for href in author_links + topic_links:
        assert client.get(href).status_code == 200


# The claims index


def test_the_claims_index_shows_each_claim_with_its_status_article_and_one_line_of_evidence(client, energy):
    article = article_on(energy, title="Gas and the steppe")
    claim = ClaimFactory(article=article, statement="Exports rose by a third.", status=Claim.Status.DISPUTED)
    ClaimEvidenceFactory(claim=claim, source=SourceFactory(title="Customs yearbook"), locator="table 3")
    ClaimEvidenceFactory(
        claim=claim, source=SourceFactory(title="Ministry note"), stance=ClaimEvidence.Stance.CONTRADICTS
    )
    ClaimEvidenceFactory(claim=claim, source=SourceFactory(title="Press report"))

    response = client.get(CLAIMS)

    assert response.status_code == 200
    (item,) = main(response).select(".claim-index > li")
    statement = item.select_one(".claim__statement a")
    assert (statement.get_text(strip=True), statement["href"]) == (
        "Exports rose by a third.",
        claim.get_absolute_url(),
    )
    assert item.select_one(".badge--disputed").get_text(" ", strip=True) == "Status: Disputed"
    assert item.find("a", string="Gas and the steppe")["href"] == article.get_absolute_url()
    evidence = item.select_one(".claim-index__evidence")
    assert evidence.find("a", string="Customs yearbook")
    assert "Ministry note" not in evidence.get_text()
    assert evidence.select_one(".claim-index__more").get_text(strip=True) == "and 2 more sources"


def test_a_claim_without_evidence_says_so(client, energy):
    ClaimFactory(article=article_on(energy))
    item = main(client.get(CLAIMS)).select_one(".claim-index > li")
    assert item.select_one(".claim-index__evidence").get_text(strip=True) == "No evidence recorded yet."


def test_the_claims_index_filters_by_status_actor_and_topic(client, energy, kazakhstan):
    on_energy = ClaimFactory(article=article_on(energy), statement="On energy.", status=Claim.Status.VERIFIED)
    on_energy.actors.add(kazakhstan)
    ClaimFactory(article=article_on(energy), statement="Disputed on energy.", status=Claim.Status.DISPUTED)
    ClaimFactory(article=article_on(TopicFactory()), statement="Elsewhere.", status=Claim.Status.VERIFIED)

    def statements(query):
        response = client.get(CLAIMS, query)
        assert response.status_code == 200
        return {a.get_text(strip=True) for a in main(response).select(".claim__statement a")}

    assert statements({"status": "verified"}) == {"On energy.", "Elsewhere."}
    assert statements({"topic": "energy"}) == {"On energy.", "Disputed on energy."}
    assert statements({"actor": "kazakhstan"}) == {"On energy."}
    assert statements({"topic": "energy", "status": "disputed"}) == {"Disputed on energy."}
    assert statements({"topic": "energy", "status": "false"}) == set()
    form = main(client.get(CLAIMS)).find("form", class_="filters")
    assert [select["name"] for select in form.find_all("select")] == ["status", "actor", "topic"]
    assert all(form.find("label", attrs={"for": select["id"]}) for select in form.find_all("select"))


@pytest.mark.parametrize("query", [{"status": "<script>"}, {"actor": "nobody"}, {"topic": "nothing"}])
def test_a_claims_filter_that_cannot_apply_answers_400_with_the_reason(client, energy, query):
    ClaimFactory(article=article_on(energy))
    response = client.get(CLAIMS, query)
    assert response.status_code == 400
    assert main(response).find(attrs={"role": "alert"})
    assert main(response).select(".claim-index") == []
    assert main(response).find("script") is None


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_the_claims_index_never_lists_a_claim_of_an_unpublished_article(client, energy, state):
    ClaimFactory(article=article_on(energy), statement="Public claim.")
    ClaimFactory(article=article_on(energy, **state()), statement="Hidden claim.")

    for query in ({}, {"topic": "energy"}, {"status": "verified"}):
        text = main(client.get(CLAIMS, query)).get_text()
        assert "Public claim." in text
        assert "Hidden claim." not in text


def test_the_claims_index_pages_newest_first_with_its_filters(client, energy):
    for n in range(1, 26):
        article = article_on(energy, published_at=past(days=n))
        ClaimFactory(article=article, statement=f"Claim of day {n}.")
    ClaimFactory(article=article_on(TopicFactory()), statement="Off topic.")

    first = client.get(CLAIMS, {"topic": "energy"})
    older = main(first).find("a", rel="next")["href"]
    second = client.get(CLAIMS + older)

    def statements(response):
        return [a.get_text(strip=True) for a in main(response).select(".claim__statement a")]

    assert query_of(older)["topic"] == ["energy"]
    assert statements(first) == [f"Claim of day {n}." for n in range(1, 21)]
    assert statements(second) == [f"Claim of day {n}." for n in range(21, 26)]


# The topics index


def test_the_topics_index_counts_only_published_articles(client):
    energy, trade = TopicFactory(name="Energy"), TopicFactory(name="Trade")
    hidden = TopicFactory(name="Hidden")
    for _ in range(2):
        article_on(energy)
    article_on(trade)
    for state in UNPUBLISHED_STATES.values():
        article_on(energy, **state())
        article_on(hidden, **state())

    response = client.get(TOPICS)

    assert response.status_code == 200
    items = main(response).select(".topic-index__item")
    shown = {
        item.select_one(".topic-index__name a").get_text(strip=True): item.select_one(".meta").get_text(
            strip=True
        )
        for item in items
    }
    assert shown == {"Energy": "2 articles", "Trade": "1 article"}
    assert items[0].select_one("a")["href"] == energy.get_absolute_url()


# Navigation


@pytest.mark.parametrize("url, current", [(ARTICLES, "Articles"), (CLAIMS, "Claims"), (TOPICS, "Topics")])
def test_the_navigation_leads_to_each_index_and_marks_the_current_one(client, url, current):
    nav = page(client.get(url)).find("nav", attrs={"aria-label": "Main"})
    links = {a.get_text(strip=True): a for a in nav.find_all("a")}
    assert links["Topics"]["href"] == TOPICS
    assert links["Claims"]["href"] == CLAIMS
    assert [name for name, a in links.items() if a.get("aria-current") == "page"] == [current]


# A fixed number of queries, whatever the number of rows


def queries(client, url: str, query: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(context.captured_queries)


def add_articles(count: int, topic, actor, author):
    for n in range(count):
        article = article_on(topic, actor, published_at=past(days=n + 1))
        ArticleAuthorFactory(article=article, author=author, position=1)
        claim = ClaimFactory(article=article)
        claim.actors.add(actor)
        ClaimEvidenceFactory(claim=claim)
        ClaimEvidenceFactory(claim=claim)


LISTS = [
    (ARTICLES, {}),
    (ARTICLES, {"topic": "energy", "actor": "kazakhstan", "author": "aster", "kind": "analysis"}),
    (CLAIMS, {}),
    (CLAIMS, {"status": "verified", "actor": "kazakhstan", "topic": "energy"}),
    (TOPICS, {}),
]


@pytest.mark.parametrize("url, query", LISTS)
def test_each_index_runs_the_same_queries_for_one_row_or_thirty(
    client, django_assert_num_queries, url, query
):
    energy, kazakhstan = TopicFactory(slug="energy"), ActorFactory(slug="kazakhstan")
    author = AuthorFactory(slug="aster")
    add_articles(1, energy, kazakhstan, author)
    with_one = queries(client, url, query)

    add_articles(29, energy, kazakhstan, author)
    TopicFactory()  # and more of everything the form offers
    article_on(TopicFactory(), ActorFactory(), published_at=past(days=400))

    with django_assert_num_queries(with_one):
        response = client.get(url, query)
    assert response.status_code == 200
    rows = main(response).select(".card, .claim-index > li, .topic-index__item")
    assert len(rows) == {ARTICLES: 20, CLAIMS: 20, TOPICS: 2}[url]
    assert with_one <= {ARTICLES: 7, CLAIMS: 5, TOPICS: 1}[url]


def test_the_year_filter_uses_the_sites_calendar(client, energy, settings):
    """An article published at 23:30 UTC on 31 December is in the next year in Almaty (UTC+5)."""
    settings.TIME_ZONE = "Asia/Almaty"
    article_on(
        energy,
        title="New Year's Eve",
        published_at=datetime.datetime(2023, 12, 31, 23, 30, tzinfo=datetime.UTC),
    )

    years = [
        o["value"]
        for o in main(client.get(ARTICLES)).find("select", attrs={"name": "year"}).find_all("option")
    ]

    assert years == ["", "2024"]
    assert titles(client.get(ARTICLES, {"year": "2024"})) == ["New Year's Eve"]
