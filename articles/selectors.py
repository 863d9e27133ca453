"""Reads for the public surfaces: pages, feeds and the API ask these, never the models directly."""

from django.db.models import Prefetch, QuerySet

from relations.models import Actor

from .models import Article, ArticleAuthor, Citation, Claim, ClaimEvidence, ClaimLink


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


def _with_list_content(articles: QuerySet[Article]) -> QuerySet[Article]:
    bylines = Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
    return (
        articles.prefetch_related(bylines, "topics").defer("search_document").order_by("-published_at", "-id")
    )


def _with_page_content(articles: QuerySet[Article]) -> QuerySet[Article]:
    return _with_list_content(articles).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source")),
        Prefetch("claims", queryset=claims_with_evidence()),
        Prefetch("actors", queryset=Actor.objects.order_by("name")),
        "corrections",
    )


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
