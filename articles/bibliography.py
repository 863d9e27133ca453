"""Sources as the bibliographic records reference managers read: CSL-JSON (Zotero, Mendeley, pandoc,
citeproc) and BibTeX (JabRef, LaTeX), and the selectors that choose what the public may export.

Every value is data, never markup: BibTeX values are escaped here as LaTeX text, so a title with
braces, backslashes or `%` stays one field of one entry.
"""

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import Exists, F, OuterRef, Subquery
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from .models import Article, Citation, ClaimEvidence, Source

Kind = Source.Kind

CSL_TYPES = {
    Kind.NEWS: "article-newspaper",
    Kind.REPORT: "report",
    # A ministry's statement or press release is no report (no series, no number) and CSL has no
    # statement type; "document", CSL 1.0.2's type for what fits no other, is what Zotero's
    # "Document" maps to, and styles print it with its publisher and date.
    Kind.OFFICIAL: "document",
    # A treaty is "treaty" in CSL, but the kind covers laws and treaties alike.
    Kind.LEGISLATION: "legislation",
    Kind.DATASET: "dataset",
    Kind.WEB_PAGE: "webpage",
    Kind.SOCIAL_POST: "post",
    Kind.SPEECH: "speech",
    Kind.INTERVIEW: "interview",
    Kind.ACADEMIC: "article-journal",
    Kind.OTHER: "document",
}

ADDRESS_LOST = "Address lost"


@dataclass(frozen=True)
class Name:
    """One of a source's authors: a person (family and given) or an institution (literal)."""

    family: str = ""
    given: str = ""
    literal: str = ""


def names(authors: str) -> list[Name]:
    """The authors field as names: "Family, Given" is a person, anything without a comma an institution."""
    found = []
    for part in authors.split(";"):
        family, comma, given = (one_line(piece) for piece in part.partition(","))
        if comma and family and given:
            found.append(Name(family=family, given=given))
        elif text := one_line(part).strip(", "):
            found.append(Name(literal=text))
    return found


def one_line(text: str) -> str:
    """`text` with control characters dropped and every run of white space, line breaks too, one space."""
    kept = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(kept.split())


# CSL-JSON


def date_parts(day) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_name(name: Name) -> dict:
    return {"literal": name.literal} if name.literal else {"family": name.family, "given": name.given}


def csl_item(source: Source) -> dict:
    """The source as one CSL-JSON item; empty fields are left out."""
    item = {"id": source.key, "type": CSL_TYPES.get(source.kind, "document"), "title": source.title}
    optional = {
        "container-title": source.container_title,
        "publisher": source.publisher,
        "URL": source.url,
        "DOI": source.doi,
        "language": source.language,
        "note": "" if source.url else ADDRESS_LOST,
    }
    item.update({name: value for name, value in optional.items() if value})
    if authors := names(source.author):
        item["author"] = [csl_name(name) for name in authors]
    if source.published_on:
        item["issued"] = date_parts(source.published_on)
    if source.accessed_on:
        item["accessed"] = date_parts(source.accessed_on)
    return item


def csl_json(sources: Iterable[Source]) -> str:
    return json.dumps([csl_item(source) for source in sources], ensure_ascii=False, indent=2)


# BibTeX

# LaTeX's own names for the characters it gives a meaning. Braces are spelled out rather than
# written \{ because BibTeX counts every brace, escaped or not, and a lone one ends the field.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "_": r"\_",
    "$": r"\$",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))
# A person's part holding BibTeX's own separators is braced, so it is read back as one part.
_NAME_SEPARATOR = re.compile(r",|\band\b", re.IGNORECASE)
# Characters a BibTeX key cannot hold, and what `url` and `doi` fields, read verbatim, cannot.
_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9_\-:./+]")
_NOT_VERBATIM = re.compile(r'[^\x21-\x7e]|[{}\\"]')


def latex_text(text: str) -> str:
    """`text` as LaTeX that prints it as written; letters of every script are kept as they are."""
    return _LATEX_SPECIAL.sub(lambda match: _LATEX_SPECIALS[match.group()], one_line(text))


