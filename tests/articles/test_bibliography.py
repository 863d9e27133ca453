"""Sources as reference managers read them: CSL-JSON parsed back and rendered by citeproc-py, BibTeX
parsed back by pybtex, and the public downloads of both."""

import datetime
import itertools
import json
import re

import pytest
from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.urls import reverse
from django.utils.http import parse_header_parameters
from hypothesis import given
from hypothesis import strategies as st
from pybtex.database import parse_string

from articles.bibliography import (
    ADDRESS_LOST,
    article_bibliography_published,
    bibliography_of_article,
    bibtex,
    csl_item,
    csl_json,
)
from articles.models import Article, Source
from tests.factories import ArticleFactory, ClaimEvidenceFactory, ClaimFactory, SourceFactory
from tests.helpers import UNPUBLISHED_STATES, count_queries

db = pytest.mark.django_db
_unique = itertools.count()

# Every item type of the CSL 1.0.2 schema (schemas/styles/csl-types.rnc).
CSL_SCHEMA_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast",
    "chapter", "classic", "collection", "dataset", "document", "entry", "entry-dictionary",
    "entry-encyclopedia", "event", "figure", "graphic", "hearing", "interview", "legal_case",
    "legislation", "manuscript", "map", "motion_picture", "musical_score", "pamphlet", "paper-conference",
    "patent", "performance", "periodical", "personal_communication", "post", "post-weblog", "regulation",
    "report", "review", "review-book", "software", "song", "speech", "standard", "thesis", "treaty",
    "webpage",
}  # fmt: skip

# What LaTeX prints for each escape, and braces that only group: how a reader of the file decodes it.
_LATEX_PRINTS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciicircum": "^",
    "textasciitilde": "~",
}
_LATEX_ESCAPE = re.compile(r"\\([a-z]+)\{\}|\\([%#&_$])|[{}]")

HOSTILE = [
    "Braces {open and } close, a lone { and a lone }",
    r"Back\slash \\ and \emph{commands} \end{document}",
    "100% of #1 & co_op cost $5 ^ ~ tilde",
    '"}, title = {pwned}, note = {x", @misc{injected,',
    "Қазақстан Республикасы Сыртқы істер министрлігі: «Мәлімдеме»",
    "中华人民共和国外交部 and وزارة الخارجية",
    "Line\nbreaks\tand\r\ncontrol\x00characters",
]


def latex_to_text(value: str) -> str:
    def prints(match):
        if match.group(1):
            return _LATEX_PRINTS[match.group(1)]
        return match.group(2) or ""

    return _LATEX_ESCAPE.sub(prints, value)


