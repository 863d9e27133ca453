"""Public search over articles, the claims they make, the sources they cite, actors, developments
and the relations between actors.

Articles, claims and sources come only through the published selectors and querysets, so search
obeys the one visibility rule; actors, developments and relations are public reference data.

A query is cut into words (letters and digits: nothing a visitor types is ever search syntax); a
row matches when it has every word, words of PREFIX_MIN bytes or more as the start of a word
("gas" finds gasoline, "kazakh" Kazakhstan). Searches read an index (search_index.py), never
every row:
- PostgreSQL: the weighted search documents through their GIN indexes, by a tsquery built from the
  words (`'kazakh':* & 'gas':*`), ranked with whole-word matches first;
- SQLite: FTS5 tables, by prefix queries (`"kazakh"* "gas"*`), ranked by bm25;
- SQLite built without FTS5: a row must contain every word (a small site's fallback).
Results are ranked, best first, among the most recent `CANDIDATES` matches: a word in half the
archive ranks a thousand rows, not fifty thousand. Every search runs under a time limit.
"""

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, connections
from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL

from relations.models import Actor, Development, Relation
from relations.selectors import development_relations
from relations.state import development_anchor

from .models import Article, Claim, Source
from .search_index import (
    ACTORS,
    ARTICLES,
    CLAIMS,
    DEVELOPMENTS,
    SEARCH_CONFIG,
    SOURCES,
    Indexed,
    bm25_weights,
    document_sql,
    has_fts5,
)
from .selectors import article_cards_published

MAX_QUERY_LENGTH = 200
MAX_WORDS = 20
# Shorter words match whole words only: "a" or "un" would match half the index. Counted in bytes,
# so that a word of two Chinese characters, which says as much as a longer one in Latin, counts.
PREFIX_MIN = 3
CANDIDATES = 1000  # matches ranked per search, the most recent first
SEARCHES_AT_ONCE = 1
# Around the matched words of a snippet: not HTML, so the text can be escaped before they are marked.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 30  # words of a long text shown around its first match

# What can be searched for, in the order the page lists them.
SEARCH_KINDS = {
    "articles": "Articles",
    "claims": "Claims",
    "sources": "Sources",
    "actors": "Actors",
    "developments": "Developments",
    "relations": "Relations",
}
SEARCH_PREVIEW = 5  # results of each kind when every kind is shown

WORD = re.compile(r"[^\W_]+")


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


def clean_query(raw: str) -> str:
    """The query as searched: NUL characters dropped, stripped. Longer than MAX_QUERY_LENGTH is refused."""
    return raw.replace("\x00", "").strip()


@dataclass(frozen=True)
class SearchResults:
    """The matches of each kind, best first: querysets the caller counts, pages and gives snippets."""

    query: str
    words: list[str]
    articles: QuerySet[Article]  # each with a `snippet` from the database
    claims: QuerySet[Claim]
    sources: QuerySet[Source]
    actors: QuerySet[Actor]
    developments: QuerySet[Development]
    relations: QuerySet[Relation]  # those between actors that match

    def of_kind(self, kind: str) -> QuerySet:
        return getattr(self, kind)

    def shown(self, kind: str, rows) -> list:
        """`rows` of `kind`, read; each but an article with a `marked` title and a `snippet` around
        what matched in its other texts."""
        rows = list(rows)
        if kind == "articles":
            return rows  # their snippets come from the database, out of texts too long to read here
        if kind == "developments":
            for development, relations in development_relations(developments=rows):
                development.timeline = relations[0] if relations else None
                development.anchor = development_anchor(development)
        for row in rows:
            title, *texts = _SHOWN_TEXTS[kind](row)
            row.marked = highlight(title, self.words)
            row.snippet = next((excerpt(text, self.words) for text in texts if matches(text, self.words)), "")
        return rows


# The text a result is titled by, then the texts its snippet may come from.
_SHOWN_TEXTS = {
    "claims": lambda claim: [claim.statement, claim.quote],
    # the results page shows a source's publisher beside it
    "sources": lambda source: [source.title, source.author, source.container_title],
    "actors": lambda actor: [actor.name, " · ".join(actor.alias_list), actor.description],
    "developments": lambda development: [development.title, development.description],
    "relations": lambda relation: [str(relation), relation.summary],
}


