from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Footnote desk"
admin.site.site_title = "Footnote desk"
admin.site.index_title = "Articles, sources, claims and the relations they trace"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("", include("relations.urls")),
    path("", include("articles.urls")),
]
