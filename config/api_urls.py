"""The JSON API under /api/v1/: read-only resources, the OpenAPI schema and its docs."""

from functools import partial

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from articles.api import ArticleViewSet, AuthorViewSet, ClaimViewSet, SourceViewSet, TopicViewSet
from common.api import RemovalViewSet, negotiated_format
from common.api_errors import no_such_endpoint
from common.caching import public_page
from relations.api import ActorViewSet, DevelopmentViewSet, RelationViewSet

app_name = "api"


class Router(DefaultRouter):
    """The router with its browsable index at /api/v1/, without `.json`-style suffix routes."""

    include_format_suffixes = False


router = Router()
for prefix, viewset, basename in [
    ("articles", ArticleViewSet, "article"),
    ("claims", ClaimViewSet, "claim"),
    ("sources", SourceViewSet, "source"),
    ("authors", AuthorViewSet, "author"),
    ("topics", TopicViewSet, "topic"),
    ("actors", ActorViewSet, "actor"),
    ("relations", RelationViewSet, "relation"),
    ("developments", DevelopmentViewSet, "development"),
    ("removals", RemovalViewSet, "removal"),
]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    # Made afresh it takes a few hundred milliseconds: kept like a public page.
    path(
        "schema/",
        public_page(
            SpectacularAPIView.as_view(),
            query=("format", "lang"),
            representation=partial(negotiated_format, SpectacularAPIView),
        ),
        name="schema",
    ),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Last: any other address under /api/v1/ gets the API's JSON 404.
    re_path(r"^", no_such_endpoint, name="no-such-endpoint"),
]
