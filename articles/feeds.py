"""RSS, Atom and JSON Feed of the latest published articles: for the whole site, and for one topic,
author or actor.

Each entry carries the article whole, its notes list included, so a feed reader can follow every
note: the numbered references point at the notes in the entry itself, and every address is absolute.
"""

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from relations.models import Actor

from .models import Author, Topic
from .selectors import article_detail_published

FEED_LENGTH = 20
# Characters XML 1.0 cannot hold: one pasted into a title must not take the feed down for everyone.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"


def _xml_text(text: str) -> str:
    return NOT_IN_XML.sub(" ", text)


def article_content_html(request, article) -> str:
    """The article's text followed by its notes, every link absolute but the notes' own anchors."""
    html = render_to_string("articles/feed_content.html", {"article": article})
    page = request.build_absolute_uri(article.get_absolute_url())
    document = BeautifulSoup(html, "html.parser")
    for link in document.find_all("a", href=True):
        if not link["href"].startswith("#"):
            link["href"] = urljoin(page, link["href"])
    return str(document)


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 with each article whole in `content:encoded`, its summary in `description`."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullContentAtom(Atom1Feed):
    """Atom with each article whole in `content`, its summary in `summary`."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = FullContentRss
    title = "Footnote: latest analysis"
    link = reverse_lazy("articles:article-list")
    description = "Foreign-policy analysis in which every claim that matters leads to its evidence."

    def __call__(self, request, *args, **kwargs):
        self.request = request  # entries' content needs absolute addresses
        return super().__call__(request, *args, **kwargs)

    def items(self, obj=None):
        return article_detail_published()[:FEED_LENGTH]

    def item_title(self, item):
        return _xml_text(item.title)

    def item_description(self, item):
        return _xml_text(item.summary or item.dek)

    def item_extra_kwargs(self, item):
        return {"content": _xml_text(article_content_html(self.request, item))}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_for_readers_at or item.published_at

    def item_author_name(self, item):
        return _xml_text(", ".join(byline.author.name for byline in item.bylines.all())) or None

    def item_categories(self, item):
        return [_xml_text(topic.name) for topic in item.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = FullContentAtom
    subtitle = LatestArticlesFeed.description


class _ArticlesOfFeed(LatestArticlesFeed):
    """The latest public articles of one topic, author or actor, found by slug in `model`'s public rows."""

    model = None
    articles_field = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.public_rows(), slug=slug)

    def public_rows(self):
        return self.model.objects.published()

    def items(self, obj):
        return article_detail_published().filter(**{self.articles_field: obj})[:FEED_LENGTH]

    def title(self, obj):
        return _xml_text(f"Footnote: {obj.name}")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return _xml_text(f"The latest analysis on Footnote {self.about} {obj.name}.")


class TopicFeed(_ArticlesOfFeed):
    model, articles_field, about = Topic, "topics", "about"


class AuthorFeed(_ArticlesOfFeed):
    model, articles_field, about = Author, "bylines__author", "by"


class ActorFeed(_ArticlesOfFeed):
    model, articles_field, about = Actor, "actors", "mentioning"

    def public_rows(self):
        return Actor.objects.all()  # actors are public reference data


def _atom(feed: type[_ArticlesOfFeed]) -> type[_ArticlesOfFeed]:
    return type(f"{feed.__name__}Atom", (feed,), {"feed_type": FullContentAtom, "subtitle": feed.description})


TopicAtomFeed, AuthorAtomFeed, ActorAtomFeed = _atom(TopicFeed), _atom(AuthorFeed), _atom(ActorFeed)


@require_safe
def json_feed(request):
    """The latest articles as JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    home = request.build_absolute_uri(reverse("articles:home"))
    items = [_json_feed_item(request, article) for article in article_detail_published()[:FEED_LENGTH]]
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
        "content_html": article_content_html(request, article),
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
