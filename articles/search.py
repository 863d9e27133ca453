"""Public search over articles, the claims they make and actors.

Articles and claims come only through the published selectors and querysets, so search obeys the one
visibility rule; actors are public reference data (every actor has a public page).

Searches read an index (search_index.py), never every row:
- PostgreSQL: the stored, weighted search documents through their GIN index; web-search syntax
  ("quoted phrases", `or`, `-word`);
- SQLite: FTS5 tables, every word must match;
- SQLite built without FTS5: a row must contain every word (a small site's fallback).
Results are ranked, best first, among the most recent `CANDIDATES` matches: a word in half the
archive ranks a thousand rows, not fifty thousand. Every search runs under a time limit.
"""

import re
import string
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import OperationalError, connection, connections, transaction
from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL

from relations.models import Actor

from .models import Article, Claim
from .search_index import ARTICLES, CLAIMS, SEARCH_CONFIG, Indexed, bm25_weights, has_fts5
from .selectors import article_cards_published

MAX_QUERY_LENGTH = 200
MAX_WORDS = 20
SHOWN = 20  # claims and actors listed on the first page of results
CANDIDATES = 1000  # matches ranked per search, the most recent first
TIME_LIMIT_SECONDS = 3
SEARCHES_AT_ONCE = 1
# Around the matched words of a snippet: not HTML, so the text can be escaped before they are marked.
MARK_START, MARK_END = "\x02", "\x03"

ACTOR_FIELDS = {"name": "A", "aliases": "B"}


class SearchTimeout(Exception):
    """The search took longer than TIME_LIMIT_SECONDS and was stopped."""


class SearchBusy(Exception):
    """Every search slot of this server process is taken."""


# Searches one server process runs at once: the rest of its threads stay free for other pages,
# however many searches arrive together.
_SLOTS = threading.BoundedSemaphore(SEARCHES_AT_ONCE)


@contextmanager
def search_slot():
    """Hold one of the process's search slots, or raise SearchBusy at once rather than queue."""
    if not _SLOTS.acquire(blocking=False):
        raise SearchBusy
    try:
        yield
    finally:
        _SLOTS.release()


@dataclass(frozen=True)
class SearchResults:
    query: str
    articles: QuerySet[Article]  # the matches, best first, each with a `snippet`: the caller pages them
    claims: list[Claim]  # the first SHOWN matches, best first, each with its article
    claim_count: int
    actors: list[Actor]  # the first SHOWN matches, best first
    actor_count: int


def clean_query(raw: str) -> str:
    """The query as searched: NUL characters dropped, stripped. Longer than MAX_QUERY_LENGTH is refused."""
    return raw.replace("\x00", "").strip()


