"""What every endpoint of the JSON API shares (common/api.py), tried on each: checked parameters,
cursor pages, incremental sync, constant queries, nothing unpublished, conditional requests."""

import datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from articles.workflow import article_withdraw
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
from tests.helpers import future, past

pytestmark = pytest.mark.django_db

ENDPOINTS = ["articles", "claims", "sources", "authors", "topics", "actors", "relations", "developments"]


@pytest.fixture
def api():
    return APIClient()


def get_json(api, url, params=None, *, status=200, **headers):
    response = api.get(url, params or {}, **headers)
    assert response.status_code == status, response.content
    return response.json()


def public_record(n: int = 0) -> Article:
    """A published article with one of everything the API lists, all linked."""
    article = ArticleFactory(body="", render=False)
    ArticleAuthorFactory(article=article)
    article.topics.add(TopicFactory())
    a, b = ActorFactory(), ActorFactory()
    article.actors.add(a)
    CitationFactory(article=article, number=1)
    claim = ClaimFactory(article=article)
    ClaimEvidenceFactory(claim=claim)
    claim.actors.add(a)
    development = DevelopmentFactory(participants=[a, b])
    claim.developments.add(development)
    RelationFactory(actor_a=a, actor_b=b)
    return article


def identifiers(api, endpoint: str, **params) -> list[str]:
    """Every identifier the list holds, following the cursors to the end (two a page, unless told)."""
    key = {"claims": "id", "sources": "key"}.get(endpoint, "slug")
    found, data = [], get_json(api, f"/api/v1/{endpoint}/", {"page_size": 2, **params})
    while True:
        found += [item[key] for item in data["results"]]
        if not data["next"]:
            return found
        data = get_json(api, data["next"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_parameter_the_endpoint_does_not_take_is_refused_by_name(api, endpoint):
    data = get_json(api, f"/api/v1/{endpoint}/", {"topics": "energy", "page": "2"}, status=400)

    assert data["type"] == "validation_error"
    assert [(error["code"], error["detail"].split("”")[0]) for error in data["errors"]] == [
        ("unknown_parameter", "“page"),
        ("unknown_parameter", "“topics"),
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_item_leads_to_its_public_page_and_to_itself_in_the_api(api, endpoint, client):
    public_record()

    item = get_json(api, f"/api/v1/{endpoint}/")["results"][0]

    whole = get_json(api, item["api_url"])
    assert {key: whole[key] for key in item if key in whole} == item
    assert client.get(item["url"]).status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_costs_the_same_queries_for_one_item_and_for_a_hundred(api, endpoint):
    public_record()
    url = f"/api/v1/{endpoint}/?page_size=100"
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for n in range(99):
        public_record(n)
    with CaptureQueriesContext(connection) as many:
        data = get_json(api, url)

    assert len(data["results"]) == 100
    assert len(many) == len(one)


def test_nothing_of_an_unpublished_article_appears_in_any_list_or_detail(api):
    public_record()
    for state in [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"status": Article.Status.PUBLISHED, "published_at": future(days=2)},
        {"status": Article.Status.WITHDRAWN, "published_at": past(days=9)},
    ]:
        hidden = ArticleFactory(
            title="Secret title", slug=f"secret-{state['status']}", body="", render=False, **state
        )
        hidden.topics.add(
            TopicFactory(name=f"Secret topic {state['status']}", slug=f"secret-topic-{state['status']}")
        )
        ArticleAuthorFactory(
            article=hidden,
            author=AuthorFactory(name="Secret author", slug=f"secret-{state['status']}-author"),
        )
        CitationFactory(
            article=hidden,
            number=1,
            source=SourceFactory(title="Secret source", key=f"secret-{state['status']}-source"),
        )
        ClaimFactory(article=hidden, statement="Secret claim.")

    for endpoint in ENDPOINTS:
        response = api.get(f"/api/v1/{endpoint}/", {"page_size": 100})
        assert response.status_code == 200
        assert b"ecret" not in response.content, endpoint
    for path in [
        "articles/secret-draft",
        "topics/secret-topic-draft",
        "authors/secret-draft-author",
        "sources/secret-draft-source",
    ]:
        assert api.get(f"/api/v1/{path}/").status_code == 404


def test_an_article_published_between_two_pages_causes_no_duplicate_and_no_gap(api):
    articles = [ArticleFactory(published_at=past(days=n), body="", render=False) for n in range(1, 6)]
    first = get_json(api, "/api/v1/articles/", {"page_size": 2})
    ArticleFactory(slug="breaking", body="", render=False, published_at=timezone.now())

    seen, data = [item["slug"] for item in first["results"]], first
    while data["next"]:
        data = get_json(api, data["next"])
        seen += [item["slug"] for item in data["results"]]

    assert seen == [article.slug for article in articles]


def test_updated_since_brings_changes_oldest_first_and_what_a_schedule_made_public(api):
    old = ArticleFactory(body="", render=False, published_at=past(days=30))
    Article.objects.filter(pk=old.pk).update(updated_at=past(days=30))
    edited = ArticleFactory(body="", render=False, published_at=past(days=30))
    Article.objects.filter(pk=edited.pk).update(updated_at=past(days=2))
    # Saved a week ago for a time that has since come: public since yesterday, with nobody saving it.
    went_live = ArticleFactory(body="", render=False, published_at=past(days=1))
    Article.objects.filter(pk=went_live.pk).update(updated_at=past(days=7))

    since = past(days=3).isoformat()

    assert identifiers(api, "articles", updated_since=since) == [went_live.slug, edited.slug]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-13-01T00:00:00Z", "\x00", "2000-05-17T20:17:50.1-19:10", "0001-01-01T00:00+01:00"],
)
def test_a_malformed_updated_since_is_refused_by_name(api, value):
    data = get_json(api, "/api/v1/claims/", {"updated_since": value}, status=400)

    assert [error["attr"] for error in data["errors"]] == ["updated_since"]


def test_an_unchanged_list_answers_a_conditional_request_with_304(api):
    public_record()
    first = api.get("/api/v1/claims/")

    again = api.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Last-Modified"]
    assert again.status_code == 304
    assert "public" in first["Cache-Control"]


def test_a_claim_is_found_by_its_stable_id_and_its_numbers_are_json_numbers(api):
    claim = ClaimFactory(quantity_value="500000", quantity_unit="people")

    data = get_json(api, f"/api/v1/claims/{claim.uid}/")

    assert data["id"] == str(claim.uid)
    assert data["quantity"]["value"] == 500000
    assert data["article"]["slug"] == claim.article.slug
    assert api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404


def test_a_relation_carries_its_timeline_and_its_state_by_year_from_public_evidence_only(api):
    a, b = ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=a, actor_b=b)
    for year, tone in [(2022, 1), (2022, 2), (2023, -1)]:
        DevelopmentFactory(participants=[a, b], date=datetime.date(year, 3, 1), tone=tone)
    draft_claim = ClaimFactory(article=ArticleFactory(status=Article.Status.DRAFT, published_at=None))
    draft_claim.developments.add(relation.developments().first())

    data = get_json(api, f"/api/v1/relations/{relation.slug}/")

    assert [development["date"][:4] for development in data["developments"]] == ["2023", "2022", "2022"]
    assert [(year["year"], year["overall"]["mean"], year["overall"]["count"]) for year in data["years"]] == [
        (2023, -1.0, 1),
        (2022, 1.5, 2),
    ]
    assert all(development["claims"] == [] for development in data["developments"])


