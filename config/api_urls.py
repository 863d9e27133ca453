"""The JSON API under /api/v1/: read-only resources, the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from articles.api import ArticleViewSet

app_name = "api"


class Router(DefaultRouter):
    """The router with its browsable index at /api/v1/, without `.json`-style suffix routes."""

    include_format_suffixes = False


router = Router()
router.register("articles", ArticleViewSet, basename="article")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
