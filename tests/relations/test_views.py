import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.models import Article, Claim
from relations.models import Development, Membership, Relation
from tests.factories import (
    ActorFactory,
    ArticleFactory,
    ClaimFactory,
    DevelopmentFactory,
    MembershipFactory,
    OrganisationFactory,
    RelationFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

UNPUBLISHED_STATES = {
    "draft": lambda: {"status": Article.Status.DRAFT, "published_at": None},
    "in-review": lambda: {"status": Article.Status.IN_REVIEW, "published_at": None},
    "withdrawn": lambda: {"status": Article.Status.WITHDRAWN, "published_at": timezone.now()},
    "scheduled": lambda: {
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() + datetime.timedelta(days=1),
    },
}
unpublished_states = pytest.mark.parametrize(
    "state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES)
)


# Actor pages


def test_actor_page_shows_kind_aliases_memberships_relations_and_articles(client):
    kazakhstan = ActorFactory(
        name="Kazakhstan", aliases="Kazakh\nAstana\n", iso_code="KZ", wikidata_id="Q232"
    )
    china = ActorFactory(name="China")
    csto = OrganisationFactory(name="CSTO")
    MembershipFactory(member=kazakhstan, organisation=csto, role=Membership.Role.MEMBER)
    relation = RelationFactory(actor_a=china, actor_b=kazakhstan, state=Relation.State.TENSE)
    article = ArticleFactory(title="Steppe politics")
    article.actors.add(kazakhstan)

    response = client.get(kazakhstan.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Kazakhstan</h1>" in html
    assert "<dd>State</dd>" in html
    assert "<li>Kazakh</li><li>Astana</li>" in html
    assert "KZ" in html
    assert 'href="https://www.wikidata.org/wiki/Q232"' in html
    assert f'Member of <a href="{csto.get_absolute_url()}">CSTO</a>' in html
    assert f'<a href="{relation.get_absolute_url()}">China</a>' in html
    assert '<span class="state state--tense">Tense</span>' in html
    assert "Steppe politics" in html


def test_organisation_page_lists_its_members(client):
    sco = OrganisationFactory(name="SCO")
    MembershipFactory(member=ActorFactory(name="Kazakhstan"), organisation=sco)
    MembershipFactory(member=ActorFactory(name="Mongolia"), organisation=sco, role=Membership.Role.OBSERVER)

    html = client.get(sco.get_absolute_url()).content.decode()

    assert "Members" in html
    assert "Kazakhstan</a>" in html
    assert 'Mongolia</a> <span class="muted">observer</span>' in html


@unpublished_states
def test_actor_page_lists_only_published_articles(client, state):
    actor = ActorFactory()
    ArticleFactory(title="Public piece").actors.add(actor)
    ArticleFactory(title="Hidden piece", **state()).actors.add(actor)

    html = client.get(actor.get_absolute_url()).content.decode()

    assert "Public piece" in html
    assert "Hidden piece" not in html


def test_an_unknown_actor_or_relation_answers_404(client):
    assert client.get("/actors/nobody/").status_code == 404
    assert client.get("/relations/nothing/").status_code == 404


def test_actor_articles_are_paged_and_a_bad_cursor_answers_404(client):
    actor = ActorFactory()
    assert client.get(actor.get_absolute_url(), {"older": "x"}).status_code == 404


# Relation pages


def test_relation_page_shows_both_actors_state_summary_and_timeline_newest_first(client):
    china, kazakhstan = ActorFactory(name="China"), ActorFactory(name="Kazakhstan")
    relation = RelationFactory(
        actor_a=china, actor_b=kazakhstan, state=Relation.State.COOPERATIVE, summary="Trade partners."
    )
    DevelopmentFactory(
        title="Trade passes $70 billion",
        date=datetime.date(2022, 1, 1),
        date_precision=Development.Precision.YEAR,
        dimension=Development.Dimension.ECONOMIC,
        tone=Development.Tone.COOPERATION,
        participants=[china, kazakhstan],
    )
    DevelopmentFactory(
        title="Summit in Xi'an",
        date=datetime.date(2023, 5, 18),
        dimension=Development.Dimension.DIPLOMATIC,
        tone=Development.Tone.CLOSE_COOPERATION,
        participants=[china, kazakhstan],
    )
    DevelopmentFactory(title="Only China", participants=[china])

    response = client.get(relation.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{china.get_absolute_url()}">China</a>' in html
    assert f'<a href="{kazakhstan.get_absolute_url()}">Kazakhstan</a>' in html
    assert '<span class="state state--cooperative">Cooperative</span>' in html
    assert "Trade partners." in html
    titles = [h3.get_text() for h3 in BeautifulSoup(html, "html.parser").select(".timeline__title")]
    assert titles == ["Summit in Xi'an", "Trade passes $70 billion"]
    assert '<time datetime="2023-05-18">18 May 2023</time>' in html
    assert '<time datetime="2022-01-01">2022</time>' in html
    assert '<span class="dimension">Economic</span>' in html
    assert '<span class="tone">Close cooperation</span>' in html
    assert "Only China" not in html


@unpublished_states
def test_relation_timeline_shows_only_claims_and_articles_that_are_published(client, state):
    a, b = ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=a, actor_b=b)
    development = DevelopmentFactory(participants=[a, b])
    shown = ArticleFactory(title="Public piece")
    hidden = ArticleFactory(title="Hidden piece", **state())
    development.articles.add(shown, hidden)
    development.claims.add(
        ClaimFactory(article=shown, statement="Public claim.", status=Claim.Status.VERIFIED),
        ClaimFactory(article=hidden, statement="Hidden claim."),
    )

    html = client.get(relation.get_absolute_url()).content.decode()

    assert "Public claim." in html
    assert '<span class="badge badge--verified">' in html
    assert "Public piece" in html
    assert "Hidden claim." not in html
    assert "Hidden piece" not in html


# Speed


def test_actor_page_runs_the_same_queries_for_few_rows_or_many(client):
    actor = OrganisationFactory()

    def add_rows():
        other = ActorFactory()
        MembershipFactory(member=actor, organisation=OrganisationFactory())
        MembershipFactory(member=other, organisation=actor)
        RelationFactory(actor_a=actor, actor_b=other)
        ArticleFactory().actors.add(actor)

    add_rows()
    before = count_queries(client, actor.get_absolute_url())
    for _ in range(20):
        add_rows()
    after = count_queries(client, actor.get_absolute_url())
    assert before == after
    assert after <= 9


def test_relation_page_runs_the_same_queries_for_one_development_or_many(client):
    a, b = ActorFactory(), ActorFactory()
    relation = RelationFactory(actor_a=a, actor_b=b)

    def add_development():
        development = DevelopmentFactory(participants=[a, b, ActorFactory()])
        article = ArticleFactory()
        development.articles.add(article)
        development.claims.add(ClaimFactory(article=article))

    add_development()
    before = count_queries(client, relation.get_absolute_url())
    for _ in range(20):
        add_development()
    after = count_queries(client, relation.get_absolute_url())
    assert before == after
    assert after <= 5