def verbatim(address: str) -> str:
    """An address or DOI for a field read verbatim: braces, quotes, spaces and non-ASCII %-encoded."""
    return _NOT_VERBATIM.sub(lambda match: quote(match.group(), safe=""), address.strip())


def bibtex_key(source: Source) -> str:
    """The citation key, or, when it holds what BibTeX cannot, a cleaned one made unique by the id."""
    if source.key and not _NOT_IN_KEY.search(source.key):
        return source.key
    return f"{_NOT_IN_KEY.sub('-', source.key).strip('-') or 'source'}-{source.pk}"


def _name_part(text: str) -> str:
    escaped = latex_text(text)
    return f"{{{escaped}}}" if _NAME_SEPARATOR.search(escaped) else escaped


def bibtex_person(name: Name) -> Person:
    if name.literal:  # braced, so BibTeX neither splits an institution nor abbreviates it
        return Person(last=f"{{{latex_text(name.literal)}}}")
    return Person(first=_name_part(name.given), last=_name_part(name.family))


def _bibtex_type_and_fields(source: Source) -> tuple[str, dict[str, str]]:
    container, publisher = latex_text(source.container_title), latex_text(source.publisher)
    if source.kind in {Kind.ACADEMIC, Kind.NEWS}:
        return "article", {"journal": container, "publisher": publisher}
    if source.kind == Kind.REPORT:
        return "techreport", {"institution": publisher or container, "series": container if publisher else ""}
    return "misc", {"howpublished": container or publisher, "publisher": publisher if container else ""}


def bibtex_entry(source: Source) -> Entry:
    entry_type, fields = _bibtex_type_and_fields(source)
    # The title braced whole: styles that lower-case titles would otherwise lose "NATO" and "Kazakhstan".
    fields["title"] = f"{{{latex_text(source.title)}}}"
    if day := source.published_on:
        fields.update(year=str(day.year), month=str(day.month), date=day.isoformat())
    if source.accessed_on:
        fields["urldate"] = source.accessed_on.isoformat()
    fields.update(
        url=verbatim(source.url),
        doi=verbatim(source.doi),
        language=latex_text(source.language),
        note="" if source.url else ADDRESS_LOST,
    )
    persons = {"author": [bibtex_person(name) for name in names(source.author)]}
    return Entry(entry_type, fields={k: v for k, v in fields.items() if v}, persons=persons)


class _LatexWriter(Writer):
    """pybtex's BibTeX writer for values that are LaTeX already (see `latex_text`): its own encoding
    passes backslashes and braces through, which is what lets hostile text break out of a field."""

    def _encode(self, text):
        return text


def write_bibtex(entries: Iterable[tuple[str, Entry]]) -> str:
    """Entries (key, entry) whose values are LaTeX already, as a BibTeX file."""
    data = BibliographyData()
    for key, entry in entries:
        data.add_entry(key, entry)
    return _LatexWriter(encoding="utf-8").to_string(data)


def bibtex(sources: Iterable[Source]) -> str:
    return write_bibtex((bibtex_key(source), bibtex_entry(source)) for source in sources)


# What to export


def bibliography_of_article(*, article: Article) -> list[Source]:
    """The sources an article cites in its notes or gives as evidence for its claims, each once: in the
    order of their first note, then those cited only as evidence, by title. One query."""
    cited = Citation.objects.filter(article=article, source=OuterRef("pk"))
    evidence = ClaimEvidence.objects.filter(claim__article=article, source=OuterRef("pk"))
    return list(
        Source.objects.filter(Exists(cited) | Exists(evidence))
        .annotate(first_note=Subquery(cited.order_by("number").values("number")[:1]))
        .order_by(F("first_note").asc(nulls_last=True), "title", "pk")
    )


def article_bibliography_published(*, slug: str) -> tuple[Article, list[Source]]:
    """A public article and its bibliography; `Article.DoesNotExist` for any other.

    Everything a public article cites is public itself (`Source.objects.published()`).
    """
    article = Article.objects.published().only("pk", "slug").get(slug=slug)
    return article, bibliography_of_article(article=article)


def source_published(*, pk: int) -> Source:
    """A source the public may see; `Source.DoesNotExist` for any other."""
    return Source.objects.published().get(pk=pk)
