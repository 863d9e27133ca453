"""The read-only JSON API, read the way a feed consumer reads it: by parsing the JSON."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, Citation, Claim, ClaimEvidence, ClaimLink
from articles.workflow import source_assess
from common import limits
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    CitationFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    CorrectionFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"

CARD_FIELDS = {
    "title",
    "slug",
    "dek",
    "kind",
    "url",
    "api_url",
    "published_at",
    "first_published_at",
    "updated_at",
    "authors",
    "topics",
    "summary",
}
ARTICLE_FIELDS = CARD_FIELDS | {"body_html", "citations", "claims", "actors", "corrections"}


@pytest.fixture
def api():
    return APIClient()


def detail_url(slug):
    return f"{LIST_URL}{slug}/"


def iso(moment):
    """A datetime as the API writes it: ISO 8601 in UTC with a Z."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def source_ref(source, *, address, title, publisher=""):
    """A source as a note or a claim's evidence names it in the API."""
    return {
        "key": source.key,
        "title": title,
        "publisher": publisher,
        "address": address,
        "url": f"http://testserver/sources/{source.pk}/",
        "api_url": f"http://testserver/api/v1/sources/{source.key}/",
    }


def not_found(data: dict) -> bool:
    return data["type"] == "client_error" and [error["code"] for error in data["errors"]] == ["not_found"]


def invalid(parameter: str) -> dict:
    """The 400 for a value of `parameter` that is not one the endpoint takes."""
    message = "A whole number from 1 to 100."
    return {"type": "validation_error", "errors": [{"code": "invalid", "detail": message, "attr": parameter}]}


def get_json(api, url, params=None, *, status=200):
    response = api.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def article_with_claims(*, notes, claims, **kwargs):
    """A published article with `notes` numbered notes and `claims` claims, each with evidence and actors."""
    article = ArticleFactory(body="", render=False, **kwargs)
    ArticleAuthorFactory(article=article)
    article.topics.add(TopicFactory())
    article.actors.add(ActorFactory())
    CorrectionFactory(article=article)
    for number in range(1, notes + 1):
        CitationFactory(article=article, number=number)
    earlier = ClaimFactory(article=article, position=claims)
    for position in range(claims):
        claim = ClaimFactory(
            article=article,
            position=position,
            quantity_value=Decimal("12.5"),
            quantity_unit="per cent",
            derived_from=earlier,
        )
        ClaimLink.objects.create(from_claim=claim, kind=ClaimLink.Kind.UPDATES, to_claim=earlier)
        ClaimEvidenceFactory(claim=claim)
        ClaimEvidenceFactory(claim=claim, stance=ClaimEvidence.Stance.CONTRADICTS)
        claim.actors.add(ActorFactory(), ActorFactory())
    return article


# What an article looks like


