"""Public search over articles, the claims they make and actors.

Articles and claims come only through the published selectors and querysets, so search obeys the one
visibility rule; actors are public reference data (every actor has a public page).

On PostgreSQL the search is full-text (English stemming, web-search syntax: "quoted phrases", `or`,
`-word`), best match first. Elsewhere (SQLite) a row matches when it contains every word of the query,
ignoring case; articles then come newest first.
"""

import string
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from relations.models import Actor

from .models import Article, Claim
from .selectors import article_list_published

MAX_QUERY_LENGTH = 200
MAX_WORDS = 20  # the fallback's cost grows with each word: it searches the first twenty distinct words
SHOWN = 20  # claims and actors listed on the first page of results

SEARCH_CONFIG = "english"

# What each kind of result is searched on, with its full-text weight, and how equal matches are ordered.
ARTICLE_FIELDS = {"title": "A", "dek": "B", "summary": "B", "body": "C"}
ARTICLE_ORDER = ("-published_at", "-id")
CLAIM_FIELDS = {"statement": "A", "quote": "B"}
CLAIM_ORDER = ("-article__published_at", "article_id", "position", "id")
ACTOR_FIELDS = {"name": "A", "aliases": "B"}
ACTOR_ORDER = ("name", "id")


@dataclass(frozen=True)
class SearchResults:
    query: str
    articles: QuerySet[Article]  # every match, unevaluated: the caller paginates it
    claims: list[Claim]  # the first SHOWN matches, best first, each with its article
    claim_count: int
    actors: list[Actor]  # the first SHOWN matches, best first
    actor_count: int


def clean_query(raw: str) -> str:
    """The query as searched: NUL characters dropped, at most MAX_QUERY_LENGTH characters, stripped."""
    return raw.replace("\x00", "")[:MAX_QUERY_LENGTH].strip()


def search_published(*, query: str) -> SearchResults:
    """Public articles, claims and actors matching `query` (already cleaned), best match first."""
    match = _matcher()
    claims = match(Claim.objects.published().select_related("article"), query, CLAIM_FIELDS, CLAIM_ORDER)
    actors = match(Actor.objects.all(), query, ACTOR_FIELDS, ACTOR_ORDER)
    return SearchResults(
        query=query,
        articles=match(article_list_published(), query, ARTICLE_FIELDS, ARTICLE_ORDER),
        claims=list(claims[:SHOWN]),
        claim_count=claims.count(),
        actors=list(actors[:SHOWN]),
        actor_count=actors.count(),
    )


def _matcher():
    """Full-text search where the database has it (PostgreSQL), word containment elsewhere."""
    return _full_text if connection.vendor == "postgresql" else _every_word


def _full_text(queryset: QuerySet, query: str, fields: dict[str, str], order: tuple[str, ...]) -> QuerySet:
    vector = reduce(
        lambda a, b: a + b,
        (SearchVector(field, weight=weight, config=SEARCH_CONFIG) for field, weight in fields.items()),
    )
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.annotate(search_document=vector, search_rank=SearchRank(vector, search_query))
        .filter(search_document=search_query)
        .order_by("-search_rank", *order)
    )


def _every_word(queryset: QuerySet, query: str, fields: dict[str, str], order: tuple[str, ...]) -> QuerySet:
    words = _words(query)
    if not words:
        return queryset.none()
    contains_word = [reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)) for word in words]
    return queryset.filter(reduce(and_, contains_word)).order_by(*order)


def _words(query: str) -> list[str]:
    """The query's distinct words, without the quotes and punctuation around them."""
    words = {}
    for token in query.split():
        word = token.strip(string.punctuation + "“”‘’«»")
        if word:
            words.setdefault(word.casefold(), word)
    return list(words.values())[:MAX_WORDS]