def search_published(*, query: str) -> SearchResults:
    """What the public may see that matches `query` (already cleaned), of every kind, best first."""
    engine = _engine()
    words = _words(query)
    return SearchResults(
        query=query,
        words=words,
        articles=engine.articles(words),
        claims=engine.matches(_published_claims(), CLAIMS, words, ("-article__published_at", "-id")),
        sources=engine.matches(Source.objects.published(), SOURCES, words, ("-id",)),
        actors=engine.matches(Actor.objects.all(), ACTORS, words, ("name", "id")),
        developments=engine.matches(
            Development.objects.prefetch_related("participants"), DEVELOPMENTS, words, ("-date", "-id")
        ),
        relations=_relations(words),
    )


NARROWED_BY = {
    "articles": ARTICLES,
    "claims": CLAIMS,
    "sources": SOURCES,
    "actors": ACTORS,
    "developments": DEVELOPMENTS,
}


def narrowed_published(queryset: QuerySet, *, kind: str, query: str) -> QuerySet:
    """`queryset` (of `kind`, public already) narrowed to rows with every word of `query`, by the
    rules of search but unranked and uncapped: for a list that keeps its own order and filters."""
    words = _words(query)
    if not words:
        return queryset.none()
    return _engine().narrowed(queryset, NARROWED_BY[kind], words)


def _engine():
    if connection.vendor == "postgresql":
        return PostgresSearch
    return Fts5Search if _fts5_available(connection.alias) else EveryWordSearch


@cache
def _fts5_available(alias: str) -> bool:
    return has_fts5(connections[alias])


def _published_claims() -> QuerySet[Claim]:
    return Claim.objects.published().select_related("article").defer("search_document", "article__body")


def _relations(words: list[str]) -> QuerySet[Relation]:
    """Relations whose two actors' names and aliases hold every word. Curated pairs are few:
    read without an index."""
    names = ("actor_a__name", "actor_a__aliases", "actor_b__name", "actor_b__aliases")
    words = [word for word in words if len(word.encode()) > 1]  # "a" is in nearly every name
    return _every_word(Relation.objects.select_related("actor_a", "actor_b"), words, names).order_by("slug")


def _every_word(queryset: QuerySet, words: list[str], fields) -> QuerySet:
    if not words:
        return queryset.none()
    contains_word = [reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)) for word in words]
    return queryset.filter(reduce(and_, contains_word))


def _is_prefix(word: str) -> bool:
    return len(word.encode()) >= PREFIX_MIN


class PostgresSearch:
    @staticmethod
    def _query(words: list[str]) -> SearchQuery:
        """Every word, quoted (so the parser, not the tsquery syntax, reads it) and stemmed; long
        ones as prefixes. Words hold letters and digits only: no quote can close the quoting."""
        terms = " & ".join(f"'{word}':*" if _is_prefix(word) else f"'{word}'" for word in words)
        return SearchQuery(terms, search_type="raw", config=SEARCH_CONFIG)

    @classmethod
    def _rank(cls, document, words: list[str]) -> SearchRank:
        # Whole words outrank the same words as prefixes: "gas" before "gasoline".
        whole = SearchQuery(" ".join(words), search_type="plain", config=SEARCH_CONFIG)
        return SearchRank(document, cls._query(words)) + SearchRank(document, whole)

    @classmethod
    def matches(
        cls, queryset: QuerySet, indexed: Indexed, words: list[str], recent: tuple[str, ...]
    ) -> QuerySet:
        if not words:
            return queryset.none()
        document = cls._document(indexed)
        candidates = (
            queryset.annotate(document=document)
            .filter(document=cls._query(words))
            .order_by(*recent)
            .values("pk")[:CANDIDATES]
        )
        return (
            queryset.filter(pk__in=Subquery(candidates))
            .annotate(search_rank=cls._rank(document, words))
            .order_by("-search_rank", *recent)
        )

    @classmethod
    def narrowed(cls, queryset: QuerySet, indexed: Indexed, words: list[str]) -> QuerySet:
        return queryset.alias(document=cls._document(indexed)).filter(document=cls._query(words))

    @staticmethod
    def _document(indexed: Indexed):
        if indexed.stored:
            return F("search_document")
        # the expression the table's GIN index is built on, spelled the same way
        return RawSQL(document_sql(indexed), [], output_field=SearchVectorField())

    @classmethod
    def articles(cls, words: list[str]) -> QuerySet[Article]:
        snippet = SearchHeadline(
            "body_text",
            cls._query(words),
            config=SEARCH_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=30,
            min_words=12,
        )
        matches = cls.matches(article_cards_published(), ARTICLES, words, ("-published_at", "-id"))
        return matches.annotate(snippet=snippet)