def test_article_detail_shows_exactly_the_public_fields_with_nested_structures(api):
    published_at = timezone.now() - datetime.timedelta(days=2)
    article = ArticleFactory(
        title="China and Central Asia",
        slug="china-central-asia",
        dek="Trade grows.",
        kind=Article.Kind.BRIEF,
        summary="Trade grew by 45 per cent.",
        body="Trade [grew](https://example.org/trade) and [migration](#) rose.",
        published_at=published_at,
    )
    author = AuthorFactory(name="Aigerim Sadykova", slug="aigerim-sadykova")
    ArticleAuthorFactory(article=article, author=author)
    topic = TopicFactory(name="Trade", slug="trade")
    article.topics.add(topic)
    china = ActorFactory(name="China", slug="china", kind="state")
    article.actors.add(china)
    claim = ClaimFactory(
        article=article,
        statement="Trade exceeded $70 billion in 2022.",
        status=Claim.Status.VERIFIED,
        quantity_value=Decimal("70000000000"),
        quantity_unit="USD",
        quantity_approximation="more_than",
        quantity_as_of=datetime.date(2022, 12, 31),
        quantity_period="2022",
        claimant_name="Chinese customs",
    )
    customs = SourceFactory(
        url="https://customs.example.cn/2022", title="Customs statistics", publisher="GACC"
    )
    source_assess(source=customs, reliability="B", credibility=2, user=None, note="Internal: never public.")
    ClaimEvidenceFactory(
        claim=claim, source=customs, locator="table 3", passage="Total trade: 70.2 billion USD."
    )
    claim.actors.add(china)
    correction = CorrectionFactory(article=article, text="An earlier version gave the wrong year.")
    article.refresh_from_db()
    citations = {c.number: c.source for c in Citation.objects.filter(article=article)}

    data = get_json(api, detail_url("china-central-asia"))

    assert data == {
        "title": "China and Central Asia",
        "slug": "china-central-asia",
        "dek": "Trade grows.",
        "kind": "brief",
        "url": "http://testserver/articles/china-central-asia/",
        "api_url": "http://testserver/api/v1/articles/china-central-asia/",
        "published_at": iso(published_at),
        "first_published_at": iso(published_at),
        "updated_at": iso(article.updated_at),
        "authors": [{"name": "Aigerim Sadykova", "slug": "aigerim-sadykova"}],
        "topics": [{"name": "Trade", "slug": "trade"}],
        "summary": "Trade grew by 45 per cent.",
        "body_html": article.body_html,
        "citations": [
            {
                "number": 1,
                "anchor_text": "grew",
                "source": source_ref(citations[1], address="https://example.org/trade", title="grew"),
            },
            {
                "number": 2,
                "anchor_text": "migration",
                # The note's address was lost: the address is null, not an empty string.
                "source": source_ref(citations[2], address=None, title="migration"),
            },
        ],
        "claims": [
            {
                "id": str(claim.uid),
                "statement": "Trade exceeded $70 billion in 2022.",
                "status": "verified",
                "reviewed_at": None,
                "claimant": "Chinese customs",
                "derived_from": None,
                "links": [],
                "quantity": {
                    "value": 70000000000,
                    "unit": "USD",
                    "approximation": "more_than",
                    "lower": None,
                    "upper": None,
                    "period_start": None,
                    "as_of": "2022-12-31",
                    "precision": "day",
                    "period": "2022",
                },
                "sources": [
                    {
                        "source": source_ref(
                            customs,
                            address="https://customs.example.cn/2022",
                            title="Customs statistics",
                            publisher="GACC",
                        ),
                        "grade": "B2",
                        "stance": "supports",
                        "locator": "table 3",
                        "passage": "Total trade: 70.2 billion USD.",
                    }
                ],
                "actors": [{"name": "China", "slug": "china", "kind": "state"}],
            }
        ],
        "actors": [{"name": "China", "slug": "china", "kind": "state"}],
        "corrections": [
            {"published_at": iso(correction.published_at), "text": "An earlier version gave the wrong year."}
        ],
    }
    assert '<sup class="note-ref" id="ref-1">' in data["body_html"]


def test_list_entries_are_cards_leading_to_the_whole_article(api):
    article = article_with_claims(notes=2, claims=2)

    listed = get_json(api, LIST_URL)["results"][0]
    detail = get_json(api, listed["api_url"])

    assert set(listed) == CARD_FIELDS
    assert listed == {field: detail[field] for field in CARD_FIELDS}
    assert detail["slug"] == article.slug


def test_authors_appear_in_byline_order_not_by_name(api):
    article = ArticleFactory()
    for position, name in [(2, "Aaron Third"), (0, "Zhanna First"), (1, "Mikhail Second")]:
        ArticleAuthorFactory(article=article, author=AuthorFactory(name=name), position=position)

    data = get_json(api, detail_url(article.slug))

    assert [author["name"] for author in data["authors"]] == ["Zhanna First", "Mikhail Second", "Aaron Third"]


def test_citations_are_numbered_in_note_order(api):
    article = ArticleFactory(body=" ".join(f"[note {n}](https://example.org/{n})" for n in range(1, 13)))

    data = get_json(api, detail_url(article.slug))

    assert [(c["number"], c["anchor_text"]) for c in data["citations"]] == [
        (n, f"note {n}") for n in range(1, 13)
    ]
    assert [c["source"]["address"] for c in data["citations"]] == [
        f"https://example.org/{n}" for n in range(1, 13)
    ]


def test_a_claim_without_a_quantity_has_null_quantity_and_claims_keep_their_order(api):
    article = ArticleFactory()
    second = ClaimFactory(article=article, position=2, statement="Second.")
    first = ClaimFactory(
        article=article,
        position=1,
        statement="First.",
        quantity_value=Decimal("45.5"),
        quantity_unit="per cent",
        quantity_period="January–September 2022",
    )

    claims = get_json(api, detail_url(article.slug))["claims"]

    assert [claim["id"] for claim in claims] == [str(first.uid), str(second.uid)]
    assert claims[0]["quantity"] == {
        "value": 45.5,
        "unit": "per cent",
        "approximation": "exact",
        "lower": None,
        "upper": None,
        "period_start": None,
        "as_of": None,
        "precision": "day",
        "period": "January–September 2022",
    }
    assert claims[1]["quantity"] is None
    assert claims[1]["sources"] == []


