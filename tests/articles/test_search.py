"""Public search: what it finds of each kind, what it never finds, snippets, kinds and counts, odd
input on either database, and a fixed number of queries."""

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import search as search_module
from articles.search import (
    MARK_END,
    MARK_START,
    MAX_QUERY_LENGTH,
    SEARCH_KINDS,
    clean_query,
    search_published,
)
from common.limits import TooSlow, time_limit
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    CitationFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DevelopmentFactory,
    RelationFactory,
    SourceFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES, count_queries, past, start_tags

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def tags_of(response) -> list[tuple[str, dict[str, str]]]:
    return start_tags(response.content.decode())


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


def listed(response, kind: str) -> list:
    """The rows of one kind a results page lists."""
    return next((section["rows"] for section in response.context["sections"] if section["kind"] == kind), [])


def found(response) -> tuple[list, list, list]:
    """The articles, claims and actors a results page lists."""
    return listed(response, "articles"), listed(response, "claims"), listed(response, "actors")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


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


def test_finds_a_public_source_by_its_title_author_or_publisher(client):
    by_title = SourceFactory(title="Zeppelin traffic in 2022")
    by_publisher = SourceFactory(title="Airships", publisher="Zeppelin Works")
    CitationFactory(source=by_title)
    ClaimEvidenceFactory(source=by_publisher)

    response = search(client, "zeppelin")

    assert set(listed(response, "sources")) == {by_title, by_publisher}
    assert soup(response).select_one(f'#sources a[href="{by_title.get_absolute_url()}"]')


def test_finds_a_development_and_links_it_to_its_relations_timeline(client):
    relation = RelationFactory()
    development = DevelopmentFactory(
        title="Zeppelin service opens", participants=[relation.actor_a, relation.actor_b]
    )
    DevelopmentFactory(title="Something else")

    response = search(client, "zeppelin")

    assert listed(response, "developments") == [development]
    link = f"{relation.get_absolute_url()}#development-{development.slug}"
    assert soup(response).select_one(f'#developments a[href="{link}"]')


def test_finds_a_relation_by_its_actors_names(client):
    relation = RelationFactory(actor_a=ActorFactory(name="Kazakhstan"), actor_b=ActorFactory(name="Russia"))
    RelationFactory(actor_a=ActorFactory(name="China"), actor_b=ActorFactory(name="Mongolia"))

    response = search(client, "kazakh russia")

    assert listed(response, "relations") == [relation]
    assert soup(response).select_one(f'#relations a[href="{relation.get_absolute_url()}"]')


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        ("gas", "actors"),
        ("kazakh", "actors"),
        ("zeppel", "articles"),
        ("quadcop", "claims"),
        ("airsh", "sources"),
    ],
)
def test_a_word_matches_as_the_start_of_a_longer_word(client, q, kind):
    ActorFactory(name="Gazprom", description="Russia's state gas company.")
    ActorFactory(name="Kazakhstan")
    ArticleFactory(title="Zeppelins over the steppe")
    ClaimFactory(statement="Tajikistan builds quadcopters.")
    CitationFactory(source=SourceFactory(title="Airships of the world"))

    assert len(listed(search(client, q), kind)) == 1


@pytest.mark.parametrize(
    ("name", "q"), [("Газпром", "газ"), ("غازبروم", "غاز"), ("北京天然气集团", "北京"), ("Éire Gás", "éire")]
)
def test_words_in_other_scripts_match_by_their_start_and_are_marked(client, name, q):
    ActorFactory(name=name)
    ActorFactory(name="Someone else")

    response = search(client, q)

    assert [actor.name for actor in listed(response, "actors")] == [name]
    assert soup(response).select_one("#actors mark").get_text() == name.split()[0]


def test_a_short_word_matches_only_itself():
    ActorFactory(name="Union of Europe")
    ActorFactory(name="EU", aliases="European Union")

    assert [actor.name for actor in search_published(query="eu").actors] == ["EU"]


def test_results_of_every_kind_have_their_matched_words_marked_and_escaped(client):
    hostile = '<img src=x onerror="alert(1)"> Zeppelin <b>bold</b>'
    article = ArticleFactory(title=hostile, body=f"{hostile} and more about zeppelins.")
    ClaimFactory(article=article, statement=hostile, quote=f"{hostile}, as quoted")
    CitationFactory(article=article, source=SourceFactory(title=hostile))
    ActorFactory(name=hostile, description=hostile)
    DevelopmentFactory(title=hostile, description=hostile)

    response = search(client, "zeppelin")

    page = soup(response)
    assert not page.select("main img, main b, [onerror]")
    for kind in ("articles", "claims", "sources", "actors", "developments"):
        marks = page.select(f"#{kind} mark")
        assert marks, kind
        assert {mark.get_text().casefold() for mark in marks} <= {"zeppelin", "zeppelins"}, kind
    for kind in ("claims", "actors", "developments"):
        assert page.select(f"#{kind} .search-hit__snippet mark"), kind
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in response.content.decode()
    assert MARK_START not in response.content.decode() and MARK_END not in response.content.decode()


# Kinds of results, and how many of each


