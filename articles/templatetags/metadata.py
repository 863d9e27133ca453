"""The page head's metadata and the "cite this" box, from the objects a page already shows."""

from dataclasses import dataclass

from django import template
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from articles import citing, metadata
from articles.models import Claim

register = template.Library()


def _absolute(context):
    return context["request"].build_absolute_uri


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """`path` as the full address, on the host and scheme the page was asked at."""
    return _absolute(context)(path)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    return metadata.json_ld_script(metadata.article_json_ld(article, _absolute(context)))


@register.simple_tag(takes_context=True)
def claim_review_json_ld(context, claim):
    _with_bylines(claim)
    return metadata.json_ld_script(metadata.claim_review_json_ld(claim, _absolute(context)))


@register.simple_tag(takes_context=True)
def scholar_tags(context, article):
    return metadata.scholar_tags(article, _absolute(context))


@dataclass(frozen=True)
class CiteBox:
    noun: str  # "article" or "claim"
    entries: list[tuple[citing.Format, str]]  # each format with the address of its file, or ""


def _with_bylines(claim: Claim) -> None:
    """The claim's article's bylines, in one query, when the page's selector did not load them."""
    prefetch_related_objects([claim.article], citing.bylines_prefetch())


@register.simple_tag(takes_context=True)
def cite_box(context, subject) -> CiteBox:
    """Every way to cite `subject`, an article or a claim, with the address of each downloadable file."""
    url = _absolute(context)(subject.get_absolute_url())
    today = timezone.localdate()
    if isinstance(subject, Claim):
        _with_bylines(subject)
        noun, citable, key = "claim", citing.claim_citable(claim=subject, url=url, accessed=today), subject.pk
    else:
        noun, citable, key = (
            "article",
            citing.article_citable(article=subject, url=url, accessed=today),
            subject.slug,
        )
    entries = [
        (found, reverse(f"articles:{noun}-cite-{found.download}", args=[key]) if found.download else "")
        for found in citing.formats(citable)
    ]
    return CiteBox(noun=noun, entries=entries)
