"""The sitemap: public pages only, from the same published() queries the pages use."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Author, Topic


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at


class AuthorSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Author.objects.published().order_by("slug")


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Topic.objects.published().order_by("slug")


class SectionSitemap(Sitemap):
    """The front page and the article list."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:article-list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
}
