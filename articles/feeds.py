"""RSS, Atom and JSON Feed of the latest published articles: for the whole site, and for one topic,
author or actor.

Each entry carries the article whole, its notes list included, so a feed reader can follow every
note: the numbered references point at the notes in the entry itself, and every address is absolute.
The JSON Feeds are paged: each page's `next_url` leads to the next older page.
"""

import copy
import json
import re
from urllib.parse import urlencode, urljoin

from bs4 import BeautifulSoup
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.views.decorators.http import require_safe

from common.paging import keyset_page
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


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1), filled by the same hooks as RSS and Atom."""

    content_type = "application/feed+json"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.document(), ensure_ascii=False))

    def document(self) -> dict:
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "next_url": self.feed.get("next_url"),
            "description": self.feed["description"],
            "language": self.feed["language"],
        }
        return {**_present(feed), "items": [_json_item(item) for item in self.items]}


def _json_item(item: dict) -> dict:
    return _present(
        {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "content_html": item["content"],
            "summary": item["description"],
            "date_published": item["pubdate"].isoformat(),
            "date_modified": item["updateddate"].isoformat(),
            "authors": item["authors"],
            "tags": item["categories"],
        }
    )


def _present(members: dict) -> dict:
    """JSON Feed leaves out a member it has no value for rather than giving it an empty one."""
    return {key: value for key, value in members.items() if value not in (None, "", [])}


class LatestArticlesFeed(Feed):
    feed_type = FullContentRss
    title = "Footnote: latest analysis"
    link = reverse_lazy("articles:article-list")
    description = "Foreign-policy analysis in which every claim that matters leads to its evidence."

    @method_decorator(require_safe)
    def __call__(self, request, *args, **kwargs):
        # One instance serves every request, some at once: each gets a copy to hold its own request.
        feed = copy.copy(self)
        feed.request = request  # entries' content needs absolute addresses
        return super(LatestArticlesFeed, feed).__call__(request, *args, **kwargs)

    def articles(self, obj):
        """Every public article the feed is about, newest first."""
        return article_detail_published()

    def items(self, obj):
        return self.articles(obj)[:FEED_LENGTH]

    def item_title(self, item):
        return _xml_text(item.title)

    def item_description(self, item):
        return _xml_text(item.summary or item.dek)

    def item_extra_kwargs(self, item):
        return {
            "content": _xml_text(article_content_html(self.request, item)),
            "authors": [
                {
                    "name": byline.author.name,
                    "url": self.request.build_absolute_uri(byline.author.get_absolute_url()),
                }
                for byline in item.bylines.all()
            ],
        }

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

    def articles(self, obj):
        return super().articles(obj).filter(**{self.articles_field: obj})

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


def _atom(feed: type[LatestArticlesFeed]) -> type[LatestArticlesFeed]:
    return type(f"{feed.__name__}Atom", (feed,), {"feed_type": FullContentAtom, "subtitle": feed.description})


class _JsonFeedPages:
    """A feed as JSON Feed, FEED_LENGTH articles a page. `?older=` names a page by the last article of
    the page before it, so an article published between two fetches shifts nothing: no page repeats
    an article or skips one. The view must read `older` (`public_page(query=("older",))`)."""

    feed_type = JsonFeed

    def get_feed(self, obj, request):
        self.page = keyset_page(request, self.articles(obj), per_page=FEED_LENGTH)
        return super().get_feed(obj, request)

    def items(self, obj):
        return self.page.object_list

    def feed_extra_kwargs(self, obj):
        if not self.page.older:
            return {}
        older = f"{self.request.path}?{urlencode({'older': self.page.older})}"
        return {"next_url": self.request.build_absolute_uri(older)}


def _json(feed: type[LatestArticlesFeed]) -> type[LatestArticlesFeed]:
    return type(f"{feed.__name__}Json", (_JsonFeedPages, feed), {})


TopicAtomFeed, AuthorAtomFeed, ActorAtomFeed = _atom(TopicFeed), _atom(AuthorFeed), _atom(ActorFeed)
LatestArticlesJsonFeed, TopicJsonFeed, AuthorJsonFeed, ActorJsonFeed = map(
    _json, (LatestArticlesFeed, TopicFeed, AuthorFeed, ActorFeed)
)
