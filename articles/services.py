"""Writes that keep an article, its notes and its sources consistent."""

from django.db import transaction
from django.db.models import Model
from django.utils.text import Truncator, slugify

from .links import normalise_url
from .models import Article, Citation, Source
from .rendering import Link, render_body


def _fit(model: type[Model], field: str, text: str) -> str:
    """`text` cut to what `field` holds, so long linked words never fail a save."""
    return Truncator(text).chars(model._meta.get_field(field).max_length)


def source_key_for(*, title: str, url: str = "") -> str:
    """A free citation key built from the title (or the address when there is no title)."""
    base = slugify(title)[:60].strip("-") or slugify(normalise_url(url).split("//")[-1])[:60] or "source"
    key, n = base, 2
    while Source.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def source_for_url(*, url: str, title: str) -> Source:
    """The source at `url`, created with `title` if no source has that address yet."""
    existing = Source.objects.filter(normalised_url=normalise_url(url)).first()
    if existing:
        return existing
    title = _fit(Source, "title", title or url)
    return Source.objects.create(key=source_key_for(title=title, url=url), url=url, title=title)


def _source_for_link(link: Link, citation: Citation | None) -> Source:
    if link.url:
        return source_for_url(url=link.url, title=link.anchor_text)
    if citation is not None:
        # The address was lost: keep the source an analyst chose for this note.
        return citation.source
    title = _fit(Source, "title", link.anchor_text or f"Note {link.number}")
    return Source.objects.create(key=source_key_for(title=title), title=title)


def _sync_citations(article: Article, links: list[Link]) -> None:
    existing = {citation.number: citation for citation in article.citations.select_related("source")}
    for link in links:
        citation = existing.get(link.number)
        source = _source_for_link(link, citation)
        anchor_text = _fit(Citation, "anchor_text", link.anchor_text)
        if citation is None:
            Citation.objects.create(
                article=article, number=link.number, source=source, anchor_text=anchor_text
            )
        elif (citation.source_id, citation.anchor_text) != (source.pk, anchor_text):
            citation.source, citation.anchor_text = source, anchor_text
            citation.save(update_fields=["source", "anchor_text"])
    article.citations.filter(number__gt=len(links)).delete()


@transaction.atomic
def article_render(*, article: Article) -> Article:
    """Render the body to sanitised HTML and make the numbered notes match the links in it.

    A link with an address cites the source at that address (created if new); a link whose
    address was lost keeps the source already chosen for its note, or gets a placeholder source
    named after the linked words for an analyst to complete.
    """
    rendered = render_body(article.body)
    article.body_html = rendered.html
    article.save(update_fields=["body_html"])
    _sync_citations(article, rendered.links)
    return article
