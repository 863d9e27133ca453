import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from articles.filters import ArticleFilter, ClaimFilter
from articles.models import Article, Claim
from articles.selectors import article_cards_published, claim_cards_published
from tests.factories import (
    ActorFactory,
    ArticleAuthorFactory,
    ArticleFactory,
    AuthorFactory,
    ClaimFactory,
    TopicFactory,
)
from tests.helpers import UNPUBLISHED_STATES

pytestmark = pytest.mark.django_db

unpublished_states = pytest.mark.parametrize(
    "state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES)
)


def in_year(year: int) -> datetime.datetime:
    return datetime.datetime(year, 6, 1, 12, tzinfo=datetime.UTC)


def article_filter(query: str) -> ArticleFilter:
    return ArticleFilter(QueryDict(query), queryset=article_cards_published())


def claim_filter(query: str) -> ClaimFilter:
    return ClaimFilter(QueryDict(query), queryset=claim_cards_published())


def listed(filters) -> list:
    assert filters.is_valid(), filters.errors
    return list(filters.qs)


def choice_values(filters, name: str) -> list[str]:
    return [str(value) for value, _ in filters.form.fields[name].choices if value != ""]


@pytest.fixture
def library():
    """Four public articles that differ in one way each from the first."""
    energy, trade = TopicFactory(slug="energy", name="Energy"), TopicFactory(slug="trade", name="Trade")
    kazakhstan = ActorFactory(slug="kazakhstan", name="Kazakhstan")
    china = ActorFactory(slug="china", name="China")
    aster, brook = (
        AuthorFactory(slug="aster", name="Mira Aster"),
        AuthorFactory(slug="brook", name="Jo Brook"),
    )

    def article(title, *, topic, actor, author, kind=Article.Kind.ANALYSIS, year=2024):
        made = ArticleFactory(title=title, kind=kind, published_at=in_year(year))
        made.topics.add(topic)
        made.actors.add(actor)
        ArticleAuthorFactory(article=made, author=author, position=1)
        return made

    return {
        "base": article("Base", topic=energy, actor=kazakhstan, author=aster),
        "trade": article("Trade", topic=trade, actor=kazakhstan, author=aster),
        "china": article("China", topic=energy, actor=china, author=aster),
        "brook": article("Brook", topic=energy, actor=kazakhstan, author=brook, kind=Article.Kind.BRIEF),
        "older": article("Older", topic=energy, actor=kazakhstan, author=aster, year=2022),
    }


# The article list's filters


@pytest.mark.parametrize(
    "query, expected",
    [
        ("topic=trade", {"trade"}),
        ("actor=china", {"china"}),
        ("author=brook", {"brook"}),
        ("kind=brief", {"brook"}),
        ("year=2022", {"older"}),
        ("", {"base", "trade", "china", "brook", "older"}),
    ],
)
def test_each_article_filter_keeps_only_the_articles_it_names(library, query, expected):
    assert set(listed(article_filter(query))) == {library[name] for name in expected}


def test_article_filters_combine(library):
    query = "topic=energy&actor=kazakhstan&author=aster&kind=analysis&year=2024"
    assert listed(article_filter(query)) == [library["base"]]
    assert listed(article_filter("topic=trade&actor=china")) == []


def test_an_article_with_several_topics_and_actors_is_listed_once(library):
    library["base"].topics.add(library["trade"].topics.get())
    library["base"].actors.add(library["china"].actors.get())
    ArticleAuthorFactory(article=library["base"], author=library["brook"].bylines.get().author, position=2)

    assert listed(article_filter("topic=energy")).count(library["base"]) == 1
    assert listed(article_filter("topic=trade&actor=china&author=brook")) == [library["base"]]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("topic=no-such-topic", "topic", "There is no published topic “no-such-topic”."),
        ("actor=atlantis", "actor", "No published article mentions “atlantis”."),
        ("author=nobody", "author", "No author “nobody” has published articles."),
        ("kind=<script>", "kind", "“<script>” is not a kind of article."),
        ("year=abc", "year", "No articles were published in “abc”."),
        ("year=1999", "year", "No articles were published in “1999”."),
        ("year=2024.0", "year", "No articles were published in “2024.0”."),
    ],
)
def test_a_value_that_is_not_a_choice_is_an_error_that_names_it(library, query, field, message):
    filters = article_filter(query)
    assert not filters.is_valid()
    assert filters.problems() == [message]
    assert filters.errors[field] == [message]