class Fts5Search:
    @staticmethod
    def _query(words: list[str]) -> str:
        """Each word as a quoted FTS5 phrase, long ones as prefixes: every one must match, none is syntax."""
        return " ".join(f'"{word}"*' if _is_prefix(word) else f'"{word}"' for word in words)

    @classmethod
    def matches(
        cls, queryset: QuerySet, indexed: Indexed, words: list[str], recent: tuple[str, ...]
    ) -> QuerySet:
        fts, weights = indexed.fts, bm25_weights(indexed)
        matched = cls._query(words)
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
        return queryset.filter(pk__in=best).annotate(search_rank=rank).order_by("-search_rank", *recent)

    @classmethod
    def narrowed(cls, queryset: QuerySet, indexed: Indexed, words: list[str]) -> QuerySet:
        matched = RawSQL(f"SELECT rowid FROM {indexed.fts} WHERE {indexed.fts} MATCH %s", [cls._query(words)])
        return queryset.filter(pk__in=matched)

    @classmethod
    def articles(cls, words: list[str]) -> QuerySet[Article]:
        fts = ARTICLES.fts
        snippet = RawSQL(
            f"SELECT snippet({fts}, 3, char(2), char(3), '…', 24) FROM {fts} "
            f"WHERE {fts} MATCH %s AND rowid = {ARTICLES.table}.id",
            [cls._query(words)],
        )
        matches = cls.matches(article_cards_published(), ARTICLES, words, ("-published_at", "-id"))
        return matches.annotate(snippet=snippet)


class EveryWordSearch:
    """Without an index: a row matches when it contains every word, anywhere; newest first."""

    @staticmethod
    def matches(queryset: QuerySet, indexed: Indexed, words: list[str], recent: tuple[str, ...]) -> QuerySet:
        return _every_word(queryset, words, indexed.columns).order_by(*recent)

    @staticmethod
    def narrowed(queryset: QuerySet, indexed: Indexed, words: list[str]) -> QuerySet:
        return _every_word(queryset, words, indexed.columns)

    @classmethod
    def articles(cls, words: list[str]) -> QuerySet[Article]:
        matches = cls.matches(article_cards_published(), ARTICLES, words, ("-published_at", "-id"))
        return matches.annotate(snippet=F("dek"))


def _words(query: str) -> list[str]:
    """The query's distinct words: runs of letters and digits, whatever surrounds them."""
    words = {}
    for word in WORD.findall(query):
        words.setdefault(word.casefold(), word.casefold())
    return list(words.values())[:MAX_WORDS]


def _matches_word(token: str, words: list[str]) -> bool:
    token = token.casefold()
    return any(
        token.startswith(word)
        if _is_prefix(word)
        else token == word
        # a stemmed search finds other endings of a word: "remittances" finds "remittance"
        or (len(token) >= 4 and word.startswith(token[:-1] if len(token) > 4 else token))
        for word in words
    )


def matches(text: str, words: list[str]) -> bool:
    return any(_matches_word(token, words) for token in WORD.findall(text or ""))


def highlight(text: str, words: list[str]) -> str:
    """`text` with each word that matched between MARK_START and MARK_END."""
    return WORD.sub(
        lambda m: f"{MARK_START}{m[0]}{MARK_END}" if _matches_word(m[0], words) else m[0], text or ""
    )


def excerpt(text: str, words: list[str]) -> str:
    """Up to SNIPPET_WORDS words of `text` around its first match, highlighted."""
    spaced = text.split()
    first = next((i for i, chunk in enumerate(spaced) if matches(chunk, words)), 0)
    start = max(0, min(first - SNIPPET_WORDS // 3, len(spaced) - SNIPPET_WORDS))
    shown = " ".join(spaced[start : start + SNIPPET_WORDS])
    before = "… " if start > 0 else ""
    after = " …" if start + SNIPPET_WORDS < len(spaced) else ""
    return before + highlight(shown, words) + after


def narrowed_by_index(queryset: QuerySet, indexed: Indexed, term: str) -> QuerySet | None:
    """`queryset` narrowed to rows with a word starting with each word of `term` (as one types in
    the admin), read from the search index; None where there is no index to read."""
    words = WORD.findall(term)[:MAX_WORDS]
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        prefixes = " & ".join(f"'{word}':*" for word in words)
        return queryset.filter(search_document=SearchQuery(prefixes, search_type="raw", config=SEARCH_CONFIG))
    if _fts5_available(connection.alias):
        prefixes = " ".join(f'"{word}"*' for word in words)
        return queryset.filter(
            pk__in=RawSQL(f"SELECT rowid FROM {indexed.fts} WHERE {indexed.fts} MATCH %s", [prefixes])
        )
    return None
