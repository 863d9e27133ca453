import io
import struct
import time
import zipfile

import pytest
from markdown_it import MarkdownIt

from articles.word_documents import UnreadableDocument, markdown_from_docx
from tests.docx_builder import Link, Note, Paragraph, Run, Table, W, build_docx

COMMONMARK = MarkdownIt("commonmark")
MB = 1024 * 1024


def convert(*paragraphs, footnotes=None) -> str:
    return markdown_from_docx(build_docx(paragraphs, footnotes=footnotes))


def blocks(markdown: str) -> list[tuple[str, str]]:
    """Each block's opening tag and the plain text of its inline content, in order."""
    found, opened = [], []
    for token in COMMONMARK.parse(markdown):
        if token.nesting == 1:
            opened.append(token.tag)
        elif token.type == "inline":
            found.append(("/".join(opened), token.content))
        elif token.nesting == -1:
            opened.pop()
    return found


def links(markdown: str) -> list[tuple[str, str, str | None]]:
    """(words, href, title) of every link."""
    found, current = [], None
    for token in COMMONMARK.parse(markdown):
        for child in token.children or []:
            if child.type == "link_open":
                current = ["", child.attrGet("href"), child.attrGet("title")]
            elif child.type == "link_close":
                found.append(tuple(current))
                current = None
            elif current is not None:
                current[0] += child.content
    return found


def plain_text(markdown: str) -> str:
    """What a reader sees, without markup; raw HTML would show up as `<html>`."""
    words = []
    for token in COMMONMARK.parse(markdown):
        for child in token.children or []:
            if child.type in {"html_inline", "html_block"}:
                words.append("<html>")
            elif child.type in {"text", "code_inline"}:
                words.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                words.append("\n")
        if token.type == "html_block":
            words.append("<html>")
        if token.type == "inline":
            words.append("\n\n")
    return "".join(words).strip()