def test_choices_offer_only_what_public_articles_have(library):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    draft.topics.add(TopicFactory(slug="secret-topic"))
    draft.actors.add(ActorFactory(slug="secret-actor"))
    ArticleAuthorFactory(article=draft, author=AuthorFactory(slug="secret-author"), position=1)
    ArticleFactory(
        status=Article.Status.PUBLISHED, published_at=timezone.now() + datetime.timedelta(days=400)
    )

    filters = article_filter("")

    assert choice_values(filters, "topic") == ["energy", "trade"]
    assert choice_values(filters, "actor") == ["china", "kazakhstan"]  # by name
    assert choice_values(filters, "author") == ["brook", "aster"]  # by name: Jo Brook, Mira Aster
    # From the first public article's year to the latest's, a quiet year between them included.
    assert choice_values(filters, "year") == ["2024", "2023", "2022"]
    assert choice_values(filters, "kind") == [kind.value for kind in Article.Kind]


@unpublished_states
def test_an_unpublished_article_is_never_listed_even_filtered_by_what_only_it_has(library, state):
    hidden = ArticleFactory(**state())
    hidden.topics.add(TopicFactory(slug="hidden-topic"))
    hidden.actors.add(ActorFactory(slug="hidden-actor"))
    ArticleAuthorFactory(article=hidden, author=AuthorFactory(slug="hidden-author"), position=1)

    for query in ("topic=hidden-topic", "actor=hidden-actor", "author=hidden-author"):
        filters = article_filter(query)
        assert not filters.is_valid()
        assert hidden not in filters.qs


@unpublished_states
def test_an_unpublished_article_is_never_listed_filtered_by_what_it_shares_with_public_ones(library, state):
    hidden = ArticleFactory(kind=Article.Kind.ANALYSIS, **state())
    hidden.topics.add(library["base"].topics.get())
    hidden.actors.add(library["base"].actors.get())
    ArticleAuthorFactory(article=hidden, author=library["base"].bylines.get().author, position=1)

    found = listed(article_filter("topic=energy&actor=kazakhstan&author=aster&kind=analysis"))

    assert hidden not in found
    assert library["base"] in found


def test_active_filters_name_their_values_and_how_to_remove_each_from_the_first_page(library):
    filters = article_filter("topic=energy&year=2024&older=abc&utm_source=mail")

    active = filters.active()

    assert [(item.label, item.value, item.valid) for item in active] == [
        ("Topic", "Energy", True),
        ("Year", "2024", True),
    ]
    assert QueryDict(active[0].remove[1:]).dict() == {"year": "2024", "utm_source": "mail"}
    assert QueryDict(active[1].remove[1:]).dict() == {"topic": "energy", "utm_source": "mail"}


def test_an_active_filter_that_cannot_apply_shows_the_value_as_given(library):
    (active,) = article_filter("kind=<script>").active()
    assert (active.label, active.value, active.valid, active.remove) == ("Kind", "<script>", False, "?")


# The claims index's filters


@pytest.fixture
def claims(library):
    china = ActorFactory(slug="claim-china", name="China (claims)")
    kazakhstan = ActorFactory(slug="claim-kazakhstan", name="Kazakhstan (claims)")
    verified = ClaimFactory(article=library["base"], status=Claim.Status.VERIFIED)
    verified.actors.add(china)
    disputed = ClaimFactory(article=library["trade"], status=Claim.Status.DISPUTED)
    disputed.actors.add(kazakhstan)
    return {"verified": verified, "disputed": disputed}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=verified", {"verified"}),
        ("status=disputed", {"disputed"}),
        ("status=false", set()),
        ("actor=claim-china", {"verified"}),
        ("topic=trade", {"disputed"}),
        ("topic=energy&status=verified&actor=claim-china", {"verified"}),
        ("topic=energy&actor=claim-kazakhstan", set()),
        ("", {"verified", "disputed"}),
    ],
)
def test_claim_filters_keep_only_the_claims_they_name(claims, query, expected):
    assert set(listed(claim_filter(query))) == {claims[name] for name in expected}


@pytest.mark.parametrize("query", ["status=made-up", "status=<b>", "actor=nobody", "topic=none"])
def test_a_claim_filter_value_that_is_not_a_choice_is_an_error(claims, query):
    filters = claim_filter(query)
    assert not filters.is_valid()
    assert len(filters.problems()) == 1


@unpublished_states
def test_claims_of_unpublished_articles_are_neither_listed_nor_offered_as_choices(claims, state):
    hidden = ClaimFactory(article=ArticleFactory(**state()), status=Claim.Status.VERIFIED)
    hidden.actors.add(ActorFactory(slug="only-in-hidden"), claims["verified"].actors.get())
    hidden.article.topics.add(claims["verified"].article.topics.get())

    filters = claim_filter("status=verified&actor=claim-china&topic=energy")

    assert listed(filters) == [claims["verified"]]
    assert choice_values(filters, "actor") == ["claim-china", "claim-kazakhstan"]
    assert not claim_filter("actor=only-in-hidden").is_valid()
