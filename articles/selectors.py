"""Reads for the public surfaces: pages, feeds and the API ask these, never the models directly."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from relations.models import Actor

from .models import (
    Article,
    ArticleAuthor,
    Author,
    Citation,
    Claim,
    ClaimEvidence,
    ClaimLink,
    Source,
    Topic,
    published_q,
)


def claims_with_evidence() -> QuerySet[Claim]:
    """Claims with their sources, actors, and their links to other public claims (a figure derived
    from one in a draft shows no source figure)."""
    evidence = ClaimEvidence.objects.select_related("source")
    return Claim.objects.select_related("claimant_actor").prefetch_related(
        Prefetch("evidence", queryset=evidence),
        "actors",
        Prefetch("derived_from", queryset=Claim.objects.published().select_related("article")),
        Prefetch("links_out", queryset=ClaimLink.objects.published().select_related("to_claim__article")),
    )


def _bylines() -> Prefetch:
    return Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))


def _with_list_content(articles: QuerySet[Article]) -> QuerySet[Article]:
    return (
        articles.prefetch_related(_bylines(), "topics")
        .defer("search_document")
        .order_by("-published_at", "-id")
    )


def _with_notes_and_claims(articles: QuerySet[Article], claims: QuerySet[Claim]) -> QuerySet[Article]:
    return articles.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        Prefetch("claims", queryset=claims),
        Prefetch("actors", queryset=Actor.objects.order_by("name")),
        "corrections",
    )


def claims_in_text() -> QuerySet[Claim]:
    """What an article page and feed show of their claims: what marks each in the text, its statement
    and status, and its evidence as a number of sources per stance (`supports_count`, ...)."""
    counts = {
        f"{stance}_count": Count("evidence", filter=Q(evidence__stance=stance))
        for stance in ClaimEvidence.Stance.values
    }
    return Claim.objects.defer("search_document").annotate(**counts)


def _with_page_content(articles: QuerySet[Article]) -> QuerySet[Article]:
    return _with_notes_and_claims(_with_list_content(articles), claims_in_text())


def article_list_published() -> QuerySet[Article]:
    """Public articles, newest first, with what a list shows."""
    return _with_list_content(Article.objects.published())


def article_cards_published() -> QuerySet[Article]:
    """Public articles, newest first, with what a card in a list shows and none of their text."""
    return article_list_published().defer("body", "body_html", "body_text")


def article_detail_published() -> QuerySet[Article]:
    """Public articles with everything an article page or feed entry shows, in a fixed number of queries."""
    return _with_page_content(Article.objects.published())


def article_detail_preview() -> QuerySet[Article]:
    """Every article, unpublished ones included, for staff preview."""
    return _with_page_content(Article.objects.all())


def next_publication_time() -> datetime.datetime | None:
    """When the next scheduled article goes live, if one is scheduled."""
    scheduled = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
    return scheduled.order_by("published_at").values_list("published_at", flat=True).first()


def article_withdrawn(*, slug: str) -> Article | None:
    """The withdrawn article once public at `slug`: only what its notice shows, never its text."""
    return (
        Article.objects.withdrawn_from_readers()
        .filter(slug=slug)
        .only("title", "slug", "first_published_at", "withdrawn_at", "withdrawal_notice")
        .first()
    )


def claim_list_published() -> QuerySet[Claim]:
    return claims_with_evidence().published().select_related("article")


def claim_detail_published() -> QuerySet[Claim]:
    """Public claims with everything a claim page shows: claimant, the figure it is derived from,
    the latest reviewer's public name, links to and from other public claims, developments."""
    public_claims = Claim.objects.published().select_related("article")
    return (
        claim_list_published()
        .select_related("claimant_actor", "checked_by__author")
        .prefetch_related(
            "developments__participants",
            Prefetch("derived_figures", queryset=public_claims.order_by("article__published_at", "position")),
            Prefetch(
                "links_in", queryset=ClaimLink.objects.published().select_related("from_claim__article")
            ),
        )
    )


# Discovery: the claims and topics indexes, and what the article list and claims index can be filtered
# by. Only public things are offered: a draft's topic or actor does not announce it.

ARTICLE_TEXT_FIELDS = ("body", "body_html", "body_text", "search_document")  # a list never shows them


def topics_published_with_counts() -> QuerySet[Topic]:
    """Public topics by name, each with its number of public articles (`article_count`), in one query."""
    count = Count("articles", filter=published_q("articles__"))
    return Topic.objects.published().annotate(article_count=count).order_by("name")


def topics_published() -> QuerySet[Topic]:
    return Topic.objects.published().order_by("name")


def authors_published() -> QuerySet[Author]:
    return Author.objects.published().order_by("name")


def actors_in_published_articles() -> QuerySet[Actor]:
    """Actors that public articles mention, by name."""
    mentioned = Article.actors.through.objects.filter(published_q("article__"), actor=OuterRef("pk"))
    return Actor.objects.filter(Exists(mentioned)).order_by("name")


def actors_in_published_claims() -> QuerySet[Actor]:
    """Actors that public claims concern, by name."""
    concerned = Claim.actors.through.objects.filter(published_q("claim__article__"), actor=OuterRef("pk"))
    return Actor.objects.filter(Exists(concerned)).order_by("name")


