from django.contrib import admin
from django.urls import include, path, re_path

from common.api_errors import NoSuchEndpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Any other address under /api/ (another version, a typo) gets the API's JSON 404 too.
    re_path(r"^api/", NoSuchEndpoint.as_view()),
    path("", include("relations.urls")),
    path("", include("articles.urls")),
]
