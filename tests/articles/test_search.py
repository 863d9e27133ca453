"""Public search: what it finds, what it never finds, odd input, and a fixed number of queries."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from articles import search as search_module
from articles.search import MAX_QUERY_LENGTH, clean_query, search_published
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries, past, start_tags

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def tags_of(response) -> list[tuple[str, dict[str, str]]]:
    return start_tags(response.content.decode())


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


def found(response) -> tuple[list, list, list]:
    """The articles, claims and actors a results page lists."""
    results = response.context["results"]
    return list(response.context["articles"]), results.claims, results.actors


# What it finds


def test_finds_a_published_article_by_a_word_in_its_body(client):
    article = ArticleFactory(body="Caravans crossed the [steppe](https://example.org/s) near Zhanaozen.")
    ArticleFactory(body="Nothing to see here.")

    response = search(client, "zhanaozen")

    assert response.status_code == 200
    assert found(response)[0] == [article]
    html = response.content.decode()
    assert article.get_absolute_url() in html
    assert article.dek in html
    assert article.published_at.strftime("%Y-%m-%dT%H:%M:%S") in html


def test_finds_a_published_article_by_its_title_dek_or_summary(client):
    by_title = ArticleFactory(title="Zeppelins over the steppe", published_at=past(days=3))
    by_dek = ArticleFactory(dek="Why zeppelins came back.", published_at=past(days=2))
    by_summary = ArticleFactory(summary="A zeppelin story.", published_at=past(days=1))

    articles, _, _ = found(search(client, "Zeppelin"))

    assert set(articles) == {by_title, by_dek, by_summary}


def test_an_article_must_contain_every_word_of_the_query(client):
    both = ArticleFactory(title="Walrus and zeppelin")
    ArticleFactory(title="Walrus alone")

    assert found(search(client, "zeppelin walrus"))[0] == [both]


def test_finds_a_claim_by_its_statement_and_links_it_and_its_article(client):
    claim = ClaimFactory(statement="Tajikistan opened a factory for quadcopters in 2022.")
    ClaimFactory(statement="Something else entirely.")

    response = search(client, "quadcopters")

    assert found(response)[1] == [claim]
    html = response.content.decode()
    assert f'href="{claim.get_absolute_url()}"' in html
    assert f'href="{claim.article.get_absolute_url()}"' in html
    assert "badge--verified" in html


def test_finds_a_claim_by_the_words_it_quotes(client):
    claim = ClaimFactory(statement="Trade grew.", quote="turnover climbed to a record")
    assert found(search(client, "turnover"))[1] == [claim]


def test_finds_an_actor_by_an_alias_and_by_its_name(client):
    actor = ActorFactory(name="Kazakhstan", aliases="Kazakh\nAstana\nNur-Sultan")
    ActorFactory(name="Mongolia", aliases="Ulaanbaatar")

    by_alias = search(client, "Astana")
    by_name = search(client, "kazakhstan")

    assert found(by_alias)[2] == [actor]
    assert found(by_name)[2] == [actor]
    assert f'href="{actor.get_absolute_url()}"' in by_alias.content.decode()


def test_results_rank_a_title_match_before_a_newer_match_in_the_text():
    in_body = ArticleFactory(body="A word on zeppelins.", published_at=past(days=1))
    in_title = ArticleFactory(title="Zeppelins", published_at=past(days=5))

    assert list(search_published(query="zeppelin").articles) == [in_title, in_body]


# What it never finds


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_never_finds_an_unpublished_article_or_its_claims(client, state):
    hidden = ArticleFactory(title="Zeppelin secrets", body="The zeppelin plan.", **state())
    ClaimFactory(article=hidden, statement="A zeppelin was sighted.")
    shown = ArticleFactory(title="Public zeppelin news")
    public_claim = ClaimFactory(article=shown, statement="Another zeppelin was sighted.")

    response = search(client, "zeppelin")

    articles, claims, _ = found(response)
    assert articles == [shown]
    assert claims == [public_claim]
    html = response.content.decode()
    assert "Zeppelin secrets" not in html
    assert "A zeppelin was sighted." not in html
    assert hidden.get_absolute_url() not in html


# The form, empty and odd queries


@pytest.mark.parametrize("q", [None, "", "   ", "\t\n"])
def test_an_empty_query_shows_just_the_form(client, q):
    ArticleFactory(title="Anything")

    response = client.get(SEARCH) if q is None else search(client, q)

    assert response.status_code == 200
    assert response.context["query"] == ""
    assert "results" not in response.context
    html = response.content.decode()
    assert 'name="q"' in html
    assert "Anything" not in html
    assert "search-summary" not in html


def test_a_query_matching_nothing_says_so(client):
    response = search(client, "xylophonist")
    assert response.status_code == 200
    assert "Nothing published matches" in response.content.decode()


HOSTILE = [
    "'",
    '"',
    "&",
    ":*",
    "!",
    "a:* & !b | c",
    '"unclosed phrase',
    "'; DROP TABLE articles_article; --",
    "(()",
    "\\",
    "%_%",
    "-",
    "or",
    "the",
    "<->",
    "zeppelin\x00",
    "\x00",
    "😀 ½ ß İ",
    "<script>alert(1)</script>",
    " ".join(["a"] * 99),
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_odd_and_hostile_queries_answer_200(client, q):
    ArticleFactory(title="Zeppelin & co: a story")
    ClaimFactory(statement="Zeppelin claims!")
    ActorFactory(name="Zeppelin GmbH", kind="company", aliases="Z'lin")

    assert search(client, q).status_code == 200


def test_the_query_is_shown_escaped(client):
    response = search(client, '<script>alert("x")</script>')

    html = response.content.decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("q", ["zeppelin " + "y" * 1000, "x" * 5000, " ".join(["a"] * 150)])
def test_a_query_over_the_length_limit_is_refused_with_a_clear_answer(client, q):
    response = search(client, q)

    assert response.status_code == 400
    assert response.context["problem"] == (
        f"Searches can be at most {MAX_QUERY_LENGTH} characters long: use fewer words."
    )


def test_clean_query_strips_and_drops_nul_characters():
    assert clean_query("  drone\x00s  ") == "drones"
    assert clean_query(" " * 300) == ""


def test_search_pages_are_not_indexed_and_run_no_inline_script(client):
    ArticleFactory(title="Zeppelin")
    for response in (client.get(SEARCH), search(client, "zeppelin")):
        html = response.content.decode()
        assert '<meta name="robots" content="noindex">' in html
        assert "<script" not in html
        assert " style=" not in html


def test_every_page_header_has_a_labelled_search_form(client):
    html_elements = tags_of(client.get(reverse("articles:home")))
    forms = [attrs for tag, attrs in html_elements if tag == "form" and attrs.get("role") == "search"]
    assert forms == [{"class": "site-search", "action": SEARCH, "method": "get", "role": "search"}]
    field = next(attrs for tag, attrs in html_elements if tag == "input" and attrs.get("name") == "q")
    assert any(tag == "label" and attrs.get("for") == field["id"] for tag, attrs in html_elements)


# Pages of results


def test_article_results_come_twenty_a_page_and_the_links_keep_the_query(client):
    articles = [
        ArticleFactory(title=f"Zeppelin & co, part {n}", published_at=past(days=n)) for n in range(1, 26)
    ]

    first = search(client, "zeppelin & co")
    second = search(client, "zeppelin & co", page=2)

    assert len(first.context["articles"]) == 20
    assert set(first.context["articles"]) | set(second.context["articles"]) <= set(articles)
    assert len(second.context["articles"]) == 5
    assert 'href="?q=zeppelin%20%26%20co&amp;page=2"' in first.content.decode()
    assert 'href="?q=zeppelin%20%26%20co&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize("page", ["x", "0", "-1", "1.5", "2", "99999999999999999999"])
def test_a_bad_page_number_answers_404(client, page):
    ArticleFactory(title="Zeppelin")
    assert search(client, "zeppelin", page=page).status_code == 404


# Speed: a fixed number of queries whatever the number of results


def test_search_runs_the_same_queries_for_one_match_or_many(client):
    def add_match():
        article = ArticleFactory(title="Zeppelin")
        ArticleAuthorFactory(article=article, author=AuthorFactory())
        article.topics.add(TopicFactory())
        ClaimFactory(article=article, statement="A zeppelin claim.")
        ActorFactory(aliases="Zeppelin")

    url = f"{SEARCH}?q=zeppelin"
    add_match()
    one = count_queries(client, url)
    for _ in range(24):
        add_match()
    cache.clear()  # or the page comes from the cache, with no query at all
    many = count_queries(client, url)

    assert len(search_published(query="zeppelin").claims) == 20
    assert one == many
    assert many <= 11  # on PostgreSQL three of them set the time limit (savepoint, SET LOCAL, release)


def test_the_same_search_again_is_served_from_the_cache(client, settings):
    settings.FOOTNOTE_PAGE_CACHE_SECONDS = 60
    ArticleFactory(title="Zeppelin")
    url = f"{SEARCH}?q=zeppelin"
    count_queries(client, url)
    assert count_queries(client, url) == 0


def test_a_search_beyond_the_servers_slots_is_told_to_try_again_at_once(client, monkeypatch):
    monkeypatch.setattr(search_module, "_SLOTS", threading.BoundedSemaphore(1))
    search_module._SLOTS.acquire()  # another search holds the only slot
    response = search(client, "zeppelin")
    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    assert response.context["problem"] == "Many people are searching right now: try again in a moment."


def test_a_query_running_past_the_time_limit_is_stopped():
    counting = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) "
        "SELECT count(*) FROM c"
    )
    with (
        pytest.raises(search_module.SearchTimeout),
        search_module.time_limit(0.05),
        connection.cursor() as cursor,
    ):
        cursor.execute(counting)


def test_a_search_that_times_out_says_so(client, monkeypatch):
    def too_slow(**kwargs):
        raise search_module.SearchTimeout

    monkeypatch.setattr("articles.views.search_published", too_slow)
    response = search(client, "zeppelin")
    assert response.status_code == 503
    assert "took too long" in response.context["problem"]