def with_parts(docx: bytes, parts: dict[str, bytes | None]) -> bytes:
    """`docx` with parts replaced or added, or left out where given None."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        contents = {name: source.read(name) for name in source.namelist()}
    contents.update(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            if content is not None:
                archive.writestr(name, content)
    return buffer.getvalue()


# Structure


def test_title_is_the_only_level_one_heading_and_word_headings_come_one_level_down():
    markdown = convert(
        Paragraph("Why the Border Stays Closed", style="Title"),
        Paragraph("A subtitle", style="Subtitle"),
        Paragraph("Background", style="Heading1"),
        Paragraph("Trade", style="Heading2"),
        Paragraph("Fees", style="Heading3"),
        "Body.",
    )
    assert markdown.splitlines()[0] == "# Why the Border Stays Closed"
    assert blocks(markdown) == [
        ("h1", "Why the Border Stays Closed"),
        ("p", "A subtitle"),
        ("h2", "Background"),
        ("h3", "Trade"),
        ("h4", "Fees"),
        ("p", "Body."),
    ]


def test_bold_and_italic_are_asterisk_emphasis():
    markdown = convert(Paragraph("Trade ", Run("fell", bold=True), " by ", Run("half", italic=True), "."))
    assert markdown == "Trade **fell** by *half*.\n"
    inline = COMMONMARK.parse(markdown)[1].children
    assert [token.type for token in inline if token.type.endswith("_open")] == ["strong_open", "em_open"]


def test_bulleted_nested_and_numbered_lists():
    markdown = convert(
        Paragraph("Queues", style="ListParagraph", numbering="bullet"),
        Paragraph("at Oybek", style="ListParagraph", numbering="bullet", level=1),
        Paragraph("Fees", style="ListParagraph", numbering="bullet"),
        "Then:",
        Paragraph("First", style="ListParagraph", numbering="number"),
        Paragraph("Second", style="ListParagraph", numbering="number"),
    )
    assert markdown == "- Queues\n  - at Oybek\n- Fees\n\nThen:\n\n1. First\n2. Second\n"
    assert blocks(markdown) == [
        ("ul/li/p", "Queues"),
        ("ul/li/ul/li/p", "at Oybek"),
        ("ul/li/p", "Fees"),
        ("p", "Then:"),
        ("ol/li/p", "First"),
        ("ol/li/p", "Second"),
    ]


def test_quote_paragraphs_become_one_block_quote():
    markdown = convert(
        "He said:", Paragraph("Open for people,", style="Quote"), Paragraph("not trucks.", style="Quote")
    )
    assert markdown == "He said:\n\n> Open for people,\n>\n> not trucks.\n"
    assert blocks(markdown) == [
        ("p", "He said:"),
        ("blockquote/p", "Open for people,"),
        ("blockquote/p", "not trucks."),
    ]


def test_tables_become_pipe_tables():
    markdown = convert(Table([["Year", "Crossings"], ["2022", "184,000"]]))
    assert markdown == "| Year | Crossings |\n| --- | --- |\n| 2022 | 184,000 |\n"
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert [token.content for token in tokens if token.type == "inline"] == [
        "Year",
        "Crossings",
        "2022",
        "184,000",
    ]


def test_paragraphs_are_separated_by_one_blank_line_and_line_breaks_leave_no_trailing_spaces():
    markdown = convert("First paragraph.", "Second,\nwith a line break.", "Third.")
    assert markdown == "First paragraph.\n\nSecond,\\\nwith a line break.\n\nThird.\n"


def test_line_breaks_at_the_ends_of_a_paragraph_or_list_item_are_dropped():
    markdown = convert(
        "\n\nLines\nof a poem\n\n",
        Paragraph("A path C:\\\n", style="ListParagraph", numbering="bullet"),
        Paragraph("nested", style="ListParagraph", numbering="bullet", level=1),
    )
    assert markdown == "Lines\\\nof a poem\n\n- A path C:\\\\\n  - nested\n"
    assert plain_text(markdown) == "Lines\nof a poem\n\nA path C:\\\n\nnested"


def test_unknown_styles_are_only_warnings():
    assert convert(Paragraph("Styled oddly.", style="FancyBody")) == "Styled oddly.\n"


# Escaping


def test_running_prose_is_not_escaped():
    prose = "Fees rose 50% to $1.2bn in 2022. Ask AT&T, see snake_case_name, item #1 - or C# (+3) = 4!"
    assert convert(prose) == prose + "\n"


@pytest.mark.parametrize(
    "text",
    [
        "He wrote *emphasis* and **bold**",
        "a _stressed_ word",
        "see [sic] and [a](https://x.org)",
        "`code` and <b>html</b> and <https://autolink.org>",
        "&amp; and &#169;",
        "~~struck~~",
        "a backslash \\* here",
        "Wow![image](x.png)",
    ],
)
def test_markdown_syntax_in_text_stays_text(text):
    markdown = convert(text)
    assert blocks(markdown) == [("p", markdown.strip())]
    assert plain_text(markdown) == text


@pytest.mark.parametrize(
    "text",
    [
        "1. Introduction",
        "2) Second",
        "# Not a heading",
        "- not an item",
        "+ not an item",
        "> not a quote",
        "---",
        "===",
    ],
)
def test_text_that_would_start_a_block_is_escaped(text):
    markdown = convert(text, f"Before a line break\n{text}")
    assert [kind for kind, _ in blocks(markdown)] == ["p", "p"]
    assert plain_text(markdown) == f"{text}\n\nBefore a line break\n{text}"


def test_hashes_closing_a_heading_are_kept():
    markdown = convert(Paragraph("Ranked #", style="Heading1"))
    assert blocks(markdown) == [("h2", "Ranked \\#")]
    assert plain_text(markdown) == "Ranked #"


# Links


def test_hyperlinks_are_kept_and_links_to_bookmarks_keep_only_their_words():
    markdown = convert(
        Paragraph(
            "The ",
            Link("UNHCR report", "https://www.unhcr.org/report.pdf"),
            " (see ",
            Link("annex", "#annex"),
            ").",
        )
    )
    assert markdown == "The [UNHCR report](https://www.unhcr.org/report.pdf) (see annex).\n"
    assert links(markdown) == [("UNHCR report", "https://www.unhcr.org/report.pdf", None)]


def test_an_address_with_spaces_or_unbalanced_parentheses_stays_one_link():
    markdown = convert(
        Paragraph(
            Link("one", "https://x.org/a (b).pdf"),
            " and ",
            Link("two", "https://en.wikipedia.org/wiki/Fergana_(city)"),
            " and ",
            Link("three", "https://x.org/c)d"),
        )
    )
    assert links(markdown) == [
        ("one", "https://x.org/a%20(b).pdf", None),
        ("two", "https://en.wikipedia.org/wiki/Fergana_(city)", None),
        ("three", "https://x.org/c%29d", None),
    ]


# Notes

CITATION = "Ministry of Interior of Uzbekistan, ‘Entry statistics’, 12 October 2022"


def test_footnote_with_a_linked_address_becomes_a_titled_link_on_the_word_before_it():
    markdown = convert(
        Paragraph("Entries from Uzbekistan.", Note(1), " They rose."),
        footnotes={1: (f"{CITATION}, ", Link("https://iiv.uz/news/123", "https://iiv.uz/news/123"))},
    )
    assert markdown == f'Entries from [Uzbekistan](https://iiv.uz/news/123 "{CITATION}"). They rose.\n'
    assert links(markdown) == [("Uzbekistan", "https://iiv.uz/news/123", CITATION)]


@pytest.mark.parametrize(
    ("note", "address", "title"),
    [
        (f"{CITATION}, https://iiv.uz/news/123.", "https://iiv.uz/news/123", CITATION),
        (f"{CITATION}, available at: https://iiv.uz/news/123", "https://iiv.uz/news/123", CITATION),
        (f"{CITATION} (https://iiv.uz/news/123), accessed 1 March 2023.", "https://iiv.uz/news/123",
         f"{CITATION}, accessed 1 March 2023"),
        ("Decree No. 12, https://www.gov.tj/decree-12, accessed 1 March 2023.", "https://www.gov.tj/decree-12",
         "Decree No. 12, accessed 1 March 2023"),
        (("Ministry, ", Link("Entry statistics", "https://iiv.uz/news/123"), ", 2022."), "https://iiv.uz/news/123",
         "Ministry, Entry statistics, 2022"),
        ("Interview with a border official, Dushanbe, 3 February 2023.", "#",
         "Interview with a border official, Dushanbe, 3 February 2023"),
    ],
)  # fmt: skip
def test_footnote_address_and_title(note, address, title):
    markdown = convert(Paragraph("Entries from Uzbekistan", Note(1), " rose."), footnotes={1: note})
    assert links(markdown) == [("Uzbekistan", address, title)]


def test_footnote_without_an_address_links_to_a_lost_address():
    markdown = convert(
        Paragraph("Officials agreed", Note(1), "."), footnotes={1: "Interview, Dushanbe, 2023."}
    )
    assert markdown == 'Officials [agreed](# "Interview, Dushanbe, 2023").\n'


@pytest.mark.parametrize(
    "title",
    [
        'The "Open Borders" report',
        'A path C:\\data\\ and \\" a quote',
        "Tables (2022) [draft] ) ( ] [ p. 3",
        "Quotes ‘single’ and “double”, & &amp; ampersands",
        "Ends with a backslash \\",
    ],
)
def test_footnote_titles_are_escaped(title):
    markdown = convert(Paragraph("Trade", Note(1), " fell."), footnotes={1: f"{title} https://x.org/a"})
    assert links(markdown) == [("Trade", "https://x.org/a", title)]
    assert plain_text(markdown) == "Trade fell."


def test_the_footnote_list_is_not_in_the_text():
    markdown = convert(
        Paragraph("Entries from Uzbekistan", Note(1), " rose", Note(2), "."),
        footnotes={1: "Ministry report, https://iiv.uz/news/123", 2: "Customs data, 2023"},
    )
    assert plain_text(markdown) == "Entries from Uzbekistan rose."
    assert "↑" not in markdown and "[1]" not in markdown
    assert markdown.count("\n") == 1


def test_footnote_punctuation_and_emphasis_stay_outside_the_link():
    markdown = convert(
        Paragraph(
            "“Rising,” said ",
            Run("Kommersant", italic=True),
            Note(1),
            "; “falling”",
            Note(2),
            " said others.",
        ),
        footnotes={1: "https://kommersant.ru/a", 2: "https://x.org/b"},
    )
    assert markdown == (
        "“Rising,” said *[Kommersant](https://kommersant.ru/a)*; “[falling](https://x.org/b)” said others.\n"
    )


def test_footnote_at_the_start_of_a_paragraph_links_the_word_after_it():
    markdown = convert(
        Paragraph(Note(1), "Officials say so."), footnotes={1: "Interview, 2023, https://x.org/i"}
    )
    assert links(markdown) == [("Officials", "https://x.org/i", "Interview, 2023")]


def test_two_footnotes_in_a_row_link_two_words():
    markdown = convert(
        Paragraph("Trade fell sharply.", Note(1), Note(2)),
        footnotes={1: "https://a.org/1", 2: "https://b.org/2"},
    )
    assert links(markdown) == [("fell", "https://b.org/2", None), ("sharply", "https://a.org/1", None)]


def test_two_footnotes_without_addresses_in_a_row_link_two_words():
    notes = {1: "Customs", 2: "Interview"}
    markdown = convert(Paragraph("Trade fell sharply.", Note(1), Note(2)), footnotes=notes)
    assert links(markdown) == [("fell", "#", "Interview"), ("sharply", "#", "Customs")]


def test_footnote_in_a_table_cell():
    markdown = convert(
        Table([["Year", "Crossings"], [Paragraph("2022", Note(1)), "184,000"]]),
        footnotes={1: "Customs | Border service, https://x.org/a|b"},
    )
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    cells = [token for token in tokens if token.type == "inline"]
    assert len(cells) == 4
    link = next(child for child in cells[2].children if child.type == "link_open")
    assert link.attrGet("href") == "https://x.org/a%7Cb"
    assert link.attrGet("title") == "Customs | Border service"


def test_footnote_on_a_link_to_the_same_address_gives_it_a_title():
    markdown = convert(
        Paragraph("See the ", Link("statistics", "https://iiv.uz/news/123"), Note(1), "."),
        footnotes={1: f"{CITATION}, https://iiv.uz/news/123/"},
    )
    assert links(markdown) == [("statistics", "https://iiv.uz/news/123", CITATION)]


def test_footnote_on_a_link_to_another_address_goes_on_the_word_before_the_link():
    markdown = convert(
        Paragraph("See the ", Link("statistics", "https://iiv.uz/news/123"), Note(1), "."),
        footnotes={1: "Customs data, https://customs.uz/data"},
    )
    assert links(markdown) == [
        ("the", "https://customs.uz/data", "Customs data"),
        ("statistics", "https://iiv.uz/news/123", None),
    ]


def test_a_footnote_mark_alone_keeps_its_number_as_words():
    markdown = convert(Paragraph(Note(1)), footnotes={1: "Customs data, https://customs.uz/data"})
    assert links(markdown) == [("[1]", "https://customs.uz/data", "Customs data")]


def test_endnotes_become_notes_like_footnotes():
    w = f'xmlns:w="{W}"'
    document = (
        f"<w:document {w}><w:body><w:p><w:r><w:t>Trade fell.</w:t></w:r>"
        '<w:r><w:endnoteReference w:id="1"/></w:r></w:p></w:body></w:document>'
    )
    endnotes = (
        f'<w:endnotes {w}><w:endnote w:id="1"><w:p><w:r><w:t>Customs data, https://customs.uz/data</w:t></w:r>'
        "</w:p></w:endnote></w:endnotes>"
    )
    parts = {"word/document.xml": document.encode(), "word/endnotes.xml": endnotes.encode()}
    markdown = markdown_from_docx(with_parts(build_docx([]), parts))
    assert markdown == 'Trade [fell](https://customs.uz/data "Customs data").\n'


# A whole paper


BIOS = "Aida Nurlanova is a fellow at the Footnote Institute. Timur Sadykov is a researcher in Dushanbe."
DECREE = 'Government decree No. 12 "On fees" (in Russian),'


def test_a_whole_paper_line_by_line():
    data = build_docx(
        [
            "Commentary",
            "March 7, 2023",
            Paragraph("Why Dushanbe Keeps the Border Half Open", style="Title"),
            "Aida Nurlanova and Timur Sadykov",
            Paragraph(
                "Crossings from Uzbekistan",
                Note(1),
                " rose to 184,000 in 2022, while ",
                Link("Tajik officials", "https://khovar.tj/2023/01/border"),
                " spoke of a ",
                Run("managed", italic=True),
                " opening.",
                Note(2),
            ),
            Paragraph("Trade depends on it; see ", Link("the annex", "#annex"), " for the figures."),
            Paragraph("What changed in 2022", style="Heading1"),
            Paragraph("At the crossings", style="Heading2"),
            Paragraph("Queues at Oybek fell from days to hours.", style="ListParagraph", numbering="bullet"),
            Paragraph("Fees were cut by half.", Note(3), style="ListParagraph", numbering="bullet"),
            Paragraph("“The border is open for people, not yet for trucks,” an officer said.", style="Quote"),
            Paragraph("Whether it stays open depends on ", Run("Tashkent", bold=True), "."),
            BIOS,
        ],
        footnotes={
            1: (f"{CITATION}, ", Link("https://iiv.uz/news/123", "https://iiv.uz/news/123")),
            2: "Asia-Plus, interview with a border official, 3 February 2023.",
            3: f"{DECREE} https://www.gov.tj/decree-12, accessed 1 March 2023.",
        },
    )
    assert markdown_from_docx(data).split("\n") == [
        "Commentary",
        "",
        "March 7, 2023",
        "",
        "# Why Dushanbe Keeps the Border Half Open",
        "",
        "Aida Nurlanova and Timur Sadykov",
        "",
        f'Crossings from [Uzbekistan](https://iiv.uz/news/123 "{CITATION}") rose to 184,000 in 2022, while '
        "[Tajik officials](https://khovar.tj/2023/01/border) spoke of a *managed* "
        '[opening](# "Asia-Plus, interview with a border official, 3 February 2023").',
        "",
        "Trade depends on it; see the annex for the figures.",
        "",
        "## What changed in 2022",
        "",
        "### At the crossings",
        "",
        "- Queues at Oybek fell from days to hours.",
        "- Fees were cut by [half](https://www.gov.tj/decree-12 "
        '"Government decree No. 12 \\"On fees\\" (in Russian), accessed 1 March 2023").',
        "",
        "> “The border is open for people, not yet for trucks,” an officer said.",
        "",
        "Whether it stays open depends on **Tashkent**.",
        "",
        BIOS,
        "",
    ]


# Refusals


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(UnreadableDocument) as raised:
        markdown_from_docx(data, **limits)
    return str(raised.value)


def test_refuses_an_empty_file():
    assert refusal(b"") == "The file is empty."


def test_refuses_a_file_that_is_not_a_zip():
    assert "not a Word document (.docx)" in refusal(b"# A Markdown paper\n\nWith text.")


def test_refuses_an_encrypted_or_old_word_file():
    assert refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == (
        "This looks like an encrypted or old-format (.doc) Word file; save it as .docx without a password."
    )


def test_refuses_a_zip_without_a_word_document():
    data = with_parts(build_docx(["Text"]), {"word/document.xml": None})
    assert "no word/document.xml" in refusal(data)


def test_refuses_a_zip_with_more_than_2000_entries():
    docx = build_docx(["Text"])
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        room = 2000 - len(archive.namelist())
    pictures = {f"word/media/image{n}.png": b"" for n in range(room + 1)}
    assert markdown_from_docx(with_parts(docx, dict(list(pictures.items())[:room]))) == "Text\n"
    assert "This file holds 2001 parts" in refusal(with_parts(docx, pictures))


def test_refuses_a_zip_bomb_by_its_declared_size():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w") as member:
            for _ in range(60):
                member.write(bytes(MB))
    assert len(buffer.getvalue()) < 100_000
    started = time.monotonic()
    assert "unpacks to more than 20 MB" in refusal(buffer.getvalue())
    assert "unpacks to more than 1 KB" in refusal(buffer.getvalue(), max_unpacked_bytes=1024)
    assert time.monotonic() - started < 1


def test_refuses_a_document_larger_than_the_limit_given():
    assert "unpacks to more than 500 bytes" in refusal(build_docx(["Text"]), max_unpacked_bytes=500)


def test_refuses_a_part_whose_headers_lie_about_its_size():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (20 * MB) + b"</w:document>")
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, 22, 100)  # uncompressed size, in the local header
    struct.pack_into("<I", data, data.index(b"PK\x01\x02") + 24, 100)  # and in the central directory
    started = time.monotonic()
    assert "damaged" in refusal(bytes(data), max_unpacked_bytes=MB)
    assert time.monotonic() - started < 1


def test_refuses_an_encrypted_zip():
    data = bytearray(build_docx(["Text"]))
    data[data.index(b"PK\x01\x02") + 8] |= 0x1  # "encrypted" flag of the first entry
    assert "encrypted" in refusal(bytes(data))


def test_refuses_damaged_xml():
    data = with_parts(build_docx(["Text"]), {"word/document.xml": b"<w:document><w:body>"})
    assert "damaged (word/document.xml is not valid XML" in refusal(data)


def test_refuses_deeply_nested_tables():
    cell = "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    for _ in range(100):
        cell = f"<w:tbl><w:tr><w:tc>{cell}</w:tc></w:tr></w:tbl><w:p/>"
    document = f'<w:document xmlns:w="{W}"><w:body>{cell}</w:body></w:document>'
    assert "damaged" in refusal(with_parts(build_docx([]), {"word/document.xml": document.encode()}))


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10)).replace(
        b"lol0", b"lol"
    )
    + b"]><lolz>&lol9;</lolz>"
)
EXTERNAL_ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("word/document.xml", BILLION_LAUGHS),
        ("word/footnotes.xml", EXTERNAL_ENTITY),
        (
            "word/_rels/document.xml.rels",
            b'<!DOCTYPE Relationships SYSTEM "http://attacker.example/x.dtd"><x/>',
        ),
        (
            "word/styles.xml",
            EXTERNAL_ENTITY.decode().replace("1.0", '1.0" encoding="UTF-16').encode("utf-16"),
        ),
    ],
)
def test_refuses_xml_with_a_doctype_or_entities(part, content):
    assert "<!DOCTYPE>" in refusal(with_parts(build_docx(["Text"]), {part: content}))


def test_parts_that_are_not_xml_are_not_read():
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    data = with_parts(build_docx(["Text"]), {"word/media/chart.svg": svg, "word/media/photo.png": b"\x89PNG"})
    assert markdown_from_docx(data) == "Text\n"


def test_a_link_to_a_bare_hash_is_a_lost_address_and_stays_a_note():
    markdown = convert(Paragraph("Figures were ", Link("published", "#"), " late."))
    assert links(markdown) == [("published", "#", None)]


def test_a_document_with_more_text_than_an_article_may_hold_is_refused_before_converting():
    data = build_docx([Paragraph("word " * 3000)])
    with pytest.raises(UnreadableDocument, match="more than 10,000 characters of text"):
        markdown_from_docx(data, max_text_chars=10_000)


def test_a_document_of_a_million_pieces_of_markup_is_refused_before_converting():
    data = build_docx([Paragraph(*[Run("a", bold=True)] * 200_000)])
    with pytest.raises(UnreadableDocument, match="pieces of markup"):
        markdown_from_docx(data)


def test_many_line_breaks_and_footnote_marks_in_a_row_take_linear_time():
    breaks = build_docx([Paragraph("a" + "\n" * 5000 + "b")])
    assert markdown_from_docx(breaks).count("\\\n") == 5000
    notes = range(1, 1001)
    marks = build_docx(
        [Paragraph("word", *[Note(n) for n in notes])],
        footnotes={n: f"Source {n}, https://e.org/{n}" for n in notes},
    )
    assert markdown_from_docx(marks).count("](https://e.org/") == 1000
