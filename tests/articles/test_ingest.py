"""Reading papers: the seed article as it came out of a PDF, and texts written here in its shape."""

import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from articles.ingest import IngestError, read_file, read_text
from articles.rendering import render_body

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "central-asia-one-year-after.md"

# Written for these tests in the seed's shape, with other damage: two authors, a heading, a list, a
# quote, an address cited twice (once with tracking parameters), an address without https://, a link
# split at a page break and a paragraph split before a word in lower case.
SHAPED = """Analytical Article
14 June 2024

Water Between the Rivers

Aida Nurlanova and Timur Sadykov

Upstream dams decide how much water reaches the cotton fields, and [the basin
commission](#) has met twice this year.

## Who decides

The agreement was signed in [Almaty](https://www.example.org/almaty-1992?utm_source=mail) and
later [confirmed](https://example.org/almaty-1992/) by each of the five states. Farmers in the

lower basin received about 40 per cent less water than in 2023, according to
[the ministry](www.water.example.gov/report.pdf).

- Kazakhstan asked for a [joint](#)

- [survey](#) of the reservoirs.

> Nothing is decided without [Tashkent](#).

| year | share |
|------|-------|
| 2023 | 60%   |

Aida Nurlanova is a fellow at the Footnote Institute. Timur Sadykov writes on water and energy.
"""


@pytest.fixture(scope="module")
def seed():
    return read_file(SEED.read_bytes(), name=SEED.name)


def _blocks(markdown: str) -> list[str]:
    return [
        token.type for token in MarkdownIt("commonmark").enable("table").parse(markdown) if token.level == 0
    ]


def test_the_seed_header_becomes_kind_date_title_and_byline(seed):
    assert seed.title == "Central Asia One Year After Russia's Full-Scale Invasion of Ukraine"
    assert seed.kind == "feature"
    assert seed.published_on == datetime.date(2023, 3, 7)
    assert seed.authors == ["Johan Engvall"]


def test_the_seed_biography_leaves_the_body(seed):
    assert seed.bios["Johan Engvall"].startswith("Johan Engvall, PhD, is an analyst at the Stockholm Centre")
    assert "Stockholm Centre" not in seed.body
    assert "Feature Article" not in seed.body


def test_the_seed_body_has_sixteen_paragraphs_two_breaks_and_nineteen_notes(seed):
    blocks = _blocks(seed.body)
    assert blocks.count("paragraph_open") == 16
    assert blocks.count("hr") == 2
    links = render_body(seed.body).links
    assert len(links) == 19
    assert links[5].anchor_text == "Neither Kyrgyzstan nor Uzbekistan"
    assert links[6].anchor_text == "economic benefits"


def test_the_seed_repairs_are_listed_each_with_its_line(seed):
    joins = [repair for repair in seed.repairs if repair.key.startswith("join-")]
    assert len(joins) == 7
    assert [repair.key for repair in seed.repairs if repair.key.startswith("link-")] == ["link-24"]
    assert any(repair.key == "unescape-dollar" for repair in seed.repairs)
    assert all(repair.made for repair in seed.repairs)
    assert joins[0].line == 18
    assert joins[0].description.endswith("“…proposal. Instead, in the” + “beginning of 2023 Kazakhstan…”.")
    assert "exceeding $70 billion" in seed.body and "\\$" not in seed.body


def test_a_repair_can_be_undone(seed):
    undone = read_file(SEED.read_bytes(), name=SEED.name, undo=frozenset({"link-24"}))
    links = render_body(undone.body).links
    assert len(links) == 20
    assert [link.anchor_text for link in links[5:7]] == ["Neither Kyrgyzstan nor", "Uzbekistan"]
    assert [repair.made for repair in undone.repairs if repair.key == "link-24"] == [False]


def test_a_text_in_the_seed_shape_with_other_damage():
    document = read_text(SHAPED, name="water.md")
    assert document.kind == "analysis"
    assert document.published_on == datetime.date(2024, 6, 14)
    assert document.authors == ["Aida Nurlanova", "Timur Sadykov"]
    assert document.bios == {
        "Aida Nurlanova": "Aida Nurlanova is a fellow at the Footnote Institute.",
        "Timur Sadykov": "Timur Sadykov writes on water and energy.",
    }
    links = render_body(document.body).links
    assert [link.anchor_text for link in links] == [
        "the basin commission",
        "Almaty",
        "confirmed",
        "the ministry",
        "joint",
        "survey",
        "Tashkent",
    ]
    assert links[3].target == "https://www.water.example.gov/report.pdf"
    assert "Farmers in the lower basin" in document.body
    blocks = _blocks(document.body)
    assert blocks.count("heading_open") == 1
    assert blocks.count("bullet_list_open") == 1  # the list is left alone, even split
    assert blocks.count("blockquote_open") == 1
    assert blocks.count("table_open") == 1
    assert [repair.key for repair in document.repairs] == [
        "join-16",
        "address-www.water.example.gov/report.pdf",
    ]


def test_kind_and_date_may_share_a_line_and_dates_take_the_usual_spellings():
    for header, date in [
        ("Feature Article March 7, 2023", datetime.date(2023, 3, 7)),
        ("Commentary\n7th March 2023", datetime.date(2023, 3, 7)),
        ("Brief\n2023-03-07", datetime.date(2023, 3, 7)),
        ("Policy Brief\nTuesday, 7 March 2023", datetime.date(2023, 3, 7)),
    ]:
        document = read_text(f"{header}\n\n# A title\n\nBy Aida Nurlanova\n\nSome text.", name="t.md")
        assert document.published_on == date
        assert document.title == "A title"
        assert document.authors == ["Aida Nurlanova"]


def test_three_authors_are_read_from_a_byline():
    document = read_text("May 1, 2024\n\nTitle\n\nA One, B Two and C Three\n\nText.", name="t.md")
    assert document.authors == ["A One", "B Two", "C Three"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"%PDF-1.7 binary", "PDF files cannot be imported"),
        (b"\x00\x01\x02binary", "not a text file"),
        ("Título\n\nMarch 7, 2023".encode("latin-1"), "not in UTF-8"),
        (b"March 7, 2023\n\n", "no title"),
        (b"Feature Article\n\nA title with no date\n\nBody text.", "no publication date"),
        (b"PK\x03\x04 not really a zip", "not a Word document|zip|docx"),
    ],
)
def test_bad_files_get_a_clear_error_naming_the_file(data, message):
    with pytest.raises(IngestError, match=message) as caught:
        read_file(data, name="paper.md")
    assert str(caught.value).startswith("paper.md")


def test_a_missing_date_is_reported_at_the_line_where_the_header_ended():
    with pytest.raises(IngestError) as caught:
        read_text("Feature Article\n\nA title\n\nBy Aida Nurlanova\n\nBody text here.", name="p.md")
    assert caught.value.line == 5
    assert str(caught.value).startswith("p.md, line 5:")