def test_the_tabs_count_each_kind_and_keep_the_query(client):
    ArticleFactory(title="Zeppelin & co")
    ClaimFactory(statement="A zeppelin & co, one.")
    ClaimFactory(statement="A zeppelin & co, two.")
    ActorFactory(name="Zeppelin & co GmbH")

    page = soup(search(client, "zeppelin & co"))

    tabs = {link.get_text(" ", strip=True): link["href"] for link in page.select(".search-tabs a")}
    assert tabs == {
        "Articles 1": "?q=zeppelin%20%26%20co&type=articles",
        "Claims 2": "?q=zeppelin%20%26%20co&type=claims",
        "Actors 1": "?q=zeppelin%20%26%20co&type=actors",
    }
    assert page.select_one('.search-tabs [aria-current="page"]').get_text(strip=True) == "All"
    empty = [span.get_text(" ", strip=True) for span in page.select(".search-tabs__empty")]
    assert empty == ["Sources 0", "Developments 0", "Relations 0"]


def test_a_kind_lists_only_that_kind_twenty_a_page(client):
    for n in range(25):
        ActorFactory(name=f"Zeppelin {n}")
    ArticleFactory(title="Zeppelin")

    first = search(client, "zeppelin", type="actors")
    second = search(client, "zeppelin", type="actors", page=2)

    assert [section["kind"] for section in first.context["sections"]] == ["actors"]
    assert len(listed(first, "actors")) == 20
    assert len(listed(second, "actors")) == 5
    assert soup(first).select_one('a[rel="next"]')["href"] == "?q=zeppelin&type=actors&page=2"
    current = soup(first).select_one('.search-tabs [aria-current="page"]').get_text(" ", strip=True)
    assert current == "Actors 25"


def test_every_kind_shows_its_first_few_and_leads_to_the_rest(client):
    for n in range(7):
        ActorFactory(name=f"Zeppelin {n}")

    response = search(client, "zeppelin")

    assert len(listed(response, "actors")) == search_module.SEARCH_PREVIEW
    assert soup(response).select_one("#actors .search-more a")["href"] == "?q=zeppelin&type=actors"


@pytest.mark.parametrize("kind", ["people", "ARTICLES", "<script>", "articles "])
def test_an_unknown_kind_is_refused_with_a_clear_answer(client, kind):
    response = search(client, "zeppelin", type=kind)

    assert response.status_code == 400
    assert response.context["problem"].startswith("There is no")
    assert ", ".join(SEARCH_KINDS) in response.context["problem"]


# What it never finds


@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_never_finds_an_unpublished_article_or_its_claims(client, state):
    hidden = ArticleFactory(title="Zeppelin secrets", body="The zeppelin plan.", **state())
    hidden_claim = ClaimFactory(article=hidden, statement="A zeppelin was sighted.")
    CitationFactory(article=hidden, source=SourceFactory(title="Zeppelin log, cited by a hidden article"))
    ClaimEvidenceFactory(claim=hidden_claim, source=SourceFactory(title="Zeppelin evidence, hidden"))
    shown = ArticleFactory(title="Public zeppelin news")
    public_claim = ClaimFactory(article=shown, statement="Another zeppelin was sighted.")
    public_source = CitationFactory(article=shown, source=SourceFactory(title="Zeppelin almanac")).source

    for kind in ("", "articles", "claims", "sources"):
        response = search(client, "zeppelin", type=kind) if kind else search(client, "zeppelin")
        html = response.content.decode()
        for secret in ("Zeppelin secrets", "A zeppelin was sighted.", "Zeppelin log", "Zeppelin evidence"):
            assert secret not in html
        assert hidden.get_absolute_url() not in html
    assert listed(response, "sources") == [public_source]
    articles, claims, _ = found(search(client, "zeppelin"))
    assert articles == [shown]
    assert claims == [public_claim]
    results = search_published(query="zeppelin")
    assert (results.articles.count(), results.claims.count(), results.sources.count()) == (1, 1, 1)


# The form, empty and odd queries


@pytest.mark.parametrize("q", [None, "", "   ", "\t\n"])
def test_an_empty_query_shows_just_the_form(client, q):
    ArticleFactory(title="Anything")

    response = client.get(SEARCH) if q is None else search(client, q)

    assert response.status_code == 200
    assert response.context["query"] == ""
    assert "sections" not in response.context
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
    "Москва газ",
    "غاز القاهرة",
    "北京 天然气",
    "zeppelin_co __ _",
    "\x01\x02\x03\x1f\x7f zeppelin",
    "?!…“”«»",
    "zeppelin:* | !gas <-> (a & b)",
    "'zeppelin'':*",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_odd_and_hostile_queries_answer_200(client, q):
    ArticleFactory(title="Zeppelin & co: a story")
    ClaimFactory(statement="Zeppelin claims!")
    ActorFactory(name="Zeppelin GmbH", kind="company", aliases="Z'lin")

    assert search(client, q).status_code == 200
    for kind in SEARCH_KINDS:
        assert search(client, q, type=kind).status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=MAX_QUERY_LENGTH))