def one_line(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


def a_source(**fields) -> Source:
    """An unsaved source with every bibliographic field filled."""
    values = {
        "pk": 7,
        "key": "kz-mfa-2023",
        "url": "https://example.org/statement",
        "title": "Statement on the Caspian summit",
        "container_title": "Ministry website",
        "publisher": "Ministry of Foreign Affairs of Kazakhstan",
        "author": "Nurlanova, Aida; Ministry of Foreign Affairs of Kazakhstan",
        "published_on": datetime.date(2023, 5, 2),
        "accessed_on": datetime.date(2024, 1, 3),
        "kind": Source.Kind.OFFICIAL,
        "language": "kk",
        "doi": "10.1000/xyz123",
    }
    return Source(**(values | fields))


def bib_entries(text: str) -> dict:
    return dict(parse_string(text, "bibtex").entries)


def one_entry(source: Source):
    [(key, entry)] = bib_entries(bibtex([source])).items()
    return key, entry


# CSL-JSON


def test_every_kind_maps_to_a_type_of_the_csl_schema():
    types = {kind: csl_item(a_source(kind=kind))["type"] for kind in Source.Kind}

    assert set(types.values()) <= CSL_SCHEMA_TYPES
    assert types[Source.Kind.NEWS] == "article-newspaper"
    assert types[Source.Kind.ACADEMIC] == "article-journal"
    assert types[Source.Kind.LEGISLATION] == "legislation"


def test_csl_item_carries_the_bibliographic_record():
    [item] = json.loads(csl_json([a_source()]))

    assert item == {
        "id": "kz-mfa-2023",
        "type": "document",
        "title": "Statement on the Caspian summit",
        "container-title": "Ministry website",
        "publisher": "Ministry of Foreign Affairs of Kazakhstan",
        "author": [
            {"family": "Nurlanova", "given": "Aida"},
            {"literal": "Ministry of Foreign Affairs of Kazakhstan"},
        ],
        "issued": {"date-parts": [[2023, 5, 2]]},
        "accessed": {"date-parts": [[2024, 1, 3]]},
        "URL": "https://example.org/statement",
        "DOI": "10.1000/xyz123",
        "language": "kk",
    }


def test_a_source_without_an_address_says_it_was_lost_and_has_no_url():
    item = csl_item(a_source(url="", placeholder=True, doi="", published_on=None, accessed_on=None))

    assert item["note"] == ADDRESS_LOST
    assert not {"URL", "DOI", "issued", "accessed"} & item.keys()


def test_citeproc_reads_the_csl_json_and_renders_a_bibliography_in_a_bundled_style():
    sources = [
        a_source(),
        a_source(pk=8, key="un-report", kind=Source.Kind.REPORT, title="Migration in Central Asia"),
        a_source(pk=9, key="lost-one", kind=Source.Kind.NEWS, url="", placeholder=True, title="Lost news"),
    ]
    data = CiteProcJSON(json.loads(csl_json(sources)))
    # The one style citeproc-py 0.11 ships (there is no "harvard1" any more), checked against its schema.
    style = CitationStylesStyle("harvard-cite-them-right")
    rendered = CitationStylesBibliography(style, data, formatter.plain)
    for source in sources:
        rendered.register(CiteprocCitation([CitationItem(source.key)]))

    lines = [str(line) for line in rendered.bibliography()]

    assert data["kz-mfa-2023"]["author"][0].family == "Nurlanova"
    assert len(lines) == 3
    statement = next(line for line in lines if "Caspian summit" in line)
    assert statement.startswith("Nurlanova, A. and Ministry of Foreign Affairs of Kazakhstan (2023)")
    assert "Available at: https://doi.org/10.1000/xyz123" in statement


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips_through_csl_json(text):
    [item] = json.loads(csl_json([a_source(title=text, container_title=text)]))

    assert item["title"] == item["container-title"] == text


# BibTeX


def test_bibtex_entry_types_and_fields_follow_the_kind():
    entries = bib_entries(
        bibtex(
            [
                a_source(
                    pk=1, key="paper", kind=Source.Kind.ACADEMIC, container_title="Central Asian Survey"
                ),
                a_source(pk=2, key="news", kind=Source.Kind.NEWS, container_title="The Diplomat"),
                a_source(pk=3, key="report", kind=Source.Kind.REPORT, container_title="Asia Reports"),
                a_source(pk=4, key="page", kind=Source.Kind.WEB_PAGE),
            ]
        )
    )

    assert {key: entry.type for key, entry in entries.items()} == {
        "paper": "article",
        "news": "article",
        "report": "techreport",
        "page": "misc",
    }
    assert entries["paper"].fields["journal"] == "Central Asian Survey"
    assert entries["news"].fields["journal"] == "The Diplomat"
    assert entries["report"].fields["institution"] == "Ministry of Foreign Affairs of Kazakhstan"
    page = entries["page"].fields
    assert page["howpublished"] == "Ministry website"
    assert page["url"] == "https://example.org/statement"
    assert (page["doi"], page["urldate"], page["year"], page["month"]) == (
        "10.1000/xyz123",
        "2024-01-03",
        "2023",
        "5",
    )
    assert latex_to_text(page["title"]) == "Statement on the Caspian summit"


def test_bibtex_persons_are_split_and_institutions_kept_whole():
    source = a_source(
        author="Nurlanova, Aida; de la Cruz, Juan Pablo; Tom and Jerry, Ann; Ministry of Trade, "
    )
    _, entry = one_entry(source)

    persons = entry.persons["author"]
    assert [(p.bibtex_first_names, p.prelast_names, p.last_names) for p in persons] == [
        (["Aida"], [], ["Nurlanova"]),
        (["Juan", "Pablo"], ["de", "la"], ["Cruz"]),
        (["Ann"], [], ["{Tom and Jerry}"]),
        ([], [], ["{Ministry of Trade}"]),
    ]


def test_a_source_without_an_address_gets_a_note_in_bibtex():
    key, entry = one_entry(a_source(url="", placeholder=True))

    assert key == "kz-mfa-2023"
    assert entry.fields["note"] == ADDRESS_LOST
    assert "url" not in entry.fields


def test_a_key_bibtex_cannot_hold_is_cleaned_and_made_unique():
    key, _ = one_entry(a_source(pk=42, key="key, with {braces}"))

    assert key == "key--with--braces-42"


def test_addresses_are_percent_encoded_where_bibtex_would_read_them_as_markup():
    _, entry = one_entry(a_source(url='https://example.org/a b/{c}\\"d"', doi="10.1000/x{y}"))

    assert entry.fields["url"] == "https://example.org/a%20b/%7Bc%7D%5C%22d%22"
    assert entry.fields["doi"] == "10.1000/x%7By%7D"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips_through_bibtex(text):
    name = re.sub("[,;]", "", text)  # the separators of the authors field itself
    source = a_source(title=text, container_title=text, author=f"{name}, {name}; {name}")

    entries = bib_entries(bibtex([source, a_source(pk=8, key="next")]))

    assert list(entries) == ["kz-mfa-2023", "next"]
    fields, persons = entries["kz-mfa-2023"].fields, entries["kz-mfa-2023"].persons["author"]
    assert set(fields) == {
        "howpublished",
        "publisher",
        "title",
        "year",
        "month",
        "date",
        "urldate",
        "url",
        "doi",
        "language",
    }
    assert latex_to_text(fields["title"]) == latex_to_text(fields["howpublished"]) == one_line(text)
    family, given, institution = (
        " ".join(persons[0].prelast_names + persons[0].last_names),
        " ".join(persons[0].first_names + persons[0].middle_names),
        " ".join(persons[1].last_names),
    )
    assert latex_to_text(family) == latex_to_text(given) == latex_to_text(institution) == one_line(name)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1))
