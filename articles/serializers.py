"""What the JSON API shows of a published article: an explicit allow-list, nested, read-only.

Every nested list reads an attribute the selector already prefetched (`bylines`, `topics`, `citations`,
`claims` with their `evidence` and `actors`, `actors`, `corrections`), so a page of articles costs a
fixed number of queries however many notes and claims each article has.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import OptionalURLField, PublicLinks, ReadOnlyModelSerializer
from relations.serializers import ActorSerializer

from .models import (
    Approximation,
    Article,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    ClaimLink,
    Correction,
    Source,
    TimePrecision,
    Topic,
)


class BylineSerializer(serializers.Serializer):
    """One author of an article (read from `with_bylines_and_topics`' rows)."""

    name = serializers.CharField(read_only=True, help_text="The author's name.")
    slug = serializers.SlugField(read_only=True, help_text="The author's identifier.")


class TopicSerializer(serializers.Serializer):
    """A topic an article is filed under (read from `with_bylines_and_topics`' rows)."""

    name = serializers.CharField(read_only=True, help_text="The topic's name.")
    slug = serializers.SlugField(read_only=True, help_text="The topic's identifier.")


SOURCE_HELP = {
    "key": {"help_text": "The source's citation key: its stable identifier."},
    "title": {"help_text": "The title of the document cited."},
    "publisher": {"help_text": "Who published it."},
}


class SourceRefSerializer(PublicLinks, ReadOnlyModelSerializer):
    """A source as a note or a claim's evidence names it."""

    page_view, page_lookup = "articles:source-detail", "pk"
    api_view, api_lookup = "api:source-detail", "key"
    address = OptionalURLField(source="url", help_text="The document's own address; null if it was lost.")

    class Meta:
        model = Source
        fields = ["key", "title", "publisher", "address", "url", "api_url"]
        extra_kwargs = SOURCE_HELP


class CitationSerializer(ReadOnlyModelSerializer):
    source = SourceRefSerializer(read_only=True, help_text="The source the note cites.")

    class Meta:
        model = Citation
        fields = ["number", "anchor_text", "source"]
        extra_kwargs = {
            "number": {"help_text": "The note's number in the article, from 1."},
            "anchor_text": {"help_text": "The words of the article the note is on."},
        }


class EvidenceSerializer(ReadOnlyModelSerializer):
    """A source behind a claim, and how and where it bears on the claim."""

    source = SourceRefSerializer(read_only=True, help_text="The source.")
    grade = serializers.CharField(
        source="source.grade",
        read_only=True,
        help_text="The source's Admiralty grade, e.g. B2; empty if not graded.",
    )

    class Meta:
        model = ClaimEvidence
        fields = ["source", "grade", "stance", "locator", "passage"]
        extra_kwargs = {
            "stance": {
                "help_text": "Whether the source supports, contradicts or gives context to the claim."
            },
            "locator": {"help_text": "Where in the source: a page, a table, a paragraph."},
            "passage": {"help_text": "The words of the source that bear on the claim."},
        }


def _number(source: str, help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        source=source,
        max_digits=24,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text=help_text,
    )


class QuantitySerializer(ReadOnlyModelSerializer):
    """A claim's figure: a number, its unit, how it is worded, and the date or period it is for."""

    value = _number("quantity_value", "The figure, as a JSON number.")
    unit = serializers.CharField(source="quantity_unit", read_only=True, help_text="USD, people, per cent, …")
    approximation = serializers.ChoiceField(
        source="quantity_approximation",
        choices=Approximation,
        read_only=True,
        help_text="How the figure is worded: exact, about, close to, more than, less than, up to.",
    )
    lower = _number("quantity_lower", "The lower bound, when the figure is a range or uncertain.")
    upper = _number("quantity_upper", "The upper bound.")
    period_start = serializers.DateField(
        source="quantity_period_start",
        allow_null=True,
        read_only=True,
        help_text="The start of the period the figure is for; null for a point in time.",
    )
    as_of = serializers.DateField(
        source="quantity_as_of",
        allow_null=True,
        read_only=True,
        help_text="The date the figure is for, or the end of its period.",
    )
    precision = serializers.ChoiceField(
        source="quantity_time_precision",
        choices=TimePrecision,
        read_only=True,
        help_text="How precise those dates are: day, month or year.",
    )
    period = serializers.CharField(
        source="quantity_period", read_only=True, help_text="The period as the article words it."
    )

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

    claim = serializers.UUIDField(source="to_claim.uid", read_only=True, help_text="The other claim's id.")

    class Meta:
        model = ClaimLink
        fields = ["kind", "claim"]
        extra_kwargs = {"kind": {"help_text": "How: updates, contradicts, supports…"}}


class ArticleRefSerializer(PublicLinks, ReadOnlyModelSerializer):
    """The article a claim is made in."""

    page_view, api_view = "articles:article-detail", "api:article-detail"

    class Meta:
        model = Article
        fields = ["slug", "title", "url", "api_url"]
        extra_kwargs = {
            "slug": {"help_text": "The article's identifier."},
            "title": {"help_text": "The headline."},
        }


CLAIM_HELP = {
    "statement": {"help_text": "The claim in one checkable sentence."},
    "status": {"help_text": "What the review found: unverified, verified, disputed, false or outdated."},
}


class ClaimFieldsSerializer(ReadOnlyModelSerializer):
    """What a claim says and how it was found, wherever it appears."""

    id = serializers.UUIDField(source="uid", read_only=True, help_text="The claim's stable identifier.")
    quantity = serializers.SerializerMethodField(help_text="The figure the claim states, if any.")
    claimant = serializers.CharField(
        read_only=True, help_text="Who makes the claim; empty when it is the article's own assessment."
    )
    reviewed_at = serializers.DateTimeField(
        source="checked_at", allow_null=True, read_only=True, help_text="When the status was last reviewed."
    )
    sources = EvidenceSerializer(source="evidence", many=True, read_only=True, help_text="The evidence.")

    class Meta:
        model = Claim
        fields = ["id", "statement", "status", "reviewed_at", "claimant", "quantity", "sources"]
        extra_kwargs = CLAIM_HELP

    @extend_schema_field(QuantitySerializer(allow_null=True))
    def get_quantity(self, claim: Claim) -> dict | None:
        if not claim.has_quantity:
            return None
        return QuantitySerializer(claim, context=self.context).data


class ClaimSerializer(ClaimFieldsSerializer):
    """A claim within its article: with its links to other public claims and the actors it concerns."""

    derived_from = serializers.SerializerMethodField(
        help_text="The id of the public claim this figure is derived from."
    )
    links = ClaimLinkSerializer(source="links_out", many=True, read_only=True, help_text="Its links.")
    actors = ActorSerializer(many=True, read_only=True, help_text="The actors the claim concerns.")

    class Meta(ClaimFieldsSerializer.Meta):
        fields = [*ClaimFieldsSerializer.Meta.fields, "derived_from", "links", "actors"]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_derived_from(self, claim: Claim) -> str | None:
        # Prefetched from public claims only: a figure derived from one in a draft names none.
        return str(claim.derived_from.uid) if claim.derived_from else None


class ClaimCardSerializer(PublicLinks, ClaimFieldsSerializer):
    """A claim in the list of claims: what it says, its evidence, and the article it is made in."""

    page_view, page_lookup = "articles:claim-detail", "pk"
    api_view, api_lookup = "api:claim-detail", "uid"
    article = ArticleRefSerializer(read_only=True, help_text="The article that makes the claim.")

    class Meta(ClaimFieldsSerializer.Meta):
        fields = [*ClaimFieldsSerializer.Meta.fields, "article", "url", "api_url", "updated_at"]
        extra_kwargs = {**CLAIM_HELP, "updated_at": {"help_text": "When the claim's record last changed."}}


class ClaimDetailSerializer(ClaimCardSerializer, ClaimSerializer):
    """One claim whole: its quote, links, the developments it is evidence for, actors."""

    developments = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="The developments it is evidence for."
    )

    class Meta(ClaimCardSerializer.Meta):
        fields = [
            *ClaimCardSerializer.Meta.fields,
            "quote",
            "derived_from",
            "links",
            "actors",
            "developments",
        ]
        extra_kwargs = {
            **ClaimCardSerializer.Meta.extra_kwargs,
            "quote": {"help_text": "The exact words of the article the claim comes from."},
        }


class CorrectionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Correction
        fields = ["published_at", "text"]
        extra_kwargs = {
            "published_at": {"help_text": "When the correction was published."},
            "text": {"help_text": "What was corrected."},
        }


class SourceSerializer(SourceRefSerializer):
    """A source the public may see: what it is, where, and how far it can be trusted."""

    archive_url = OptionalURLField(help_text="A copy in a web archive; null if none.")

    grade = serializers.CharField(
        read_only=True, help_text="Its Admiralty grade, e.g. B2; empty if not graded."
    )

    class Meta(SourceRefSerializer.Meta):
        fields = [
            *SourceRefSerializer.Meta.fields,
            "container_title",
            "author",
            "published_on",
            "kind",
            "language",
            "doi",
            "archive_url",
            "grade",
            "updated_at",
        ]
        extra_kwargs = {
            **SOURCE_HELP,
            "container_title": {"help_text": "The newspaper, journal, website or series it appears in."},
            "author": {"help_text": "Its authors, separated by “;”."},
            "published_on": {"help_text": "When it was issued."},
            "kind": {"help_text": "News article, report, official statement, dataset, …"},
            "language": {"help_text": "Its language, as a tag such as en or ru."},
            "doi": {"help_text": "Its DOI, if it has one."},
            "updated_at": {"help_text": "When the source's record last changed."},
        }