def test_any_text_answers_without_an_error(client, q):
    assert search(client, q).status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12), max_size=8))
def test_any_words_search_every_kind_without_an_error(words):
    results = search_published(query=clean_query(" ".join(words)))
    for kind in SEARCH_KINDS:
        results.shown(kind, results.of_kind(kind)[:3])


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

    first = search(client, "zeppelin & co", type="articles")
    second = search(client, "zeppelin & co", type="articles", page=2)

    assert len(listed(first, "articles")) == 20
    assert set(listed(first, "articles")) | set(listed(second, "articles")) == set(articles)
    assert len(listed(second, "articles")) == 5
    assert paging_link(first, "next") == {"q": ["zeppelin & co"], "type": ["articles"], "page": ["2"]}
    assert paging_link(second, "prev") == {"q": ["zeppelin & co"], "type": ["articles"], "page": ["1"]}


def paging_link(response, rel: str) -> dict:
    link = BeautifulSoup(response.content, "html.parser").find("a", rel=rel)
    return parse_qs(urlsplit(link["href"]).query)


@pytest.mark.parametrize("page", ["x", "0", "-1", "1.5", "2", "99999999999999999999"])
def test_a_bad_page_number_answers_404(client, page):
    ArticleFactory(title="Zeppelin")
    assert search(client, "zeppelin", type="articles", page=page).status_code == 404


# Speed: a fixed number of queries whatever the number of results


def test_search_runs_the_same_queries_for_one_match_or_many(client):
    def add_match():
        article = ArticleFactory(title="Zeppelin")
        ArticleAuthorFactory(article=article, author=AuthorFactory())
        article.topics.add(TopicFactory())
        claim = ClaimFactory(article=article, statement="A zeppelin claim.")
        ClaimEvidenceFactory(claim=claim, source=SourceFactory(title="Zeppelin report"))
        relation = RelationFactory(actor_a=ActorFactory(aliases="Zeppelin"))
        DevelopmentFactory(title="Zeppelin news", participants=[relation.actor_a, relation.actor_b])

    urls = [f"{SEARCH}?q=zeppelin", *(f"{SEARCH}?q=zeppelin&type={kind}" for kind in SEARCH_KINDS)]
    add_match()
    one = [count_queries(client, url) for url in urls]
    for _ in range(24):
        add_match()
    cache.clear()  # or the page comes from the cache, with no query at all
    many = [count_queries(client, url) for url in urls]

    assert search_published(query="zeppelin").claims.count() == 25
    assert one == many
    # six counts, the rows of each kind, what cards and developments show; on PostgreSQL three more
    # set the time limit (savepoint, SET LOCAL, release)
    assert max(many) <= 20


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
        pytest.raises(TooSlow),
        time_limit(0.05),
        connection.cursor() as cursor,
    ):
        cursor.execute(counting)


def test_a_search_that_times_out_says_so(client, monkeypatch):
    def too_slow(**kwargs):
        raise TooSlow

    monkeypatch.setattr("articles.views.search_published", too_slow)
    response = search(client, "zeppelin")
    assert response.status_code == 503
    assert "took too long" in response.context["problem"]


# The index follows every change, and SQLite without FTS5 still searches


def test_a_renamed_actor_source_or_development_is_found_by_its_new_words():
    actor = ActorFactory(name="Mongolia")
    source = CitationFactory(source=SourceFactory(title="Steppe report")).source
    development = DevelopmentFactory(title="Steppe talks")
    actor.name, source.title, development.title = "Zeppelinia", "Zeppelin report", "Zeppelin talks"
    for row in (actor, source, development):
        row.save()

    results = search_published(query="zeppelin")
    assert (list(results.actors), list(results.sources), list(results.developments)) == (
        [actor],
        [source],
        [development],
    )
    assert not search_published(query="steppe").sources.exists()


@pytest.fixture
def without_fts5(monkeypatch):
    """The fallback of SQLite builds without FTS5. It is plain ORM, so it runs on PostgreSQL too."""
    monkeypatch.setattr(search_module, "_engine", lambda: search_module.EveryWordSearch)


@pytest.mark.usefixtures("without_fts5")
def test_without_fts5_every_kind_is_found_by_part_of_a_word(client):
    ArticleFactory(title="Zeppelins over the steppe")
    ClaimFactory(statement="Tajikistan builds zeppelins.")
    CitationFactory(source=SourceFactory(title="Zeppelin almanac"))
    ActorFactory(name="Zeppelin GmbH")
    DevelopmentFactory(title="Zeppelin service opens")

    inside = search(client, "EPPELI")
    start = search(client, "ZEPPEL")

    for kind in ("articles", "claims", "sources", "actors", "developments"):
        assert len(listed(inside, kind)) == 1, kind
        assert len(listed(start, kind)) == 1, kind
    assert [mark.get_text() for mark in soup(start).select("#actors mark")] == ["Zeppelin"]


@pytest.mark.usefixtures("without_fts5")
@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_without_fts5_odd_and_hostile_queries_answer_200(client, q):
    ActorFactory(name="Zeppelin GmbH", kind="company", aliases="Z'lin")
    assert search(client, q).status_code == 200