@contextmanager
def time_limit(seconds: float = TIME_LIMIT_SECONDS):
    """Stop any query run inside after `seconds`, raising SearchTimeout: a search must never hold a
    worker for long, whatever a visitor types."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = %s", [int(seconds * 1000)])
                yield
        except OperationalError as error:
            raise SearchTimeout from error
        return
    connection.ensure_connection()
    deadline = time.monotonic() + seconds
    raw = connection.connection
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        yield
    except OperationalError as error:
        raise SearchTimeout from error
    finally:
        raw.set_progress_handler(None, 0)


def search_published(*, query: str) -> SearchResults:
    """Public articles, claims and actors matching `query` (already cleaned), best match first."""
    engine = _engine()
    articles = engine.articles(query)
    claims = engine.claims(query)
    actors = _actors(query)
    return SearchResults(
        query=query,
        articles=articles,
        claims=list(claims[:SHOWN]),
        claim_count=claims.count(),
        actors=list(actors[:SHOWN]),
        actor_count=actors.count(),
    )


def _engine():
    if connection.vendor == "postgresql":
        return PostgresSearch
    return Fts5Search if _fts5_available(connection.alias) else EveryWordSearch


@cache
def _fts5_available(alias: str) -> bool:
    return has_fts5(connections[alias])


def _published_claims() -> QuerySet[Claim]:
    return Claim.objects.published().select_related("article").defer("search_document", "article__body")


class PostgresSearch:
    @staticmethod
    def _query(query: str) -> SearchQuery:
        return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)

    @classmethod
    def articles(cls, query: str) -> QuerySet[Article]:
        q = cls._query(query)
        recent = Article.objects.published().filter(search_document=q).order_by("-published_at", "-id")
        snippet = SearchHeadline(
            "body_text",
            q,
            config=SEARCH_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=30,
            min_words=12,
        )
        return (
            article_cards_published()
            .filter(pk__in=Subquery(recent.values("pk")[:CANDIDATES]))
            .annotate(search_rank=SearchRank(F("search_document"), q), snippet=snippet)
            .order_by("-search_rank", "-published_at", "-id")
        )

    @classmethod
    def claims(cls, query: str) -> QuerySet[Claim]:
        q = cls._query(query)
        recent = _published_claims().filter(search_document=q).order_by("-article__published_at", "-id")
        return (
            _published_claims()
            .filter(pk__in=Subquery(recent.values("pk")[:CANDIDATES]))
            .annotate(search_rank=SearchRank(F("search_document"), q))
            .order_by("-search_rank", "-article__published_at", "position", "id")
        )


class Fts5Search:
    @staticmethod
    def _query(query: str) -> str:
        """Each word of the query as a quoted FTS5 phrase: every one must match, and none is syntax."""
        return " ".join('"{}"'.format(word.replace('"', '""')) for word in _words(query))

    @classmethod
    def _matches(cls, queryset: QuerySet, indexed: Indexed, query: str) -> QuerySet:
        fts, weights = indexed.fts, bm25_weights(indexed)
        matched = cls._query(query)
        if not matched:
            return queryset.none().annotate(search_rank=Value(0.0))
        best = RawSQL(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY bm25({fts}, {weights}) LIMIT %s",
            [matched, CANDIDATES],
        )
        rank = RawSQL(
            f"SELECT -bm25({fts}, {weights}) FROM {fts} WHERE {fts} MATCH %s AND rowid = {indexed.table}.id",
            [matched],
        )
        return queryset.filter(pk__in=best).annotate(search_rank=rank)

    @classmethod
    def articles(cls, query: str) -> QuerySet[Article]:
        fts = ARTICLES.fts
        snippet = RawSQL(
            f"SELECT snippet({fts}, 3, char(2), char(3), '…', 24) FROM {fts} "
            f"WHERE {fts} MATCH %s AND rowid = {ARTICLES.table}.id",
            [cls._query(query)],
        )
        matches = cls._matches(article_cards_published(), ARTICLES, query)
        return matches.annotate(snippet=snippet).order_by("-search_rank", "-published_at", "-id")

    @classmethod
    def claims(cls, query: str) -> QuerySet[Claim]:
        matches = cls._matches(_published_claims(), CLAIMS, query)
        return matches.order_by("-search_rank", "-article__published_at", "position", "id")


class EveryWordSearch:
    """Without an index: a row matches when it contains every word; newest first."""

    @staticmethod
    def articles(query: str) -> QuerySet[Article]:
        matches = _every_word(article_cards_published(), query, ARTICLES.columns)
        return matches.annotate(snippet=F("dek")).order_by("-published_at", "-id")

    @staticmethod
    def claims(query: str) -> QuerySet[Claim]:
        matches = _every_word(_published_claims(), query, CLAIMS.columns)
        return matches.order_by("-article__published_at", "position", "id")


def _actors(query: str) -> QuerySet[Actor]:
    """Actors are few: matched on the fly, by full text on PostgreSQL and by every word elsewhere."""
    if connection.vendor != "postgresql":
        return _every_word(Actor.objects.all(), query, ACTOR_FIELDS).order_by("name", "id")
    vector = reduce(
        lambda a, b: a + b,
        (SearchVector(field, weight=weight, config=SEARCH_CONFIG) for field, weight in ACTOR_FIELDS.items()),
    )
    q = PostgresSearch._query(query)
    return (
        Actor.objects.annotate(search_document=vector, search_rank=SearchRank(vector, q))
        .filter(search_document=q)
        .order_by("-search_rank", "name", "id")
    )


def _every_word(queryset: QuerySet, query: str, fields) -> QuerySet:
    words = _words(query)
    if not words:
        return queryset.none()
    contains_word = [reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)) for word in words]
    return queryset.filter(reduce(and_, contains_word))


def _words(query: str) -> list[str]:
    """The query's distinct words, without the quotes and punctuation around them."""
    words = {}
    for token in query.split():
        word = token.strip(string.punctuation + "“”‘’«»")
        if word:
            words.setdefault(word.casefold(), word)
    return list(words.values())[:MAX_WORDS]


def narrowed_by_index(queryset: QuerySet, indexed: Indexed, term: str) -> QuerySet | None:
    """`queryset` narrowed to rows with a word starting with each word of `term` (as one types in
    the admin), read from the search index; None where there is no index to read."""
    words = re.findall(r"\w+", term)[:MAX_WORDS]
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        prefixes = " & ".join(f"{word}:*" for word in words)
        return queryset.filter(search_document=SearchQuery(prefixes, search_type="raw", config=SEARCH_CONFIG))
    if _fts5_available(connection.alias):
        prefixes = " ".join(f'"{word}"*' for word in words)
        return queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {indexed.fts} WHERE {indexed.fts} MATCH %s", [prefixes])
        )
    return None