def test_claims_name_the_public_claims_they_are_derived_from_or_linked_to_and_no_others(api):
    article = ArticleFactory()
    total = ClaimFactory(article=article, position=1)
    draft = ClaimFactory(article=ArticleFactory(status=Article.Status.DRAFT, published_at=None))
    growth = ClaimFactory(article=article, position=2, derived_from=total)
    hidden = ClaimFactory(article=article, position=3, derived_from=draft)
    ClaimLink.objects.create(from_claim=growth, kind=ClaimLink.Kind.SUPPORTS, to_claim=total)
    ClaimLink.objects.create(from_claim=hidden, kind=ClaimLink.Kind.UPDATES, to_claim=draft)

    claims = {claim["id"]: claim for claim in get_json(api, detail_url(article.slug))["claims"]}

    assert (claims[str(growth.uid)]["derived_from"], claims[str(growth.uid)]["links"]) == (
        str(total.uid),
        [{"kind": "supports", "claim": str(total.uid)}],
    )
    assert (claims[str(hidden.uid)]["derived_from"], claims[str(hidden.uid)]["links"]) == (None, [])


def test_claim_sources_carry_stance_and_locator_and_a_null_url_when_missing(api):
    claim = ClaimFactory()
    lost = SourceFactory(url="", title="A lost page", publisher="")
    ClaimEvidenceFactory(claim=claim, source=lost, stance=ClaimEvidence.Stance.CONTRADICTS, locator="")

    sources = get_json(api, detail_url(claim.article.slug))["claims"][0]["sources"]

    assert sources == [
        {
            "source": source_ref(lost, address=None, title="A lost page"),
            "grade": "",
            "stance": "contradicts",
            "locator": "",
            "passage": "",
        }
    ]


# Published content only

HIDDEN = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "in review": {"status": Article.Status.IN_REVIEW, "published_at": None},
    "withdrawn": {
        "status": Article.Status.WITHDRAWN,
        "published_at": timezone.now() - datetime.timedelta(days=30),
    },
    "scheduled": {
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() + datetime.timedelta(days=1),
    },
}


@pytest.mark.parametrize("state", HIDDEN.values(), ids=HIDDEN.keys())
def test_unpublished_articles_are_neither_listed_nor_served(api, state):
    visible = ArticleFactory(slug="visible")
    hidden = ArticleFactory(slug="hidden", **state)

    listed = get_json(api, LIST_URL)

    assert [entry["slug"] for entry in listed["results"]] == [visible.slug]
    assert not_found(get_json(api, detail_url(hidden.slug), status=404))


def test_a_draft_articles_claims_appear_nowhere(api):
    public = ArticleFactory(slug="public")
    ClaimFactory(article=public, statement="A public claim.")
    draft = ArticleFactory(slug="draft", status=Article.Status.DRAFT, published_at=None)
    secret = ClaimFactory(article=draft, statement="A secret draft claim.")
    ClaimEvidenceFactory(claim=secret, source=SourceFactory(title="A secret draft source"))

    responses = [
        api.get(LIST_URL),
        api.get(LIST_URL, {"page_size": 100}),
        api.get(detail_url("public")),
        api.get(detail_url("draft")),
    ]

    for response in responses:
        assert b"secret draft" not in response.content
    assert [claim["statement"] for claim in responses[2].json()["claims"]] == ["A public claim."]


def test_unknown_slug_gives_a_json_404(api):
    assert not_found(get_json(api, detail_url("no-such-article"), status=404))


def test_a_slug_with_odd_characters_still_gets_the_apis_json_404(api):
    assert not_found(get_json(api, detail_url("no.such article"), status=404))


# The list and its pages


def test_list_is_newest_first_with_cursor_links_both_ways(api):
    now = timezone.now()
    for days in [3, 1, 2]:
        ArticleFactory(slug=f"days-{days}", published_at=now - datetime.timedelta(days=days))

    first = get_json(api, LIST_URL, {"page_size": 2})
    second = get_json(api, first["next"])
    back = get_json(api, second["previous"])

    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/articles/?cursor=")
    assert [entry["slug"] for entry in first["results"]] == ["days-1", "days-2"]
    assert second["next"] is None
    assert [entry["slug"] for entry in second["results"]] == ["days-3"]
    assert [entry["slug"] for entry in back["results"]] == ["days-1", "days-2"]


