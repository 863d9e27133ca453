"""The read-only JSON API: published articles, with their notes, claims and evidence."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from .selectors import article_detail_published
from .serializers import ArticleSerializer


class ArticlePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema_view(
    list=extend_schema(summary="Published articles, newest first"),
    retrieve=extend_schema(summary="One published article"),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Published articles with their authors, topics, numbered notes, claims and corrections.

    Drafts, articles in review, withdrawn articles and scheduled ones are not here: an unknown or
    unpublished slug answers 404.
    """

    serializer_class = ArticleSerializer
    pagination_class = ArticlePagination
    lookup_field = "slug"
    # Anything up to the next slash reaches the view, so every unknown slug gets the API's JSON 404.
    lookup_value_regex = "[^/]+"
    # The API is the same for everyone: public content, no sessions, no CSRF, no per-user queries.
    authentication_classes = []

    def get_queryset(self):
        return article_detail_published()
