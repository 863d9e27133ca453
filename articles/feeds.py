"""RSS and Atom feeds of the latest published articles."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .selectors import article_list_published

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    title = "Footnote: latest analysis"
    link = reverse_lazy("articles:article-list")
    description = "Foreign-policy analysis in which every claim that matters leads to its evidence."

    def items(self):
        return article_list_published()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.dek

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(byline.author.name for byline in item.bylines.all()) or None

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
