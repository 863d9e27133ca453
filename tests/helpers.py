"""Small helpers shared by tests of different apps."""

import datetime
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article


def past(days: int = 1) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def future(days: int = 1) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# Every way an article can be not yet, or no longer, public: factory keyword arguments by name.
UNPUBLISHED_STATES = {
    "draft": lambda: {"status": Article.Status.DRAFT, "published_at": None},
    "in-review": lambda: {"status": Article.Status.IN_REVIEW, "published_at": None},
    "withdrawn": lambda: {"status": Article.Status.WITHDRAWN, "published_at": past()},
    "scheduled": lambda: {"status": Article.Status.PUBLISHED, "published_at": future()},
}


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def start_tags(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of a page as (tag, attributes), in document order."""
    parser = _StartTags()
    parser.feed(html)
    return parser.found


def count_queries(client, url: str) -> int:
    """How many SQL queries a GET of `url` runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    """The management form of an admin inline formset, as a browser posts it."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class _FormReader(HTMLParser):
    """What a browser would send for the admin's change form: every named field with its value.

    Only the change form's own fields: the desk's step forms on the same page are left out.
    """

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = (attrs.get("id") or "").endswith("_form")
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            checkable = attrs.get("type") in {"checkbox", "radio"}
            if checkable and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(response):
    reader = _FormReader()
    reader.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items() if values}
    data.pop("csrfmiddlewaretoken", None)
    # A textarea's content starts after one newline, which browsers drop.
    return {k: v.removeprefix("\n") if isinstance(v, str) else v for k, v in data.items()}