def test_a_page_deep_in_the_list_follows_from_the_one_before_however_many_share_a_time(api):
    moment = timezone.now() - datetime.timedelta(days=1)
    articles = [ArticleFactory(published_at=moment, body="", render=False) for _ in range(7)]
    seen, data = [], get_json(api, LIST_URL, {"page_size": 3})
    while True:
        seen += [entry["slug"] for entry in data["results"]]
        if not data["next"]:
            break
        data = get_json(api, data["next"])
    assert seen == [article.slug for article in sorted(articles, key=lambda a: a.pk, reverse=True)]


def test_default_page_holds_twenty_articles(api):
    ArticleFactory.create_batch(21, body="", render=False)

    data = get_json(api, LIST_URL)

    assert len(data["results"]) == 20
    assert data["next"]


def test_a_page_holds_up_to_one_hundred(api):
    ArticleFactory.create_batch(101, body="", render=False)

    data = get_json(api, LIST_URL, {"page_size": 100})

    assert len(data["results"]) == 100
    assert data["next"]


@pytest.mark.parametrize("page_size", ["101", "100000", "abc", "0", "-5", "", "null", "1.5", "٣"])
def test_a_page_size_beyond_one_hundred_or_not_a_number_is_refused_by_name(api, page_size):
    ArticleFactory.create_batch(3, body="", render=False)

    assert get_json(api, LIST_URL, {"page_size": page_size}, status=400) == invalid("page_size")


# cD0yMDIy is "p=2022", cj0xJnA9eA== "r=1&p=x", cD0yMDIyLTk5LTk5VDAwOjAwOjAw "p=2022-99-99T00:00:00".
@pytest.mark.parametrize(
    "cursor", ["abc", "3", "cD0yMDIy", "%00", "cj0xJnA9eA==", "cD0yMDIyLTk5LTk5VDAwOjAwOjAw"]
)
def test_a_cursor_that_is_not_ours_is_refused_by_name(api, cursor):
    ArticleFactory.create_batch(3, body="", render=False)

    data = get_json(api, LIST_URL, {"cursor": cursor, "page_size": 2}, status=400)

    assert [(error["attr"], error["code"]) for error in data["errors"]] == [("cursor", "invalid")]


