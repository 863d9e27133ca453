"""Minimal Word (.docx) files built in memory from plain XML strings, for tests.

    build_docx(
        [
            Paragraph("A title", style="Title"),
            Paragraph("Entries from ", Run("Uzbekistan", italic=True), Note(1), " rose."),
            Paragraph("First point", style="ListParagraph", numbering="bullet"),
            "A plain paragraph",
        ],
        footnotes={1: ("Ministry of Interior, ", Link("Entry statistics", "https://iiv.uz/news/123"))},
    )

The document is a list of `Paragraph`, `Table` or plain text. A paragraph's parts are text (a "\\n"
in it is a line break), `Run`, `Link` and `Note`; a footnote is text or a tuple of text and `Link`.
Styles: Normal, Title, Subtitle, Heading1-3, Quote, ListParagraph (give `numbering`, "bullet" or
"number", to make it a list item); any other style name is a style the document does not define.
"""

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_R = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = f"{R}/hyperlink"
STYLES = {  # style id: (type, name), as Word writes them
    "Normal": ("paragraph", "Normal"),
    "Title": ("paragraph", "Title"),
    "Subtitle": ("paragraph", "Subtitle"),
    "Heading1": ("paragraph", "heading 1"),
    "Heading2": ("paragraph", "heading 2"),
    "Heading3": ("paragraph", "heading 3"),
    "Quote": ("paragraph", "Quote"),
    "ListParagraph": ("paragraph", "List Paragraph"),
    "FootnoteText": ("paragraph", "footnote text"),
    "FootnoteReference": ("character", "footnote reference"),
}
NUMBERING_IDS = {"bullet": 1, "number": 2}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Link:
    """A hyperlink: `href` is a web address, or "#name" for a bookmark in the document."""

    text: str
    href: str


@dataclass(frozen=True)
class Note:
    """The mark of footnote `id`."""

    id: int


class Paragraph:
    """A paragraph of `parts` in `style`; a list item at `level` (0 or 1) if `numbering` is given."""

    def __init__(self, *parts, style: str = "Normal", numbering: str | None = None, level: int = 0):
        self.parts, self.style, self.numbering, self.level = parts, style, numbering, level


@dataclass(frozen=True)
class Table:
    rows: list[list]  # each cell text or a Paragraph
    header: bool = True  # the first row repeats as a header row


def build_docx(paragraphs, *, footnotes=None) -> bytes:
    """A .docx holding `paragraphs` (Paragraph, Table or plain text) and `footnotes` (id -> text)."""
    body_links: list[str] = []
    body = "".join(_block(block, body_links) for block in paragraphs)
    note_links: list[str] = []
    notes = "".join(_footnote(id_, parts, note_links) for id_, parts in (footnotes or {}).items())
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": _relationships([("rId1", f"{R}/officeDocument", "word/document.xml")]),
        "word/_rels/document.xml.rels": _relationships(
            [
                ("rIdStyles", f"{R}/styles", "styles.xml"),
                ("rIdNumbering", f"{R}/numbering", "numbering.xml"),
                ("rIdFootnotes", f"{R}/footnotes", "footnotes.xml"),
                *_hyperlinks(body_links),
            ]
        ),
        "word/_rels/footnotes.xml.rels": _relationships(_hyperlinks(note_links)),
        "word/document.xml": f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>',
        "word/styles.xml": _styles(),
        "word/numbering.xml": NUMBERING,
        "word/footnotes.xml": f'<w:footnotes xmlns:w="{W}" xmlns:r="{R}">{SEPARATORS}{notes}</w:footnotes>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return buffer.getvalue()


def _block(block, links: list[str]) -> str:
    if isinstance(block, Table):
        return _table(block, links)
    if isinstance(block, str):
        block = Paragraph(block)
    properties = f'<w:pStyle w:val="{block.style}"/>'
    if block.numbering:
        number_id = NUMBERING_IDS[block.numbering]
        properties += f'<w:numPr><w:ilvl w:val="{block.level}"/><w:numId w:val="{number_id}"/></w:numPr>'
    return f"<w:p><w:pPr>{properties}</w:pPr>{_runs(block.parts, links)}</w:p>"


