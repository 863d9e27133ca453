"""What search engines, social sites and reference managers read in a page's head: schema.org JSON-LD
for an article and a reviewed claim, and Google Scholar's `citation_*` tags.

Everything here is built from what the page already shows, from the objects the page's selector
loaded (an article's bylines, topics, notes with their sources and actors), so it adds no query.
`absolute` turns a path into the full address the page was asked at.
"""

import json
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from relations.models import Actor

from .links import web_address
from .models import Article, Claim

Absolute = Callable[[str], str]

ARTICLE_TYPES = {
    Article.Kind.FEATURE: "AnalysisNewsArticle",
    Article.Kind.ANALYSIS: "AnalysisNewsArticle",
    Article.Kind.COMMENTARY: "OpinionNewsArticle",
    Article.Kind.BRIEF: "Report",
}
ACTOR_TYPES = {
    Actor.Kind.STATE: "Country",
    Actor.Kind.ORGANISATION: "Organization",
    Actor.Kind.COMPANY: "Corporation",
    Actor.Kind.PERSON: "Person",
    Actor.Kind.REGION: "Place",
}
# A reviewed status as a rating from 1 (false) to 5 (verified); an unverified claim has no review.
RATINGS = {
    Claim.Status.VERIFIED: 5,
    Claim.Status.OUTDATED: 4,  # true when it was made
    Claim.Status.DISPUTED: 3,
    Claim.Status.FALSE: 1,
}


def organisation(absolute: Absolute) -> dict:
    return {"@type": "Organization", "name": settings.FOOTNOTE_SITE_NAME, "url": absolute("/")}


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _dropping_empty(data: dict) -> dict:
    return {name: value for name, value in data.items() if value not in ("", None, [])}


def _people(article: Article, absolute: Absolute) -> list[dict]:
    return [
        {"@type": "Person", "name": byline.author.name, "url": absolute(byline.author.get_absolute_url())}
        for byline in article.bylines.all()
    ]


def cited_sources(article: Article) -> list:
    """The sources of the article's notes, each once, in the order of their first note."""
    return list({citation.source_id: citation.source for citation in article.citations.all()}.values())


def _creative_work(source) -> dict:
    publisher = {"@type": "Organization", "name": source.publisher} if source.publisher else None
    return _dropping_empty(
        {
            "@type": "CreativeWork",
            "name": source.title,
            "url": web_address(source.url),
            "publisher": publisher,
            "datePublished": source.published_on.isoformat() if source.published_on else "",
        }
    )


def _actor(actor: Actor, absolute: Absolute) -> dict:
    return {
        "@type": ACTOR_TYPES.get(actor.kind, "Thing"),
        "name": actor.name,
        "url": absolute(actor.get_absolute_url()),
    }


def article_json_ld(article: Article, absolute: Absolute) -> dict:
    url = absolute(article.get_absolute_url())
    published = article.published_at
    return _dropping_empty(
        {
            "@context": "https://schema.org",
            "@type": ARTICLE_TYPES.get(article.kind, "Article"),
            "@id": url,
            "url": url,
            "mainEntityOfPage": url,
            "headline": article.title,
            "description": article.dek or article.summary,
            "author": _people(article, absolute),
            "datePublished": _iso(published),
            "dateModified": _iso(article.updated_for_readers_at or published),
            "publisher": organisation(absolute),
            "isAccessibleForFree": True,
            "inLanguage": settings.LANGUAGE_CODE,
            "keywords": [topic.name for topic in article.topics.all()],
            "about": [
                {"@type": "Thing", "name": topic.name, "url": absolute(topic.get_absolute_url())}
                for topic in article.topics.all()
            ],
            "mentions": [_actor(actor, absolute) for actor in article.actors.all()],
            "citation": [_creative_work(source) for source in cited_sources(article)],
        }
    )


def is_reviewed(claim: Claim) -> bool:
    return claim.checked_at is not None and claim.status in RATINGS


def claim_review_json_ld(claim: Claim, absolute: Absolute) -> dict | None:
    """The claim's latest review as a ClaimReview; None for a claim nobody has reviewed. What the
    reviewer wrote on the desk is never part of it."""
    if not is_reviewed(claim):
        return None
    article = claim.article
    article_url = absolute(article.get_absolute_url())
    if claim.claimant_actor_id:
        claimant = _actor(claim.claimant_actor, absolute)
        claimant["name"] = claim.claimant
    elif claim.claimant:
        claimant = {"@type": "Organization", "name": claim.claimant}
    else:  # the article's own assessment
        claimant = _people(article, absolute) or organisation(absolute)
    appearance = {
        "@type": "Article",
        "headline": article.title,
        "url": article_url,
        "datePublished": _iso(article.published_at),
    }
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": timezone.localdate(claim.checked_at).isoformat(),
        "author": organisation(absolute),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[claim.status],
            "bestRating": max(RATINGS.values()),
            "worstRating": min(RATINGS.values()),
            "alternateName": claim.get_status_display(),
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": claimant,
            "datePublished": _iso(article.published_at),
            "appearance": appearance,
            "firstAppearance": appearance,
        },
    }


# `</script>`, `<!--` and `&` written as JSON escapes, as Django's json_script does, so no text in the
# data can end the script element it is written into.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict | None) -> SafeString:
    if not data:
        return mark_safe("")  # noqa: S308
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


# Google Scholar (https://scholar.google.com/intl/en/scholar/inclusion.html#indexing)


def _scholar_date(moment) -> str:
    return timezone.localtime(moment).strftime("%Y/%m/%d") if moment else ""


def scholar_tags(article: Article, absolute: Absolute) -> list[tuple[str, str]]:
    """The article's `citation_*` meta tags as (name, content), in the order Scholar lists them."""
    tags = [("citation_title", article.title)]
    tags += [("citation_author", byline.author.name) for byline in article.bylines.all()]
    tags += [
        ("citation_publication_date", _scholar_date(article.published_at)),
        ("citation_online_date", _scholar_date(article.published_at)),
        ("citation_publisher", settings.FOOTNOTE_SITE_NAME),
        ("citation_fulltext_html_url", absolute(article.get_absolute_url())),
        ("citation_language", settings.LANGUAGE_CODE),
    ]
    if article.kind == Article.Kind.BRIEF:
        tags.append(("citation_technical_report_institution", settings.FOOTNOTE_SITE_NAME))
    return [(name, content) for name, content in tags if content]
