from django.contrib import admin
from django.urls import include, path, re_path

from common.api_errors import no_such_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Any other address under /api/ (another version, a typo) gets the API's JSON 404 too.
    re_path(r"^api/", no_such_endpoint),
    path("", include("relations.urls")),
    path("", include("articles.urls")),
]
