"""The sitemap: an index of sections, each a page of at most `PAGE` public pages, from the same
published() queries the pages use, reading only the fields the sitemap writes.

Every public page type is listed with when it last changed as readers see it: an article's own
change, and for what has no date of its own (an author, a topic, an actor, a source) the latest
change of a public article about it.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from relations.models import Actor, Relation

from .models import Article, Author, Claim, Source, Topic

PAGE = 5_000  # URLs per sitemap page: far under the protocol's 50,000, and written in well under a second
MARK = "1234567890123"  # stands for the slug or id in an address reversed once: both converters take it


class FootnoteSitemap(Sitemap):
    limit = PAGE
    url_name = ""  # the page's URL name, reversed once per sitemap page and filled in per row
    url_field = "slug"

    def location(self, row):
        # One reverse() per sitemap page rather than one per row: the addresses differ by one value.
        if not hasattr(self, "_address"):
            self._address = reverse(self.url_name, args=[MARK])
        return self._address.replace(MARK, str(getattr(row, self.url_field)))

    def lastmod(self, row):
        return row.changed

    def get_latest_lastmod(self):
        # One aggregate, where Sitemap's own would read every row to take the latest.
        return self.items().order_by().aggregate(latest=Max("changed"))["latest"]


def _latest_public_change(prefix: str) -> Max:
    """When the newest public article reached through `prefix` last changed."""
    public = Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})
    return Max(f"{prefix}updated_at", filter=public)


class ArticleSitemap(FootnoteSitemap):
    """Every public article with when it last changed (search engines read lastmod, not priority)."""

    url_name = "articles:article-detail"

    def items(self):
        return (
            Article.objects.published()
            .annotate(changed=F("updated_at"))
            .only("slug")
            .order_by("-published_at", "-id")
        )


class _ArticlesAboutSitemap(FootnoteSitemap):
    """Pages of what articles are by or about: changed when a public article reached through them did."""

    def rows(self):
        raise NotImplementedError

    def items(self):
        changed = _latest_public_change("articles__")
        return self.rows().annotate(changed=changed).only("slug").order_by("slug")


class AuthorSitemap(_ArticlesAboutSitemap):
    changefreq = "monthly"
    url_name = "articles:author-detail"

    def rows(self):
        return Author.objects.published()


class TopicSitemap(_ArticlesAboutSitemap):
    changefreq = "weekly"
    url_name = "articles:topic-detail"

    def rows(self):
        return Topic.objects.published()


class ClaimSitemap(FootnoteSitemap):
    """Public claims: changed when their article was, or when they were last reviewed."""

    url_name, url_field = "articles:claim-detail", "pk"

    def items(self):
        article_changed = F("article__updated_at")
        changed = Greatest(article_changed, Coalesce("checked_at", article_changed))
        return Claim.objects.published().annotate(changed=changed).only("pk").order_by("pk")


class SourceSitemap(FootnoteSitemap):
    """Public sources: changed when a public article citing them last did."""

    changefreq = "monthly"
    url_name, url_field = "articles:source-detail", "pk"

    def items(self):
        changed = _latest_public_change("citations__article__")
        return Source.objects.published().annotate(changed=changed).only("pk").order_by("pk")


class ActorSitemap(_ArticlesAboutSitemap):
    """Every actor: public reference data."""

    changefreq = "weekly"
    url_name = "relations:actor-detail"

    def rows(self):
        return Actor.objects.all()


class RelationSitemap(FootnoteSitemap):
    changefreq = "weekly"
    url_name = "relations:relation-detail"

    def items(self):
        return Relation.objects.annotate(changed=F("updated_at")).only("slug").order_by("slug")


class SectionSitemap(Sitemap):
    """The front page and the indexes."""

    changefreq = "daily"
    priority = 1.0
    names = [
        "articles:home",
        "articles:article-list",
        "articles:topic-list",
        "articles:claim-list",
        "relations:actor-list",
        "relations:relation-list",
    ]

    def items(self):
        return self.names

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if not hasattr(self, "_changed"):
            self._changed = Article.objects.published().aggregate(changed=Max("updated_at"))["changed"]
        return self._changed


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "claims": ClaimSitemap,
    "sources": SourceSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
    "actors": ActorSitemap,
    "relations": RelationSitemap,
}