def article_years_published() -> list[int]:
    """The years from the first public article to the latest, latest first (in the site's time zone).

    Two index lookups whatever the size of the archive, where listing the distinct years would read
    every published row on each request of the article list."""
    span = Article.objects.published().aggregate(first=Min("published_at"), last=Max("published_at"))
    if span["first"] is None:
        return []
    first, last = (timezone.localtime(span[end]).year for end in ("first", "last"))
    return list(range(last, first - 1, -1))


def claim_cards_published() -> QuerySet[Claim]:
    """Public claims, newest first, with what a claim in a list shows: its article and its evidence.

    Newest is by the article's publish time (`published_at`, for keyset paging), then the latest
    recorded first.
    """
    evidence = ClaimEvidence.objects.select_related("source")
    return (
        Claim.objects.published()
        .select_related("article")
        .defer("search_document", *(f"article__{field}" for field in ARTICLE_TEXT_FIELDS))
        .annotate(published_at=F("article__published_at"))
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("-published_at", "-id")
    )


# Related articles: what an article page suggests reading next.

RELATED_ARTICLES = 4


def related_articles_published(*, article: Article) -> QuerySet[Article]:
    """Up to four other public articles sharing topics or actors with `article`: the most shared
    first, then the newest, with their bylines. Two queries, whatever the size of the archive."""
    topics = Article.topics.through.objects.filter(article=article).values("topic")
    actors = Article.actors.through.objects.filter(article=article).values("actor")

    def shared(through, field: str, theirs: QuerySet) -> Coalesce:
        rows = through.objects.filter(article=OuterRef("pk"), **{f"{field}__in": theirs})
        return Coalesce(Subquery(rows.values("article").annotate(n=Count("*")).values("n")), 0)

    return (
        Article.objects.published()
        .defer(*ARTICLE_TEXT_FIELDS)
        .prefetch_related(_bylines())
        .exclude(pk=article.pk)
        .annotate(
            overlap=shared(Article.topics.through, "topic", topics)
            + shared(Article.actors.through, "actor", actors)
        )
        .filter(overlap__gt=0)
        .order_by("-overlap", "-published_at", "-id")[:RELATED_ARTICLES]
    )


# The JSON API's lists, and what became public since a time with nobody saving it: a scheduled
# article at its time, and with it its claims, the sources it cites, its authors and topics.


def article_cards_for_api() -> QuerySet[Article]:
    """Public articles, newest first, without their text; `with_bylines_and_topics` completes a page."""
    return Article.objects.published().defer(*ARTICLE_TEXT_FIELDS).order_by("-published_at", "-id")


def article_detail_for_api() -> QuerySet[Article]:
    """Public articles whole; `with_bylines_and_topics` completes one."""
    return _with_notes_and_claims(
        Article.objects.published().defer("search_document"), claims_with_evidence()
    )


def claim_cards_for_api() -> QuerySet[Claim]:
    """Public claims, newest article first, with their claimant, evidence and article."""
    return claim_cards_published().select_related("claimant_actor")


def sources_of_article(*, article: Article) -> Q:
    """Sources `article`'s notes cite or its claims give as evidence, each once, however many name it."""
    cited = Citation.objects.filter(article=article).values("source")
    return Q(pk__in=cited) | Q(pk__in=ClaimEvidence.objects.filter(claim__article=article).values("source"))


def articles_public_since(moment: datetime.datetime) -> QuerySet[Article]:
    return Article.objects.filter(published_at__gte=moment)


def claims_public_since(moment: datetime.datetime) -> QuerySet[Claim]:
    return Claim.objects.filter(article__published_at__gte=moment)


def _linked_to_articles_public_since(
    model, links: QuerySet, field: str, moment: datetime.datetime
) -> QuerySet:
    # Through the articles' publish-time index, never a scan of every linked row.
    recent = links.filter(published_q("article__"), article__published_at__gte=moment)
    return model.objects.filter(pk__in=recent.values(field))


def sources_public_since(moment: datetime.datetime) -> QuerySet[Source]:
    return _linked_to_articles_public_since(Source, Citation.objects, "source", moment)


def authors_public_since(moment: datetime.datetime) -> QuerySet[Author]:
    return _linked_to_articles_public_since(Author, ArticleAuthor.objects, "author", moment)


def topics_public_since(moment: datetime.datetime) -> QuerySet[Topic]:
    return _linked_to_articles_public_since(Topic, Article.topics.through.objects, "topic", moment)


def with_bylines_and_topics(*, articles: list[Article]) -> list[Article]:
    """`articles`, each with the names and slugs of its authors in byline order (`byline_rows`) and of
    its topics by name (`topic_rows`): two queries for a page of any length, and no rows made models."""
    bylines, topics = defaultdict(list), defaultdict(list)
    ids = [article.pk for article in articles]
    for found, rows in [
        (
            bylines,
            ArticleAuthor.objects.filter(article__in=ids).values(
                "article", name=F("author__name"), slug=F("author__slug")
            ),
        ),
        (
            topics,
            Article.topics.through.objects.filter(article__in=ids)
            .order_by("topic__name")
            .values("article", name=F("topic__name"), slug=F("topic__slug")),
        ),
    ]:
        for row in rows:
            found[row.pop("article")].append(row)
    for article in articles:
        article.byline_rows, article.topic_rows = bylines[article.pk], topics[article.pk]
    return articles
