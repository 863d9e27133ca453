"""The sitemap: an index of sections, each a page of at most `PAGE` public pages, from the same
published() queries the pages use, reading only the fields the sitemap writes."""

from functools import cache

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from .models import Article, Author, Topic

PAGE = 5_000  # URLs per sitemap page: far under the protocol's 50,000, and written in well under a second


class FootnoteSitemap(Sitemap):
    limit = PAGE


class ArticleSitemap(FootnoteSitemap):
    """Every public article with when it last changed (search engines read lastmod, not priority)."""

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def location(self, article):
        # One reverse() for the page rather than one per article: the address differs only by slug.
        return _article_address().replace(SLUG_MARK, article.slug)

    def lastmod(self, article):
        return article.updated_at


SLUG_MARK = "slug-mark"


@cache
def _article_address() -> str:
    return reverse("articles:article-detail", kwargs={"slug": SLUG_MARK})


def _latest_public_change(prefix: str) -> Max:
    """When the newest public article reached through `prefix` last changed."""
    public = Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})
    return Max(f"{prefix}updated_at", filter=public)


class AuthorSitemap(FootnoteSitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Author.objects.published()
            .annotate(changed=_latest_public_change("articles__"))
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, author):
        return author.changed


class TopicSitemap(FootnoteSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Topic.objects.published()
            .annotate(changed=_latest_public_change("articles__"))
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, topic):
        return topic.changed


class SectionSitemap(FootnoteSitemap):
    """The front page and the article list."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:article-list"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Article.objects.published().aggregate(changed=Max("updated_at"))["changed"]


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
}
