"""Reads for the public actor and relation pages, each a fixed number of queries.

Actors, relations and developments are public reference data; what they link to from the articles
side (articles, claims) is filtered through the articles' `published()` querysets.
"""

from collections import defaultdict
from itertools import combinations

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from articles.models import Article, Claim, published_q
from articles.selectors import article_cards_published

from .mentions import ActorFinder
from .models import Actor, Development, Membership, Relation
from .state import RelationState, relation_state


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


def _with_public_evidence(developments: QuerySet[Development]) -> QuerySet[Development]:
    """`developments` in timeline order, with their participants and only their public claims and articles."""
    claims = Claim.objects.published().select_related("article").order_by("article__published_at", "position")
    articles = Article.objects.published().order_by("-published_at", "-id")
    # Ties within a date break by title, then id, so the page numbers them the same way each time.
    return developments.order_by("-date", "title", "pk").prefetch_related(
        Prefetch("participants", queryset=Actor.objects.order_by("name")),
        Prefetch("claims", queryset=claims, to_attr="public_claims"),
        Prefetch("articles", queryset=articles, to_attr="public_articles"),
    )


def relation_timeline(*, relation: Relation) -> QuerySet[Development]:
    """The relation's developments, each with its participants and only its public claims and articles."""
    return _with_public_evidence(relation.developments())


def relation_state_published(*, relation: Relation) -> RelationState:
    """The relation's timeline and its state over time, from public evidence only.

    The same queries as `relation_timeline` (the state is computed from what it prefetched), so the
    page costs the same with one development or hundreds.
    """
    return relation_state(relation=relation, developments=relation_timeline(relation=relation))


def relation_states_published(*, relations: QuerySet[Relation]) -> list[tuple[Relation, RelationState]]:
    """Each relation with its state over time, as `relation_state_published` gives one, for any number of
    relations in the same few queries: every development between their actors is read once and handed to
    each relation between two of its participants."""
    relations = list(relations)
    actors = {pk for relation in relations for pk in (relation.actor_a_id, relation.actor_b_id)}
    developments = _with_public_evidence(Development.objects.filter(participants__in=actors).distinct())
    by_pair = {(relation.actor_a_id, relation.actor_b_id): relation for relation in relations}
    timelines = defaultdict(list)
    for development in developments:  # already in timeline order, which each relation keeps
        taking_part = sorted(actor.pk for actor in development.participants.all())
        for pair in combinations(taking_part, 2):
            if pair in by_pair:
                timelines[pair].append(development)
    return [
        (
            relation,
            relation_state(
                relation=relation, developments=timelines[(relation.actor_a_id, relation.actor_b_id)]
            ),
        )
        for relation in relations
    ]


def relations_index() -> QuerySet[Relation]:
    """Every relation with its two actors, by the first actor's name, then the second's."""
    return Relation.objects.select_related("actor_a", "actor_b").order_by("actor_a__name", "actor_b__name")


def _count(rows: QuerySet) -> Coalesce:
    """How many `rows` there are (filtered on an OuterRef), as a subquery: one query for the whole list."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def actors_index() -> QuerySet[Actor]:
    """Every actor with how many relations it is in and how many public articles mention it, by name."""
    return Actor.objects.annotate(
        relation_count=_count(Relation.objects.filter(Q(actor_a=OuterRef("pk")) | Q(actor_b=OuterRef("pk")))),
        article_count=_count(Article.objects.filter(published_q(), actors=OuterRef("pk"))),
    ).order_by("name")


def development_relations(*, developments) -> list[tuple[Development, list[Relation]]]:
    """Each development with the curated relations between two of its participants, whose pages
    show it in their timelines. `developments` have their participants prefetched; one query."""
    developments = list(developments)
    taking_part = {d.pk: {actor.pk for actor in d.participants.all()} for d in developments}
    everyone = set().union(*taking_part.values())
    relations = list(
        Relation.objects.filter(actor_a__in=everyone, actor_b__in=everyone).select_related(
            "actor_a", "actor_b"
        )
    )
    return [
        (d, [r for r in relations if {r.actor_a_id, r.actor_b_id} <= taking_part[d.pk]]) for d in developments
    ]


def with_verified_claim() -> Exists:
    """Whether a development is confirmed: evidenced by a verified claim of a published article, the
    rule its relation's page applies (`development_confirmed`)."""
    verified = Claim.objects.published().filter(status=Claim.Status.VERIFIED)
    return Exists(verified.filter(developments=OuterRef("pk")))


def actor_finder() -> ActorFinder:
    """A finder for every actor, by its name and each of its aliases."""
    rows = Actor.objects.values_list("pk", "name", "aliases")
    return ActorFinder((pk, name) for pk, *names in rows for text in names for name in text.splitlines())


# The JSON API


def relations_for_api() -> QuerySet[Relation]:
    return Relation.objects.select_related("actor_a", "actor_b")


def development_cards_for_api() -> QuerySet[Development]:
    """Developments with their participants, how many public claims evidence each and whether a
    verified one does: counted by the database, never read claim by claim."""
    public_claims = Claim.objects.published().filter(developments=OuterRef("pk"))
    return Development.objects.prefetch_related(
        Prefetch("participants", queryset=Actor.objects.order_by("name"))
    ).annotate(claim_count=_count(public_claims), confirmed=with_verified_claim())


def development_detail_for_api() -> QuerySet[Development]:
    """Developments with their participants and the ids and statuses of their public claims."""
    claims = Claim.objects.published().only("uid", "status").order_by("article__published_at", "position")
    return Development.objects.prefetch_related(
        Prefetch("participants", queryset=Actor.objects.order_by("name")),
        Prefetch("claims", queryset=claims, to_attr="public_claims"),
    )
