"""What the JSON API shows of actors, the relations between them and the developments on their
timelines: an explicit allow-list, read-only, each nested list read from what the selectors prefetched."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import PublicLinks, ReadOnlyModelSerializer, address

from .models import Actor, Development, Relation
from .state import RelationState, development_anchor, development_confirmed

UPDATED_HELP = {"help_text": "When the record last changed: what `updated_since` compares."}


class ActorSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Actor
        fields = ["name", "slug", "kind"]
        extra_kwargs = {
            "name": {"help_text": "The actor's name."},
            "slug": {"help_text": "The actor's identifier."},
            "kind": {"help_text": "State, international organisation, company, person or region."},
        }


class ActorCardSerializer(PublicLinks, ReadOnlyModelSerializer):
    page_view, api_view = "relations:actor-detail", "api:actor-detail"
    aliases = serializers.ListField(
        source="alias_list",
        child=serializers.CharField(),
        read_only=True,
        help_text="Other names it goes by: demonyms, capitals, abbreviations.",
    )

    class Meta:
        model = Actor
        fields = [
            *ActorSerializer.Meta.fields,
            "aliases",
            "iso_code",
            "wikidata_id",
            "description",
            "url",
            "api_url",
            "updated_at",
        ]
        extra_kwargs = {
            **ActorSerializer.Meta.extra_kwargs,
            "iso_code": {"help_text": "A state's ISO 3166 two-letter code."},
            "wikidata_id": {"help_text": "Its Wikidata item, e.g. Q232."},
            "description": {"help_text": "Who or what it is."},
            "updated_at": UPDATED_HELP,
        }


class DevelopmentCardSerializer(ReadOnlyModelSerializer):
    """A development: something that happened between actors, dated, with its dimension and tone,
    and how much public evidence it has."""

    url = serializers.SerializerMethodField(
        help_text="Its place on the timeline of a relation between two of its participants; null when no "
        "relation between them is followed."
    )
    api_url = serializers.SerializerMethodField(help_text="This development in the API.")
    participants = ActorSerializer(many=True, read_only=True, help_text="The actors taking part.")
    claim_count = serializers.IntegerField(read_only=True, help_text="How many public claims evidence it.")
    confirmed = serializers.BooleanField(
        read_only=True, help_text="Whether a verified public claim evidences it."
    )

    class Meta:
        model = Development
        fields = [
            "slug",
            "title",
            "date",
            "date_precision",
            "end_date",
            "dimension",
            "tone",
            "description",
            "participants",
            "claim_count",
            "confirmed",
            "url",
            "api_url",
            "updated_at",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The development's identifier."},
            "title": {"help_text": "What happened, in a line."},
            "date": {"help_text": "When it began, as precisely as `date_precision` says."},
            "date_precision": {"help_text": "How precise the date is: day, month or year."},
            "end_date": {"help_text": "When it ended, for a development over time."},
            "dimension": {"help_text": "Diplomatic, security, economic, energy, migration or cultural."},
            "tone": {"help_text": "From −2 (conflict) through 0 (neutral) to 2 (close cooperation)."},
            "description": {"help_text": "More on what happened."},
            "updated_at": UPDATED_HELP,
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, development: Development) -> str | None:
        # The relations showing it, as the view found them (`development_relations`).
        if not development.timelines:
            return None
        page = address(self.context, "relations:relation-detail", "slug", development.timelines[0].slug)
        return f"{page}#{development_anchor(development)}"

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, development: Development) -> str:
        return address(self.context, "api:development-detail", "slug", development.slug)


class DevelopmentSerializer(DevelopmentCardSerializer):
    """One development whole, with the ids of the public claims evidencing it (`public_claims`,
    as the selectors prefetch them)."""

    claims = serializers.SerializerMethodField(help_text="The ids of the public claims evidencing it.")
    claim_count = serializers.SerializerMethodField(help_text="How many public claims evidence it.")
    confirmed = serializers.SerializerMethodField(help_text="Whether a verified public claim evidences it.")

    class Meta(DevelopmentCardSerializer.Meta):
        fields = [*DevelopmentCardSerializer.Meta.fields, "claims"]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_claims(self, development: Development) -> list[str]:
        return [str(claim.uid) for claim in development.public_claims]

    def get_claim_count(self, development: Development) -> int:
        return len(development.public_claims)

    def get_confirmed(self, development: Development) -> bool:
        return development_confirmed(development)


class RelationCardSerializer(PublicLinks, ReadOnlyModelSerializer):
    page_view, api_view = "relations:relation-detail", "api:relation-detail"
    actor_a = ActorSerializer(read_only=True, help_text="One side, the first by id.")
    actor_b = ActorSerializer(read_only=True, help_text="The other side.")

    class Meta:
        model = Relation
        fields = [
            "slug",
            "actor_a",
            "actor_b",
            "state",
            "assessed_on",
            "summary",
            "url",
            "api_url",
            "updated_at",
        ]
        extra_kwargs = {
            "slug": {"help_text": "The relation's identifier."},
            "state": {"help_text": "The analysts' judgement: allied, cooperative, mixed, tense or hostile."},
            "assessed_on": {"help_text": "The day the analysts judged that state."},
            "summary": {"help_text": "The relation in a few sentences."},
            "updated_at": UPDATED_HELP,
        }


class FigureSerializer(serializers.Serializer):
    """The mean tone of some developments, and how many there are and are confirmed."""

    mean = serializers.FloatField(help_text="The mean tone, from −2 to 2.")
    step = serializers.IntegerField(help_text="The named step of the scale nearest the mean.")
    count = serializers.IntegerField(help_text="How many developments.")
    confirmed = serializers.IntegerField(help_text="How many of them a verified public claim evidences.")


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The year the developments began in.")
    overall = FigureSerializer(help_text="All its developments.")
    dimensions = serializers.SerializerMethodField(help_text="Each dimension with developments that year.")

    @extend_schema_field(serializers.DictField(child=FigureSerializer()))
    def get_dimensions(self, row) -> dict:
        return {
            dimension: FigureSerializer(figure).data for dimension, figure in row.cells if figure is not None
        }


class RelationSerializer(RelationCardSerializer):
    """One relation whole: its timeline and the state computed from it year by year."""

    developments = serializers.SerializerMethodField(help_text="Its timeline, newest first.")
    years = serializers.SerializerMethodField(help_text="The computed state per year, newest first.")
    as_of = serializers.SerializerMethodField(help_text="The date the state speaks for.")

    class Meta(RelationCardSerializer.Meta):
        fields = [*RelationCardSerializer.Meta.fields, "as_of", "years", "developments"]

    def _state(self, relation: Relation) -> RelationState:
        return self.context["states"][relation.pk]

    @extend_schema_field(DevelopmentSerializer(many=True))
    def get_developments(self, relation: Relation) -> list:
        timeline = [entry.development for entry in self._state(relation).timeline]
        return DevelopmentSerializer(timeline, many=True, context=self.context).data

    @extend_schema_field(YearSerializer(many=True))
    def get_years(self, relation: Relation) -> list:
        return YearSerializer(self._state(relation).years, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, relation: Relation) -> str | None:
        as_of = self._state(relation).as_of
        return as_of.date.isoformat() if as_of else None
