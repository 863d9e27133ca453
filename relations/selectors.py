"""Reads for the public actor and relation pages, each a fixed number of queries.

Actors, relations and developments are public reference data; what they link to from the articles
side (articles, claims) is filtered through the articles' `published()` querysets.
"""

from django.db.models import Prefetch, Q, QuerySet

from articles.models import Article, Claim
from articles.selectors import article_cards_published

from .mentions import ActorFinder
from .models import Actor, Development, Membership, Relation


def actor_memberships(*, actor: Actor) -> QuerySet[Membership]:
    """The organisations `actor` belongs to."""
    return actor.memberships.select_related("organisation").order_by("organisation__name", "role")


def organisation_members(*, actor: Actor) -> QuerySet[Membership]:
    """The members of `actor` when it is an organisation (empty otherwise)."""
    return actor.member_rows.select_related("member").order_by("role", "member__name")


def actor_relations(*, actor: Actor) -> QuerySet[Relation]:
    return Relation.objects.filter(Q(actor_a=actor) | Q(actor_b=actor)).select_related("actor_a", "actor_b")


def actor_articles_published(*, actor: Actor) -> QuerySet[Article]:
    """Public articles that mention `actor`, newest first."""
    return article_cards_published().filter(actors=actor)


def relation_timeline(*, relation: Relation) -> QuerySet[Development]:
    """The relation's developments, each with its participants and only its public claims and articles."""
    claims = Claim.objects.published().select_related("article").order_by("article__published_at", "position")
    articles = Article.objects.published().order_by("-published_at", "-id")
    return relation.developments().prefetch_related(
        Prefetch("participants", queryset=Actor.objects.order_by("name")),
        Prefetch("claims", queryset=claims, to_attr="public_claims"),
        Prefetch("articles", queryset=articles, to_attr="public_articles"),
    )


def actor_finder() -> ActorFinder:
    """A finder for every actor, by its name and each of its aliases."""
    rows = Actor.objects.values_list("pk", "name", "aliases")
    return ActorFinder((pk, name) for pk, *names in rows for text in names for name in text.splitlines())
