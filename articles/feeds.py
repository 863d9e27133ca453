"""RSS, Atom and JSON Feed of the latest published articles."""

import re

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from .selectors import article_list_published

FEED_LENGTH = 20
# Characters XML 1.0 cannot hold: one pasted into a title must not take the feed down for everyone.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return NOT_IN_XML.sub(" ", text)


class LatestArticlesFeed(Feed):
    title = "Footnote: latest analysis"
    link = reverse_lazy("articles:article-list")
    description = "Foreign-policy analysis in which every claim that matters leads to its evidence."

    def items(self):
        return article_list_published()[:FEED_LENGTH]

    def item_title(self, item):
        return _xml_text(item.title)

    def item_description(self, item):
        return _xml_text(item.summary or item.dek)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_for_readers_at or item.published_at

    def item_author_name(self, item):
        return _xml_text(", ".join(byline.author.name for byline in item.bylines.all())) or None

    def item_categories(self, item):
        return [_xml_text(topic.name) for topic in item.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


@require_safe
def json_feed(request):
    """The latest articles as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    home = request.build_absolute_uri(reverse("articles:home"))
    items = [_json_feed_item(request, article) for article in article_list_published()[:FEED_LENGTH]]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": LatestArticlesFeed.title,
        "home_page_url": home,
        "feed_url": request.build_absolute_uri(),
        "description": LatestArticlesFeed.description,
        "language": "en",
        "items": items,
    }
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


def _json_feed_item(request, article) -> dict:
    url = request.build_absolute_uri(article.get_absolute_url())
    item = {
        "id": url,
        "url": url,
        "title": article.title,
        "content_html": article.body_html,
        "summary": article.summary or article.dek,
        "date_published": article.published_at.isoformat(),
        "date_modified": (article.updated_for_readers_at or article.published_at).isoformat(),
        "authors": [
            {"name": byline.author.name, "url": request.build_absolute_uri(byline.author.get_absolute_url())}
            for byline in article.bylines.all()
        ],
        "tags": [topic.name for topic in article.topics.all()],
    }
    return {key: value for key, value in item.items() if value not in ("", [])}
