from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from common.caching import public_page

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/cite.json", views.source_cite_json, name="source-cite-json"),
    path("sources/<int:pk>/cite.bib", views.source_cite_bib, name="source-cite-bib"),
    path(
        "articles/<slug:slug>/bibliography.json",
        views.article_bibliography_json,
        name="article-bibliography-json",
    ),
    path(
        "articles/<slug:slug>/bibliography.bib",
        views.article_bibliography_bib,
        name="article-bibliography-bib",
    ),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("search/", views.search, name="search"),
    path("feeds/articles.rss", public_page(feeds.LatestArticlesFeed()), name="feed-rss"),
    path("feeds/articles.atom", public_page(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
    path("topics/<slug:slug>/feed.rss", public_page(feeds.TopicFeed()), name="topic-feed-rss"),
    path("topics/<slug:slug>/feed.atom", public_page(feeds.TopicAtomFeed()), name="topic-feed-atom"),
    path("authors/<slug:slug>/feed.rss", public_page(feeds.AuthorFeed()), name="author-feed-rss"),
    path("authors/<slug:slug>/feed.atom", public_page(feeds.AuthorAtomFeed()), name="author-feed-atom"),
    path("actors/<slug:slug>/feed.rss", public_page(feeds.ActorFeed()), name="actor-feed-rss"),
    path("actors/<slug:slug>/feed.atom", public_page(feeds.ActorAtomFeed()), name="actor-feed-atom"),
    path("feed.json", public_page(feeds.LatestArticlesJsonFeed(), query=("older",)), name="feed-json"),
    path(
        "topics/<slug:slug>/feed.json",
        public_page(feeds.TopicJsonFeed(), query=("older",)),
        name="topic-feed-json",
    ),
    path(
        "authors/<slug:slug>/feed.json",
        public_page(feeds.AuthorJsonFeed(), query=("older",)),
        name="author-feed-json",
    ),
    path(
        "actors/<slug:slug>/feed.json",
        public_page(feeds.ActorJsonFeed(), query=("older",)),
        name="actor-feed-json",
    ),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap, query=("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # "Cite this": an article or a claim as a file for a reference manager.
    *(
        path(
            f"articles/<slug:slug>/cite.{extension}",
            views.article_cite,
            {"extension": extension},
            name=f"article-cite-{extension}",
        )
        for extension in views.CITE_FILES
    ),
    *(
        path(
            f"claims/<int:pk>/cite.{extension}",
            views.claim_cite,
            {"extension": extension},
            name=f"claim-cite-{extension}",
        )
        for extension in views.CITE_FILES
    ),
]