# Keeping a copy: changes since, and what went


def removals(api, since: str, kind: str = "") -> list[tuple[str, str]]:
    params = {"since": since, **({"kind": kind} if kind else {})}
    found, data = [], get_json(api, "/api/v1/removals/", {**params, "page_size": 2})
    while True:
        found += [(item["kind"], item["id"]) for item in data["results"]]
        if not data["next"]:
            return found
        data = get_json(api, data["next"])


def test_a_withdrawal_leaves_tombstones_for_what_it_took_from_public_view(api, editor_user):
    shared_source, own_source = SourceFactory(), SourceFactory()
    staying, going = ArticleFactory(body="", render=False), ArticleFactory(body="", render=False)
    CitationFactory(article=staying, number=1, source=shared_source)
    CitationFactory(article=going, number=1, source=shared_source)
    CitationFactory(article=going, number=2, source=own_source)
    shared_topic, own_topic = TopicFactory(), TopicFactory()
    staying.topics.add(shared_topic)
    going.topics.add(shared_topic, own_topic)
    claim = ClaimFactory(article=going)
    before = timezone.now().isoformat()

    article_withdraw(article=going, user=editor_user, note="Sources retracted.")

    assert sorted(removals(api, before)) == sorted(
        [
            ("article", going.slug),
            ("claim", str(claim.uid)),
            ("source", own_source.key),
            ("topic", own_topic.slug),
        ]
    )
    assert removals(api, before, kind="claim") == [("claim", str(claim.uid))]
    assert removals(api, timezone.now().isoformat()) == []