def test_any_title_parses_back_as_written(title):
    [entry] = bib_entries(bibtex([a_source(title=title)])).values()

    assert latex_to_text(entry.fields["title"]) == " ".join(title.split())


# Selectors


def cite(*sources: Source) -> str:
    return " ".join(f"[note](source:{source.key})" for source in sources)


@db
def test_the_bibliography_lists_notes_in_order_then_evidence_by_title_each_once(django_assert_num_queries):
    second, first = SourceFactory(title="B second"), SourceFactory(title="A first")
    zeta, alpha = SourceFactory(title="Zeta evidence"), SourceFactory(title="Alpha evidence")
    article = ArticleFactory(body=cite(second, first, second))
    claim = ClaimFactory(article=article)
    for source in (first, zeta, alpha):
        ClaimEvidenceFactory(claim=claim, source=source)
    ClaimEvidenceFactory(source=SourceFactory(title="Another article's"))

    with django_assert_num_queries(1):
        sources = bibliography_of_article(article=article)

    assert sources == [second, first, alpha, zeta]


@db
@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_only_a_public_article_has_a_public_bibliography(state):
    article = ArticleFactory(body=cite(SourceFactory()), **state())

    with pytest.raises(Article.DoesNotExist):
        article_bibliography_published(slug=article.slug)


# Views


