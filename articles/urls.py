from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