def test_deleting_a_public_record_leaves_a_tombstone_and_deleting_a_draft_one_does_not(api):
    public_claim = ClaimFactory()
    draft_claim = ClaimFactory(article=ArticleFactory(status=Article.Status.DRAFT, published_at=None))
    actor = ActorFactory()
    before = timezone.now().isoformat()

    for row in [public_claim, draft_claim, actor]:
        row.delete()

    assert sorted(removals(api, before)) == [("actor", actor.slug), ("claim", str(public_claim.uid))]


def test_a_partner_mirrors_everything_then_keeps_up_with_changes_and_removals(api, editor_user):
    articles = [public_record() for _ in range(5)]
    mirror = {endpoint: set(identifiers(api, endpoint)) for endpoint in ["articles", "claims"]}
    synced_at = timezone.now().isoformat()

    new = public_record()
    withdrawn = articles[2]
    article_withdraw(article=withdrawn, user=editor_user, note="")

    for endpoint, kind in [("articles", "article"), ("claims", "claim")]:
        data = get_json(api, f"/api/v1/{endpoint}/", {"updated_since": synced_at})
        assert data["removals"].startswith("http://testserver/api/v1/removals/?")
        mirror[endpoint] |= set(identifiers(api, endpoint, updated_since=synced_at))
        mirror[endpoint] -= {identifier for _, identifier in removals(api, synced_at, kind=kind)}

    assert mirror["articles"] == set(identifiers(api, "articles"))
    assert new.slug in mirror["articles"] and withdrawn.slug not in mirror["articles"]
    assert mirror["claims"] == set(identifiers(api, "claims"))


def test_the_schema_describes_every_endpoint_parameter_and_field(api):
    schema = get_json(api, "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert {f"/api/v1/{endpoint}/" for endpoint in [*ENDPOINTS, "removals"]} <= set(schema["paths"])
    undescribed = [
        f"{path} {method} {parameter['name']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    undescribed += [
        f"{path} {method}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary")
    ]
    undescribed += [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, described in component.get("properties", {}).items()
        if not described.get("description")
    ]
    assert undescribed == []


@pytest.fixture(scope="module")
def list_parameters(django_db_blocker) -> dict[str, list[str]]:
    """Each list endpoint's query parameters, as the schema documents them."""
    with django_db_blocker.unblock():
        schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {
        endpoint: [
            parameter["name"] for parameter in schema["paths"][f"/api/v1/{endpoint}/"]["get"]["parameters"]
        ]
        for endpoint in ENDPOINTS
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "value", ["\x00", "ü" * 3000, "Қазақстан", "' OR 1=1 --", "2026-02-30", "2000-01-01T00:00-19:10"]
)
def test_any_value_of_any_parameter_or_identifier_answers_4xx_at_worst(api, endpoint, value, list_parameters):
    public_record()
    for name in list_parameters[endpoint]:
        assert api.get(f"/api/v1/{endpoint}/", {name: value}).status_code in (200, 400), name
    assert api.get(f"/api/v1/{endpoint}/{quote(value)}/").status_code == 404