class AuthorSerializer(PublicLinks, ReadOnlyModelSerializer):
    page_view, api_view = "articles:author-detail", "api:author-detail"

    class Meta:
        model = Author
        fields = ["name", "slug", "affiliation", "bio", "url", "api_url", "updated_at"]
        extra_kwargs = {
            "name": {"help_text": "The author's name."},
            "slug": {"help_text": "The author's identifier."},
            "affiliation": {"help_text": "Where the author works."},
            "bio": {"help_text": "A few lines about the author."},
            "updated_at": {"help_text": "When the author's record last changed."},
        }


class TopicDetailSerializer(PublicLinks, ReadOnlyModelSerializer):
    page_view, api_view = "articles:topic-detail", "api:topic-detail"

    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "url", "api_url", "updated_at"]
        extra_kwargs = {
            "name": {"help_text": "The topic's name."},
            "slug": {"help_text": "The topic's identifier."},
            "description": {"help_text": "What the topic covers."},
            "updated_at": {"help_text": "When the topic's record last changed."},
        }


class ArticleCardSerializer(PublicLinks, ReadOnlyModelSerializer):
    """What a list of articles carries for each: enough for a card, and where the whole article is."""

    page_view, api_view = "articles:article-detail", "api:article-detail"
    # Always set on a published article, so not nullable here as it is in the model.
    published_at = serializers.DateTimeField(read_only=True, help_text="When it went out.")
    authors = BylineSerializer(
        source="byline_rows", many=True, read_only=True, help_text="Its authors, in byline order."
    )
    topics = TopicSerializer(
        source="topic_rows", many=True, read_only=True, help_text="The topics it is filed under."
    )

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
        extra_kwargs = {
            "title": {"help_text": "The headline."},
            "slug": {"help_text": "The article's stable identifier, in its addresses."},
            "dek": {"help_text": "The line under the headline."},
            "kind": {"help_text": "Analysis, commentary, report or brief."},
            "first_published_at": {"help_text": "When it first went out, before any republication."},
            "updated_at": {"help_text": "When the record last changed: what `updated_since` compares."},
            "summary": {"help_text": "A few sentences on what it argues."},
        }


class ArticleSerializer(ArticleCardSerializer):
    """One article whole: its text, numbered notes, claims with evidence, actors and corrections."""

    citations = CitationSerializer(many=True, read_only=True, help_text="The numbered notes.")
    claims = ClaimSerializer(many=True, read_only=True, help_text="The checkable claims it makes.")
    actors = ActorSerializer(many=True, read_only=True, help_text="The actors it is about.")
    corrections = CorrectionSerializer(many=True, read_only=True, help_text="Public corrections.")

    class Meta(ArticleCardSerializer.Meta):
        fields = [
            *ArticleCardSerializer.Meta.fields,
            "body_html",
            "citations",
            "claims",
            "actors",
            "corrections",
        ]
        extra_kwargs = {
            **ArticleCardSerializer.Meta.extra_kwargs,
            "body_html": {"help_text": "The text as sanitised HTML, each note a link to `#note-N`."},
        }