def test_html_is_not_served_when_debug_is_off(api, settings):
    assert settings.DEBUG is False
    ArticleFactory()

    html_only = api.get(LIST_URL, HTTP_ACCEPT="text/html")
    browser = api.get(LIST_URL, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert html_only.status_code == 406
    assert html_only["Content-Type"] == "application/json"
    assert [error["code"] for error in html_only.json()["errors"]] == ["not_acceptable"]
    assert browser.status_code == 200
    assert browser["Content-Type"] == "application/json"
    assert len(browser.json()["results"]) == 1


# Schema and docs


def test_schema_describes_the_article_endpoints(api):
    response = api.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/articles/", "/api/v1/articles/{slug}/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/articles/"]) == {"get"}
    assert set(schema["components"]["schemas"]["Article"]["properties"]) == ARTICLE_FIELDS
    quantity = schema["components"]["schemas"]["Claim"]["properties"]["quantity"]
    assert quantity["nullable"] is True
    assert quantity["allOf"] == [{"$ref": "#/components/schemas/Quantity"}]
    list_parameters = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert list_parameters == {
        *("cursor", "page_size", "updated_since", "q", "topic", "author", "actor", "kind"),
        *("published_after", "published_before"),
    }


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    # --fail-on-warn exits non-zero on any warning, e.g. a method field without a type.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/articles/{slug}/" in (tmp_path / "schema.yaml").read_text()


def test_docs_page_loads_its_scripts_from_this_site_only(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert '<script src="/api/v1/docs/?script=' in html
    assert "<script>" not in html  # no inline script for the CSP to refuse
    assert "script-src 'self'" in response["Content-Security-Policy"]

    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()


# A fixed number of queries


def count_queries(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def test_detail_costs_the_same_queries_for_one_note_or_forty(api):
    small = article_with_claims(notes=1, claims=1)
    big = article_with_claims(notes=40, claims=40)

    small_count = count_queries(api, detail_url(small.slug))
    big_count = count_queries(api, detail_url(big.slug))

    # The article, then one each for bylines+authors, topics, citations+sources, claims,
    # evidence+sources, claim actors, the figures claims are derived from, claim links, article
    # actors, corrections.
    assert small_count == big_count == 11


def test_list_costs_the_same_queries_for_one_article_or_twenty_five(api):
    article_with_claims(notes=2, claims=2)
    one_count = count_queries(api, LIST_URL)

    for _ in range(24):
        article_with_claims(notes=3, claims=3)
    many_count = count_queries(api, LIST_URL)

    assert len(get_json(api, LIST_URL)["results"]) == 20
    # The articles, their bylines and their topics; nothing counts the list. On PostgreSQL the time
    # limit adds three statements inside a test's transaction: a savepoint, its release, and the limit.
    assert one_count == many_count == (6 if connection.vendor == "postgresql" else 3)


# Searching the lists


def test_q_finds_public_articles_by_the_start_of_a_word_and_nothing_unpublished(api):
    ArticleFactory(title="Gazprom roadmaps", slug="gazprom", body="", render=False)
    ArticleFactory(title="Cotton harvests", slug="cotton", body="", render=False)
    ArticleFactory(title="Gazprom secrets", slug="draft", status=Article.Status.DRAFT, published_at=None)

    data = get_json(api, LIST_URL, {"q": "gaz"})

    assert [item["slug"] for item in data["results"]] == ["gazprom"]


def test_a_search_too_long_is_refused_by_name_and_one_too_slow_is_stopped(api, monkeypatch):
    ArticleFactory()
    too_long = get_json(api, LIST_URL, {"q": "word " * 60}, status=400)

    @contextmanager
    def stopped():  # as the database stops a query past the time limit (tested in test_search)
        yield
        raise limits.TooSlow

    monkeypatch.setattr("common.api.time_limit", stopped)
    too_slow = get_json(api, LIST_URL, {"q": "gas"}, status=400)

    assert [error["attr"] for error in too_long["errors"]] == ["q"]
    assert [error["code"] for error in too_slow["errors"]] == ["too_slow"]


def test_the_sources_of_an_article_are_each_listed_once_cited_or_given_as_evidence(api):
    article = ArticleFactory(body="", render=False)
    twice, evidence_only = SourceFactory(), SourceFactory()
    CitationFactory(article=article, number=1, source=twice)
    CitationFactory(article=article, number=2, source=twice)
    ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=twice)
    ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=evidence_only)
    CitationFactory(article=ArticleFactory(body="", render=False), number=1)  # another article's

    data = get_json(api, "/api/v1/sources/", {"article": article.slug})

    assert sorted(item["key"] for item in data["results"]) == sorted([twice.key, evidence_only.key])


def test_a_claim_costs_the_same_queries_with_one_of_everything_or_thirty(api):
    def claim_with(n: int) -> Claim:
        claim = ClaimFactory()
        for _ in range(n):
            ClaimEvidenceFactory(claim=claim)
            ClaimLink.objects.create(from_claim=claim, kind=ClaimLink.Kind.SUPPORTS, to_claim=ClaimFactory())
            claim.actors.add(ActorFactory())
        return claim

    small, big = claim_with(1), claim_with(30)

    assert count_queries(api, f"/api/v1/claims/{small.uid}/") == count_queries(
        api, f"/api/v1/claims/{big.uid}/"
    )
    data = get_json(api, f"/api/v1/claims/{big.uid}/")
    assert (len(data["sources"]), len(data["links"]), len(data["actors"])) == (30, 30, 30)


def test_q_finds_every_match_in_the_lists_order_with_its_other_filters(api):
    moment = timezone.now() - datetime.timedelta(days=400)
    Article.objects.bulk_create(
        Article(
            title=f"Zeppelin report {n}",
            slug=f"zeppelin-{n}",
            status=Article.Status.PUBLISHED,
            published_at=moment + datetime.timedelta(hours=n),
            first_published_at=moment,
        )
        for n in range(1_050)
    )
    ArticleFactory(title="Cotton", slug="cotton", body="", render=False)
    before = (moment + datetime.timedelta(hours=10)).isoformat()

    found, data = [], get_json(api, LIST_URL, {"q": "zeppelin", "page_size": 100})
    while True:
        found += [item["slug"] for item in data["results"]]
        if not data["next"]:
            break
        data = get_json(api, data["next"])
    early = get_json(api, LIST_URL, {"q": "zeppelin", "published_before": before})

    assert found == [f"zeppelin-{n}" for n in reversed(range(1_050))]
    assert [item["slug"] for item in early["results"]] == [f"zeppelin-{n}" for n in reversed(range(10))]