def _table(table: Table, links: list[str]) -> str:
    rows = []
    for index, row in enumerate(table.rows):
        header = "<w:trPr><w:tblHeader/></w:trPr>" if table.header and index == 0 else ""
        cells = "".join(f"<w:tc>{_block(cell, links)}</w:tc>" for cell in row)
        rows.append(f"<w:tr>{header}{cells}</w:tr>")
    return f"<w:tbl>{''.join(rows)}</w:tbl><w:p/>"


def _runs(parts, links: list[str]) -> str:
    """The runs of `parts`; each web address linked is added to `links`, its index naming it."""
    xml = []
    for part in parts:
        if isinstance(part, str):
            part = Run(part)
        if isinstance(part, Run):
            xml.append(_run(part))
        elif isinstance(part, Note):
            style = '<w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            xml.append(f'<w:r>{style}<w:footnoteReference w:id="{part.id}"/></w:r>')
        elif part.href.startswith("#"):
            xml.append(
                f"<w:hyperlink w:anchor={quoteattr(part.href[1:])}>{_run(Run(part.text))}</w:hyperlink>"
            )
        else:
            links.append(part.href)
            xml.append(f'<w:hyperlink r:id="rIdLink{len(links)}">{_run(Run(part.text))}</w:hyperlink>')
    return "".join(xml)


def _run(run: Run) -> str:
    properties = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    lines = [f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in run.text.split("\n")]
    return f"<w:r><w:rPr>{properties}</w:rPr>{'<w:br/>'.join(lines)}</w:r>"


def _footnote(id_: int, parts, links: list[str]) -> str:
    parts = (parts,) if isinstance(parts, str) else tuple(parts)
    mark = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
    paragraph = (
        f'<w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>{mark}{_runs((" ", *parts), links)}</w:p>'
    )
    return f'<w:footnote w:id="{id_}">{paragraph}</w:footnote>'


def _hyperlinks(addresses: list[str]) -> list[tuple[str, str, str]]:
    return [(f"rIdLink{n}", HYPERLINK, address) for n, address in enumerate(addresses, 1)]


def _relationships(relationships) -> str:
    items = "".join(
        f"<Relationship Id={quoteattr(id_)} Type={quoteattr(type_)} Target={quoteattr(target)}"
        + (' TargetMode="External"' if type_ == HYPERLINK else "")
        + "/>"
        for id_, type_, target in relationships
    )
    return f'<Relationships xmlns="{PACKAGE_R}">{items}</Relationships>'


def _styles() -> str:
    styles = "".join(
        f'<w:style w:type="{type_}" w:styleId="{id_}"><w:name w:val="{name}"/></w:style>'
        for id_, (type_, name) in STYLES.items()
    )
    return f'<w:styles xmlns:w="{W}">{styles}</w:styles>'


def _level(level: int, format_: str, text: str) -> str:
    start = '<w:start w:val="1"/>'
    return f'<w:lvl w:ilvl="{level}">{start}<w:numFmt w:val="{format_}"/><w:lvlText w:val="{text}"/></w:lvl>'


# Numbering 1 is a bulleted list, 2 a numbered one, each two levels deep.
NUMBERING = (
    f'<w:numbering xmlns:w="{W}">'
    f'<w:abstractNum w:abstractNumId="0">{_level(0, "bullet", "•")}{_level(1, "bullet", "o")}'
    "</w:abstractNum>"
    f'<w:abstractNum w:abstractNumId="1">{_level(0, "decimal", "%1.")}{_level(1, "decimal", "%2.")}'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    "</w:numbering>"
)
# Word's separator "footnotes", which are not notes.
SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0">'
    "<w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
)
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
