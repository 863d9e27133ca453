"""The relations side of the JSON API, read as a partner reads it: actors, relations and developments."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from articles.models import Claim
from tests.factories import ActorFactory, ClaimFactory, DevelopmentFactory, RelationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def queries_for(api, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def relation_with(developments: int):
    a, b = ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=a, actor_b=b)
    for n in range(developments):
        development = DevelopmentFactory(participants=[a, b], date=datetime.date(2020 + n % 4, 1 + n % 12, 1))
        ClaimFactory(status=Claim.Status.VERIFIED).developments.add(development)
    return relation


def test_a_relation_costs_the_same_queries_with_one_development_or_a_hundred(api):
    small, big = relation_with(1), relation_with(100)

    assert queries_for(api, f"/api/v1/relations/{small.slug}/") == queries_for(
        api, f"/api/v1/relations/{big.slug}/"
    )
    assert len(api.get(f"/api/v1/relations/{big.slug}/").json()["developments"]) == 100


def test_a_development_costs_the_same_queries_with_one_claim_or_a_hundred(api):
    small, big = DevelopmentFactory(participants=[ActorFactory(), ActorFactory()]), DevelopmentFactory()
    big.participants.set([ActorFactory() for _ in range(5)])
    ClaimFactory().developments.add(small)
    for _ in range(100):
        ClaimFactory().developments.add(big)

    assert queries_for(api, f"/api/v1/developments/{small.slug}/") == queries_for(
        api, f"/api/v1/developments/{big.slug}/"
    )
    data = api.get(f"/api/v1/developments/{big.slug}/").json()
    assert (len(data["claims"]), len(data["participants"])) == (100, 5)


def test_a_development_is_confirmed_only_by_a_verified_public_claim(api):
    development = DevelopmentFactory(participants=[ActorFactory(), ActorFactory()])
    claim = ClaimFactory(status=Claim.Status.DISPUTED)
    claim.developments.add(development)
    url = f"/api/v1/developments/{development.slug}/"

    before = api.get(url).json()["confirmed"]
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.VERIFIED)

    assert (before, api.get(url).json()["confirmed"]) == (False, True)


def test_relations_are_filtered_by_either_actor(api):
    kazakhstan, russia, china = ActorFactory(slug="kazakhstan"), ActorFactory(), ActorFactory()
    RelationFactory(actor_a=kazakhstan, actor_b=russia, slug="kz-ru")
    RelationFactory(actor_a=russia, actor_b=china, slug="ru-cn")
    RelationFactory(actor_a=china, actor_b=kazakhstan, slug="cn-kz")

    data = api.get("/api/v1/relations/", {"actor": "kazakhstan"}).json()

    assert sorted(item["slug"] for item in data["results"]) == ["cn-kz", "kz-ru"]


def test_a_development_in_the_list_counts_its_public_claims_without_listing_them(api):
    from articles.models import Article
    from tests.factories import ArticleFactory

    development = DevelopmentFactory(participants=[ActorFactory(), ActorFactory()])
    for status in [Claim.Status.VERIFIED, Claim.Status.DISPUTED]:
        ClaimFactory(status=status).developments.add(development)
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ClaimFactory(article=draft, status=Claim.Status.VERIFIED).developments.add(development)

    [item] = api.get("/api/v1/developments/").json()["results"]

    assert (item["claim_count"], item["confirmed"], "claims" in item) == (2, True, False)


def test_a_development_leads_to_its_place_on_a_relations_timeline_or_nowhere(api, client):
    from bs4 import BeautifulSoup

    a, b, c = ActorFactory(), ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=a, actor_b=b)
    followed = DevelopmentFactory(participants=[a, b], slug="followed")
    DevelopmentFactory(participants=[b, c], slug="unfollowed")

    listed = {item["slug"]: item["url"] for item in api.get("/api/v1/developments/").json()["results"]}
    on_timeline = api.get(f"/api/v1/relations/{relation.slug}/").json()["developments"][0]["url"]

    page, anchor = listed["followed"].split("#")
    assert listed["unfollowed"] is None
    assert (
        on_timeline == listed["followed"] == api.get(f"/api/v1/developments/{followed.slug}/").json()["url"]
    )
    assert BeautifulSoup(client.get(page).content, "html.parser").find(id=anchor) is not None