def test_each_form_of_an_answer_is_cached_apart_and_any_accept_header_reads_the_same_json(
    api, settings, monkeypatch
):
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

    from articles.api import TopicViewSet

    settings.FOOTNOTE_PAGE_CACHE_SECONDS = 3600  # the browsable HTML is the development server's
    monkeypatch.setattr(TopicViewSet, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])
    public_record()

    html = api.get("/api/v1/topics/", HTTP_ACCEPT="text/html")
    json_answer = api.get("/api/v1/topics/", HTTP_ACCEPT="application/json")
    with CaptureQueriesContext(connection) as queries:
        others = [
            api.get("/api/v1/topics/", HTTP_ACCEPT=accept)
            for accept in ["*/*", "application/*", "application/json; q=0.9, */*; q=0.1"]
        ]

    assert html["Content-Type"].startswith("text/html")
    assert json_answer["Content-Type"] == "application/json"
    assert [answer.content for answer in others] == [json_answer.content] * 3
    assert len(queries) == 0


def test_the_removals_can_be_filtered_by_every_kind_that_leaves_tombstones():
    from common.api import TOMBSTONE_KINDS
    from common.tombstones import KINDS

    assert sorted(TOMBSTONE_KINDS) == sorted(kind.name for kind in KINDS.values())


def test_a_sync_pages_through_any_number_of_records_saved_at_the_same_moment(api):
    from relations.models import Actor

    Actor.objects.bulk_create(Actor(name=f"Actor {n}", slug=f"actor-{n}", kind="state") for n in range(1_150))
    Actor.objects.update(updated_at=past(days=1))  # as a migration or an import leaves them

    found = identifiers(api, "actors", updated_since=past(days=2).isoformat(), page_size=100)

    assert len(found) == len(set(found)) == 1_150


def test_a_page_links_back_to_the_one_before_in_a_sync_too(api):
    for n in range(5):
        ArticleFactory(slug=f"saved-{n}", body="", render=False)
    since = past(days=2).isoformat()
    first = get_json(api, "/api/v1/articles/", {"updated_since": since, "page_size": 2})
    second = get_json(api, first["next"])

    back = get_json(api, second["previous"])

    assert [item["slug"] for item in first["results"]] == ["saved-0", "saved-1"]
    assert [item["slug"] for item in back["results"]] == ["saved-0", "saved-1"]
    assert back["previous"] is None


def test_a_cursor_given_for_one_order_is_refused_for_another(api):
    ArticleFactory.create_batch(3, body="", render=False)
    newest_first = get_json(api, "/api/v1/articles/", {"page_size": 1})["next"]
    cursor = newest_first.split("cursor=")[1].split("&")[0]

    data = get_json(
        api, "/api/v1/articles/", {"cursor": cursor, "updated_since": past(days=9).isoformat()}, status=400
    )

    assert [error["attr"] for error in data["errors"]] == ["cursor"]


def test_the_schema_is_kept_once_made_in_each_of_its_forms(api, settings, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    settings.FOOTNOTE_PAGE_CACHE_SECONDS = 3600
    made = []
    generate = SchemaGenerator.get_schema
    monkeypatch.setattr(
        SchemaGenerator, "get_schema", lambda *args, **kwargs: made.append(1) or generate(*args, **kwargs)
    )

    yaml = api.get("/api/v1/schema/")
    json_schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    again = [
        api.get("/api/v1/schema/", HTTP_ACCEPT=accept)
        for accept in ["application/vnd.oai.openapi+json", "*/*"]
    ]

    assert yaml.content.startswith(b"openapi:")
    assert [answer.content for answer in again] == [json_schema.content, yaml.content]
    assert len(made) == 2
