"""The read-only JSON API of the relations side: actors, the relations between them with their
computed state, and the developments on their timelines. Public reference data, whose claims come
only from published articles."""

import django_filters
from rest_framework.response import Response

from articles.api import search_filter
from common.api import SLUG, PublicViewSet, SyncFilterSet, documented, published_slugs

from .models import Actor, Development, Relation
from .selectors import (
    development_cards_for_api,
    development_detail_for_api,
    development_relations,
    relation_state_published,
    relations_for_api,
)
from .serializers import (
    ActorCardSerializer,
    DevelopmentCardSerializer,
    DevelopmentSerializer,
    RelationCardSerializer,
    RelationSerializer,
)


class ActorFilter(SyncFilterSet):
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices, help_text="Actors of this kind.")
    q = search_filter("actors")

    class Meta:
        model = Actor
        fields = []


class RelationFilter(SyncFilterSet):
    actor = published_slugs(Actor.objects.all(), "Relations this actor is in (slug).", method="with_actor")

    class Meta:
        model = Relation
        fields = []

    def with_actor(self, queryset, name, actor):
        return queryset.filter(actor_a=actor) | queryset.filter(actor_b=actor)


class DevelopmentFilter(SyncFilterSet):
    actor = published_slugs(Actor.objects.all(), "Developments this actor takes part in.", "participants")
    dimension = django_filters.ChoiceFilter(
        choices=Development.Dimension.choices, help_text="Developments in this dimension."
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="On or after.")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lt", help_text="Before.")
    q = search_filter("developments")

    class Meta:
        model = Development
        fields = []


@documented(plural="Actors", identifier="The actor's slug.")
class ActorViewSet(PublicViewSet):
    """States, organisations, companies and people the analysis is about."""

    tombstone_kind = "actor"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = ActorFilter
    card_serializer_class = serializer_class = ActorCardSerializer

    def get_queryset(self):
        return Actor.objects.all()


@documented(plural="Relations", identifier="The relation's slug.")
class RelationViewSet(PublicViewSet):
    """Curated pairs of actors; one whole carries its timeline and the state computed from it."""

    tombstone_kind = "relation"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = RelationFilter
    card_serializer_class, serializer_class = RelationCardSerializer, RelationSerializer

    def get_queryset(self):
        return relations_for_api()

    def retrieve(self, request, *args, **kwargs):
        relation = self.get_object()
        state = relation_state_published(relation=relation)
        for entry in state.timeline:
            entry.development.timelines = [relation]
        context = {
            **self.get_serializer_context(),
            "states": {relation.pk: state},
        }
        return Response(RelationSerializer(relation, context=context).data)


@documented(plural="Developments", identifier="The development's slug.")
class DevelopmentViewSet(PublicViewSet):
    """Dated developments between actors, each with its tone and its public evidence."""

    tombstone_kind = "development"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = DevelopmentFilter
    card_serializer_class, serializer_class = DevelopmentCardSerializer, DevelopmentSerializer

    def get_queryset(self):
        return development_cards_for_api() if self.action == "list" else development_detail_for_api()

    def completed(self, developments: list[Development]) -> list[Development]:
        for development, relations in development_relations(developments=developments):
            development.timelines = relations
        return developments
