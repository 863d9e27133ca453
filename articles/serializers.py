"""What the JSON API shows of a published article: an explicit allow-list, nested, read-only.

Every nested list reads an attribute the selector already prefetched (`bylines`, `topics`, `citations`,
`claims` with their `evidence` and `actors`, `actors`, `corrections`), so a page of articles costs a
fixed number of queries however many notes and claims each article has.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from relations.models import Actor

from .models import (
    Approximation,
    Article,
    ArticleAuthor,
    Citation,
    Claim,
    ClaimEvidence,
    ClaimLink,
    Correction,
    Source,
    TimePrecision,
    Topic,
)


class OptionalURLField(serializers.URLField):
    """A URL that is null rather than an empty string when the address is missing."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    # Every model field is output only (declared fields say so themselves): the API never writes.

    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs.setdefault(name, {})["read_only"] = True
        return extra_kwargs


class BylineSerializer(ReadOnlyModelSerializer):
    """One author of an article, read through the byline so the order is the byline's."""

    name = serializers.CharField(source="author.name", read_only=True)
    slug = serializers.SlugField(source="author.slug", read_only=True)

    class Meta:
        model = ArticleAuthor
        fields = ["name", "slug"]


class TopicSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Topic
        fields = ["name", "slug"]


class ActorSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Actor
        fields = ["name", "slug", "kind"]


class SourceSerializer(ReadOnlyModelSerializer):
    url = OptionalURLField()

    class Meta:
        model = Source
        fields = ["id", "url", "title", "publisher"]


class CitationSerializer(ReadOnlyModelSerializer):
    source = SourceSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ["number", "anchor_text", "source"]


class EvidenceSerializer(ReadOnlyModelSerializer):
    """A source behind a claim: the source's fields, and how and where it bears on the claim."""

    id = serializers.IntegerField(source="source.id", read_only=True)
    url = OptionalURLField(source="source.url")
    title = serializers.CharField(source="source.title", read_only=True)
    publisher = serializers.CharField(source="source.publisher", read_only=True)
    grade = serializers.CharField(
        source="source.grade",
        read_only=True,
        help_text="The source's Admiralty grade, e.g. B2; empty if not graded.",
    )

    class Meta:
        model = ClaimEvidence
        fields = ["id", "url", "title", "publisher", "grade", "stance", "locator", "passage"]


class QuantitySerializer(ReadOnlyModelSerializer):
    """A claim's number: the value as a decimal string, its unit, how it is worded (exact, about,
    close_to, more_than, less_than, up_to), and the date or period it is for."""

    value = serializers.DecimalField(source="quantity_value", max_digits=24, decimal_places=4, read_only=True)
    unit = serializers.CharField(source="quantity_unit", read_only=True)
    approximation = serializers.ChoiceField(
        source="quantity_approximation", choices=Approximation, read_only=True
    )
    lower = serializers.DecimalField(
        source="quantity_lower", max_digits=24, decimal_places=4, allow_null=True, read_only=True
    )
    upper = serializers.DecimalField(
        source="quantity_upper", max_digits=24, decimal_places=4, allow_null=True, read_only=True
    )
    period_start = serializers.DateField(source="quantity_period_start", allow_null=True, read_only=True)
    as_of = serializers.DateField(source="quantity_as_of", allow_null=True, read_only=True)
    precision = serializers.ChoiceField(
        source="quantity_time_precision", choices=TimePrecision, read_only=True
    )
    period = serializers.CharField(source="quantity_period", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "value",
            "unit",
            "approximation",
            "lower",
            "upper",
            "period_start",
            "as_of",
            "precision",
            "period",
        ]


class ClaimLinkSerializer(ReadOnlyModelSerializer):
    """How this claim bears on another public claim."""

    claim = serializers.IntegerField(source="to_claim_id", read_only=True, help_text="The other claim's id.")

    class Meta:
        model = ClaimLink
        fields = ["kind", "claim"]


class ClaimSerializer(ReadOnlyModelSerializer):
    quantity = serializers.SerializerMethodField()
    sources = EvidenceSerializer(source="evidence", many=True, read_only=True)
    actors = ActorSerializer(many=True, read_only=True)

    claimant = serializers.CharField(
        read_only=True, help_text="Who makes the claim; empty when it is the article's own assessment."
    )
    reviewed_at = serializers.DateTimeField(
        source="checked_at", read_only=True, help_text="When the status was last reviewed."
    )
    derived_from = serializers.SerializerMethodField(
        help_text="The id of the public claim this figure is derived from."
    )
    links = ClaimLinkSerializer(source="links_out", many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "statement",
            "status",
            "reviewed_at",
            "claimant",
            "quantity",
            "derived_from",
            "links",
            "sources",
            "actors",
        ]

    def get_derived_from(self, claim: Claim) -> int | None:
        # Prefetched from public claims only: a figure derived from one in a draft names none.
        return claim.derived_from.pk if claim.derived_from else None

    @extend_schema_field(QuantitySerializer(allow_null=True))
    def get_quantity(self, claim: Claim) -> dict | None:
        if not claim.has_quantity:
            return None
        return QuantitySerializer(claim, context=self.context).data


class CorrectionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Correction
        fields = ["published_at", "text"]


class ArticleCardSerializer(ReadOnlyModelSerializer):
    """What a list of articles carries for each: enough for a card, and where the whole article is."""

    url = serializers.SerializerMethodField(help_text="The article's public page.")
    api_url = serializers.SerializerMethodField(help_text="The whole article, with its notes and claims.")
    # Always set on a published article, so not nullable here as it is in the model.
    published_at = serializers.DateTimeField(read_only=True)
    authors = BylineSerializer(source="bylines", many=True, read_only=True)
    topics = TopicSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
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
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article: Article) -> str:
        return self._absolute(article.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, article: Article) -> str:
        return self._absolute(reverse("api:article-detail", kwargs={"slug": article.slug}))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ArticleSerializer(ArticleCardSerializer):
    """One article whole: its text, numbered notes, claims with evidence, actors and corrections."""

    citations = CitationSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    actors = ActorSerializer(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta(ArticleCardSerializer.Meta):
        fields = [
            *ArticleCardSerializer.Meta.fields,
            "body_html",
            "citations",
            "claims",
            "actors",
            "corrections",
        ]