def article_with(notes: int) -> Article:
    """A public article with `notes` notes, each to its own source, and a claim with evidence for each."""
    prefix = next(_unique)
    article = ArticleFactory(body=" ".join(f"[{i}](https://example.org/{prefix}/{i})" for i in range(notes)))
    for position in range(notes):
        ClaimEvidenceFactory(claim=ClaimFactory(article=article, position=position))
    return article


def download(client, url: str, content_type: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition, params = parse_header_parameters(response["Content-Disposition"])
    return response.content.decode(), disposition, params["filename"]


@db
def test_a_public_source_downloads_as_csl_json_and_bibtex(client):
    source = SourceFactory(key="china-customs-2022", author="Customs of China")
    ArticleFactory(body=cite(source))

    body, disposition, filename = download(
        client,
        reverse("articles:source-cite-json", args=[source.pk]),
        "application/vnd.citationstyles.csl+json",
    )
    assert (disposition, filename) == ("attachment", "china-customs-2022.json")
    [item] = json.loads(body)
    assert (item["id"], item["type"], item["author"]) == (
        "china-customs-2022",
        "report",
        [{"literal": "Customs of China"}],
    )

    body, disposition, filename = download(
        client, reverse("articles:source-cite-bib", args=[source.pk]), "application/x-bibtex; charset=utf-8"
    )
    assert (disposition, filename) == ("attachment", "china-customs-2022.bib")
    assert list(bib_entries(body)) == ["china-customs-2022"]


@db
def test_a_public_articles_bibliography_downloads_in_note_order(client):
    first, second = SourceFactory(title="Z first cited"), SourceFactory(title="A second cited")
    evidence = SourceFactory(title="Evidence only")
    article = ArticleFactory(slug="trade-with-china", body=cite(first, second))
    ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=evidence)
    keys = [first.key, second.key, evidence.key]

    body, _, filename = download(
        client,
        reverse("articles:article-bibliography-json", args=[article.slug]),
        "application/vnd.citationstyles.csl+json",
    )
    assert filename == "trade-with-china-bibliography.json"
    assert [item["id"] for item in json.loads(body)] == keys

    body, _, filename = download(
        client,
        reverse("articles:article-bibliography-bib", args=[article.slug]),
        "application/x-bibtex; charset=utf-8",
    )
    assert filename == "trade-with-china-bibliography.bib"
    assert list(bib_entries(body)) == keys


@db
@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_anonymous_user_cannot_download_what_only_an_unpublished_article_cites(client, state):
    source = SourceFactory()
    article = ArticleFactory(body=cite(source), **state())
    ClaimEvidenceFactory(claim=ClaimFactory(article=article), source=SourceFactory())

    urls = [
        reverse("articles:article-bibliography-json", args=[article.slug]),
        reverse("articles:article-bibliography-bib", args=[article.slug]),
    ] + [
        reverse(name, args=[pk])
        for pk in Source.objects.values_list("pk", flat=True)
        for name in ("articles:source-cite-json", "articles:source-cite-bib")
    ]
    assert [client.get(url).status_code for url in urls] == [404] * 6


@db
def test_a_source_nothing_public_cites_and_a_missing_article_are_not_found(client):
    source = SourceFactory()

    assert client.get(reverse("articles:source-cite-json", args=[source.pk])).status_code == 404
    assert (
        client.get(reverse("articles:article-bibliography-bib", args=["no-such-article"])).status_code == 404
    )


@db
def test_downloads_take_only_safe_methods(client):
    article = ArticleFactory(body=cite(SourceFactory()))

    response = client.post(reverse("articles:article-bibliography-json", args=[article.slug]))

    assert response.status_code == 405


@db
@pytest.mark.parametrize("name", ["articles:article-bibliography-json", "articles:article-bibliography-bib"])
def test_a_bibliography_takes_as_many_queries_for_thirty_notes_as_for_one(client, name):
    one, thirty = article_with(1), article_with(30)

    def queries(article):
        return count_queries(client, reverse(name, args=[article.slug]))

    assert queries(one) == queries(thirty) == 2
