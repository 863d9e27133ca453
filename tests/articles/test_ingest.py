"""Reading papers: one in the shape and with the damage of a paper exported from PDF
(tests/papers/a-year-on.md), and others written here with other damage."""

import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from articles.ingest import IngestError, read_file, read_text
from articles.rendering import render_body

PAPER = Path(__file__).resolve().parents[1] / "papers" / "a-year-on.md"

# Written for these tests in the same shape, with other damage: two authors, a heading, a list, a
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
def paper():
    return read_file(PAPER.read_bytes(), name=PAPER.name)


def _blocks(markdown: str) -> list[str]:
    return [
        token.type for token in MarkdownIt("commonmark").enable("table").parse(markdown) if token.level == 0
    ]


def test_the_seed_header_becomes_kind_date_title_and_byline(paper):
    assert paper.title == "Central Asia, One Year Into Russia's War"
    assert paper.kind == "feature"
    assert paper.published_on == datetime.date(2023, 3, 7)
    assert paper.authors == ["Mirela Aster"]


def test_the_seed_biography_leaves_the_body(paper):
    assert paper.bios["Mirela Aster"].startswith("Mirela Aster is a senior fellow in the Footnote Institute")
    assert "Eurasia Programme" not in paper.body
    assert "Feature Article" not in paper.body


def test_the_seed_body_has_sixteen_paragraphs_two_breaks_and_nineteen_notes(paper):
    blocks = _blocks(paper.body)
    assert blocks.count("paragraph_open") == 16
    assert blocks.count("hr") == 2
    links = render_body(paper.body).links
    assert len(links) == 19
    assert links[5].anchor_text == "Neither Bishkek nor Tashkent"
    assert links[6].anchor_text == "economic advantage"


def test_the_seed_repairs_are_listed_each_with_its_line(paper):
    joins = [repair for repair in paper.repairs if repair.key.startswith("join-")]
    assert len(joins) == 7
    assert [repair.key for repair in paper.repairs if repair.key.startswith("link-")] == ["link-23"]
    assert any(repair.key == "unescape-dollar" for repair in paper.repairs)
    assert all(repair.made for repair in paper.repairs)
    assert joins[0].line == 17
    assert joins[0].description.endswith("“…sanctions. Instead, at the” + “start of 2023 Kazakhstan…”.")
    assert "above $70 billion" in paper.body and "\\$" not in paper.body


def test_a_repair_can_be_undone(paper):
    undone = read_file(PAPER.read_bytes(), name=PAPER.name, undo=frozenset({"link-23"}))
    links = render_body(undone.body).links
    assert len(links) == 20
    assert [link.anchor_text for link in links[5:7]] == ["Neither Bishkek nor", "Tashkent"]
    assert [repair.made for repair in undone.repairs if repair.key == "link-23"] == [False]


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


def test_control_characters_are_not_text():
    document = read_text("May 2, 2024\n\n# A\x0bTitle\x1b here\n\nText.", name="t.md")
    assert document.title == "A Title  here"


def test_damaged_utf16_is_a_clear_error():
    with pytest.raises(IngestError, match="damaged UTF-16"):
        read_file(b"\xff\xfe" + "Title".encode("utf-16-le") + b"\x00", name="t.txt")


def test_only_dates_of_this_world_are_publication_dates():
    with pytest.raises(IngestError, match="no publication date"):
        read_text("0001-01-01\n\nTitle\n\nText.", name="t.md")


def test_a_link_to_a_script_address_is_not_made_and_the_analyst_is_told():
    document = read_text("May 2, 2024\n\nTitle\n\nSee [this](javascript:alert(1)).", name="t.md")
    assert any("javascript:" in warning for warning in document.warnings)
