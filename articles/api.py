"""The read-only JSON API: published articles, with their notes, claims and evidence."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from .selectors import article_cards_published, article_detail_published
from .serializers import ArticleCardSerializer, ArticleSerializer


class ArticlePagination(CursorPagination):
    """Newest first, by cursor: a deep page costs what the first does, and nothing counts the list."""

    ordering = ("-published_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        # The library trusts the position it decodes; a forged one must be a 404, not a 500.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise NotFound(self.invalid_cursor_message)
        return cursor


@extend_schema_view(
    list=extend_schema(summary="Published articles, newest first, each as a card with its api_url"),
    retrieve=extend_schema(summary="One published article"),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Published articles with their authors, topics, numbered notes, claims and corrections.

    Drafts, articles in review, withdrawn articles and scheduled ones are not here: an unknown or
    unpublished slug answers 404.
    """

    pagination_class = ArticlePagination
    lookup_field = "slug"
    # Anything up to the next slash reaches the view, so every unknown slug gets the API's JSON 404.
    lookup_value_regex = "[^/]+"
    # The API is the same for everyone: public content, no sessions, no CSRF, no per-user queries.
    authentication_classes = []

    def get_queryset(self):
        return article_cards_published() if self.action == "list" else article_detail_published()

    def get_serializer_class(self):
        return ArticleCardSerializer if self.action == "list" else ArticleSerializer
