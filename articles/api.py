"""The read-only JSON API of the articles side: published articles, the claims they make, the
sources they cite, their authors and topics. Every list pages by cursor and takes only the filters
its filter set declares (`common/api.py`)."""

import django_filters
from rest_framework.exceptions import ValidationError

from common.api import SLUG, UUID, MomentFilter, PublicViewSet, SyncFilterSet, documented, published_slugs
from relations.models import Actor

from . import selectors
from .models import Article, Author, Claim, Source, Topic
from .search import MAX_QUERY_LENGTH, clean_query, narrowed_published
from .serializers import (
    ArticleCardSerializer,
    ArticleSerializer,
    AuthorSerializer,
    ClaimCardSerializer,
    ClaimDetailSerializer,
    SourceSerializer,
    TopicDetailSerializer,
)


def search_filter(kind: str) -> django_filters.CharFilter:
    """Records with every word of `q`, by the site search's rules (the start of a word for three
    letters or more), in the list's own order and with its other filters."""

    def matching(queryset, name, value):
        query = clean_query(value)
        if not query:
            return queryset
        if len(query) > MAX_QUERY_LENGTH:
            raise ValidationError({name: [f"At most {MAX_QUERY_LENGTH} characters: use fewer words."]})
        return narrowed_published(queryset, kind=kind, query=query)

    return django_filters.CharFilter(method=matching, help_text="Words the records must contain.")


class ArticleFilter(SyncFilterSet):
    public_since = selectors.articles_public_since
    topic = published_slugs(Topic.objects.published(), "Articles on this topic (its slug).", "topics")
    author = published_slugs(Author.objects.published(), "Articles by this author (slug).", "bylines__author")
    actor = published_slugs(Actor.objects.all(), "Articles about this actor (slug).", "actors")
    kind = django_filters.ChoiceFilter(choices=Article.Kind.choices, help_text="Articles of this kind.")
    published_after = MomentFilter(
        field_name="published_at", lookup_expr="gte", help_text="Published at or after this time."
    )
    published_before = MomentFilter(
        field_name="published_at", lookup_expr="lt", help_text="Published before this time."
    )
    q = search_filter("articles")

    class Meta:
        model = Article
        fields = []


class ClaimFilter(SyncFilterSet):
    public_since = selectors.claims_public_since
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices, help_text="Claims with this status.")
    article = published_slugs(Article.objects.published(), "Claims of this article (slug).", "article")
    topic = published_slugs(Topic.objects.published(), "Claims in articles on this topic.", "article__topics")
    actor = published_slugs(Actor.objects.all(), "Claims concerning this actor (slug).", "actors")
    q = search_filter("claims")

    class Meta:
        model = Claim
        fields = []


class SourceFilter(SyncFilterSet):
    public_since = selectors.sources_public_since
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices, help_text="Sources of this kind.")
    article = published_slugs(
        Article.objects.published(), "Sources this article cites or gives as evidence.", method="cited_in"
    )
    q = search_filter("sources")

    class Meta:
        model = Source
        fields = []

    def cited_in(self, queryset, name, article):
        return queryset.filter(selectors.sources_of_article(article=article))


class AuthorFilter(SyncFilterSet):
    public_since = selectors.authors_public_since


class TopicFilter(SyncFilterSet):
    public_since = selectors.topics_public_since


@documented(plural="Published articles", identifier="The article's slug.")
class ArticleViewSet(PublicViewSet):
    """Published articles with their authors, topics, numbered notes, claims and corrections.

    Drafts, articles in review, withdrawn articles and scheduled ones are not here: an unknown or
    unpublished slug answers 404.
    """

    tombstone_kind = "article"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    ordering = ("-published_at", "-id")
    filterset_class = ArticleFilter
    card_serializer_class, serializer_class = ArticleCardSerializer, ArticleSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.article_cards_for_api()
        return selectors.article_detail_for_api()

    def completed(self, articles: list[Article]) -> list[Article]:
        return selectors.with_bylines_and_topics(articles=articles)


@documented(plural="Public claims", identifier="The claim's stable id (a UUID).")
class ClaimViewSet(PublicViewSet):
    """The claims published articles make, with their evidence; identified by their stable ids."""

    tombstone_kind = "claim"
    lookup_field = "uid"
    lookup_value_regex = UUID
    ordering = ("-published_at", "-id")
    filterset_class = ClaimFilter
    card_serializer_class, serializer_class = ClaimCardSerializer, ClaimDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.claim_cards_for_api()
        return selectors.claim_detail_published()


@documented(plural="Public sources", identifier="The source's citation key.")
class SourceViewSet(PublicViewSet):
    """The sources published articles cite or give as evidence, newest first, by citation key."""

    tombstone_kind = "source"
    lookup_field = "key"
    lookup_value_regex = SLUG
    filterset_class = SourceFilter
    card_serializer_class = serializer_class = SourceSerializer

    def get_queryset(self):
        return Source.objects.published()


@documented(plural="Authors", identifier="The author's slug.")
class AuthorViewSet(PublicViewSet):
    """The authors of published articles."""

    tombstone_kind = "author"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = AuthorFilter
    card_serializer_class = serializer_class = AuthorSerializer

    def get_queryset(self):
        return Author.objects.published()


@documented(plural="Topics", identifier="The topic's slug.")
class TopicViewSet(PublicViewSet):
    """The topics of published articles."""

    tombstone_kind = "topic"
    lookup_field = "slug"
    lookup_value_regex = SLUG
    filterset_class = TopicFilter
    card_serializer_class = serializer_class = TopicDetailSerializer

    def get_queryset(self):
        return Topic.objects.published()
