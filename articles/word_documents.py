"""A Word document (.docx) as Markdown of the shape the text importer reads.

The file is checked before anything parses it: a .docx is a zip of XML parts, and a crafted one
can unpack to gigabytes or hold XML entity tricks. Only its XML parts, read under a size cap and
checked, are handed to mammoth, which turns the document into HTML; markdownify turns that into
Markdown. Footnotes and endnotes become links on the word they follow, the note's text as the
link's title: `[Uzbekistan](https://iiv.uz/news/123 "Ministry of Interior of Uzbekistan, 12 October 2022")`,
or `[Uzbekistan](# "…")` when the note has no address. Pictures are left out.
"""

import io
import itertools
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import ATX, BACKSLASH, MarkdownConverter, chomp

MAX_ENTRIES = 2000
MAX_ELEMENTS = 500_000  # a long paper holds tens of thousands
MAX_WALK = 200  # elements looked through for the word a footnote mark follows
MAX_LINKED_WORDS = 20  # linked words passed over for it; beyond, the mark keeps its number
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # encrypted .docx and old .doc files are OLE compound files
# Word's title is the article's title, the only level-1 heading; its headings come one level down.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p.Title => h1:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='heading 1'] => h2:fresh
p[style-name='heading 2'] => h3:fresh
p[style-name='heading 3'] => h4:fresh
p[style-name='heading 4'] => h5:fresh
p[style-name='heading 5'] => h6:fresh
p[style-name='heading 6'] => h6:fresh
p.Heading1 => h2:fresh
p.Heading2 => h3:fresh
p.Heading3 => h4:fresh
p.Heading4 => h5:fresh
p.Heading5 => h6:fresh
p.Heading6 => h6:fresh
p[style-name='Heading'] => h2:fresh
p.Heading => h2:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
"""
# zipfile and its decompressors raise all of these for damaged data.
DAMAGED_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    OSError,
    ValueError,
)
NOTE = re.compile(r"^(?:footnote|endnote)-\d+$")
NOTE_MARK = re.compile(r"^(?:footnote|endnote)-ref-\d+$")
NOTE_BACK_LINK = re.compile(r"^#(?:footnote|endnote)-ref-\d+$")
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"“”‘’]+", re.IGNORECASE)
WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)
WORD = re.compile(r"\w+(?:['’.\-/]\w+)*")
BLOCKS = ["p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"]
ADDRESS_MARK = "\x00"  # where a note's address was in its text
# The words that lead up to an address in a citation: "…, 12 October 2022, available at: https://…".
LEAD_IN = re.compile(
    r"(?:\b(?:available|accessible|retrieved|archived)(?:\s+online)?(?:\s+(?:at|from|on))?|\b(?:url|online|at))\W*$",
    re.IGNORECASE,
)
INLINE_MARKUP = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|$)"  # a backslash that would escape what follows it
    r"|[*`\[\]]"  # emphasis, code spans and links
    r"|(?<![^\W_])_|_(?![^\W_])"  # an underscore, unless inside a word where it cannot be emphasis
    r"|<(?=[A-Za-z/!?])"  # HTML and autolinks
    r"|&(?=#?\w+;)"  # character references
    r"|~(?=~)|(?<=~)~"  # strikethrough
)
# What makes a line something other than a paragraph line: a heading, list item, quote, rule.
BLOCK_START = re.compile(
    r"^(?=#{1,6}(?:[ \t]|$)|[-+](?:[ \t]|$)|>|=+[ \t]*$|-+[ \t]*$)|^(\d{1,9})(?=[.)](?:[ \t]|$))"
)


class UnreadableDocument(ValueError):
    """The file is not a Word document we can read; str(e) is a clear message for an analyst."""


def markdown_from_docx(
    data: bytes, *, max_unpacked_bytes: int = 20 * 1024 * 1024, max_text_chars: int = 1_000_000
) -> str:
    """The document in a .docx file as Markdown; UnreadableDocument if it cannot or should not be read.

    `max_text_chars` bounds the text and `MAX_ELEMENTS` the markup the document may hold, checked
    in one pass before the slower conversion starts.
    """
    html = _html(_xml_parts(data, max_unpacked_bytes, max_text_chars))
    try:
        return _markdown(html)
    except RecursionError:  # markdownify recurses into nested elements, as mammoth does
        raise _damaged("its parts are nested too deeply") from None


# Reading the package


def _xml_parts(data: bytes, limit: int, max_text: int) -> dict[str, bytes]:
    """The package's XML parts, each checked: mammoth reads nothing else once pictures are left out."""
    if not data.strip():
        raise UnreadableDocument("The file is empty.")
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableDocument(
            "This looks like an encrypted or old-format (.doc) Word file; "
            "save it as .docx without a password."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ZIP:
        raise UnreadableDocument(
            "This is not a Word document (.docx): save the paper as .docx, Markdown or plain text."
        ) from None
    with archive:
        entries = archive.infolist()
        _check_entries(entries, limit)
        parts, budget, counts = {}, limit, _Counts(max_text)
        for entry in entries:
            if entry.filename.lower().endswith((".xml", ".rels")):
                parts[entry.filename] = content = _read_part(archive, entry, budget, limit)
                budget -= len(content)
                _check_xml(entry.filename, content, counts)
    return parts


def _check_entries(entries: list[zipfile.ZipInfo], limit: int) -> None:
    if len(entries) > MAX_ENTRIES:
        raise UnreadableDocument(
            f"This file holds {len(entries)} parts, more than a Word document has ({MAX_ENTRIES} at most), "
            "so it was not read."
        )
    if not any(entry.filename == "word/document.xml" for entry in entries):
        raise UnreadableDocument(
            "This zip file is not a Word document (it has no word/document.xml): "
            "save the paper from Word as .docx."
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise UnreadableDocument("This file is encrypted; save it as .docx without a password.")
    if sum(entry.file_size for entry in entries) > limit:
        raise _too_large(limit)


def _read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int, limit: int) -> bytes:
    # Read at most one byte past what is left, whatever the headers declare.
    try:
        with archive.open(entry) as part:
            content = part.read(budget + 1)
    except DAMAGED_ZIP:
        raise _damaged(f"{entry.filename} cannot be unpacked") from None
    if len(content) > budget:
        raise _too_large(limit)
    return content


@dataclass
class _Counts:
    """How much text and markup the document's parts hold so far, against their limits."""

    max_text: int
    text: int = 0
    elements: int = 0

    def element(self, *_) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise UnreadableDocument(
                f"This document holds more than {MAX_ELEMENTS:,} pieces of markup, far more than a paper "
                "of text, so it was not read."
            )

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.max_text:
            raise UnreadableDocument(
                f"This document holds more than {self.max_text:,} characters of text, more than an article "
                "can have, so it was not read."
            )


def _check_xml(name: str, content: bytes, counts: _Counts) -> None:
    """Refuse a DTD: Word never writes one, and entities can expand a few bytes into gigabytes or
    read files on the server; mammoth's parser (minidom) is only as safe as the system's expat.
    Count the markup and text as well, so a document too big to convert is refused before it is."""

    def refuse(*_):
        raise UnreadableDocument(
            f"The Word document holds an XML declaration that Word never writes (<!DOCTYPE> or <!ENTITY> "
            f"in {name}); it may have been made to attack the server, so it was not read."
        )

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = counts.element
    parser.CharacterDataHandler = counts.characters
    try:
        parser.Parse(content, True)
    except expat.ExpatError as error:
        raise _damaged(
            f"{name} is not valid XML: {expat.ErrorString(error.code)}, line {error.lineno}"
        ) from None


def _too_large(limit: int) -> UnreadableDocument:
    return UnreadableDocument(
        f"This file unpacks to more than {_size(limit)}, far more than a Word document of text, "
        "so it was not read. If it holds large pictures, remove them and try again."
    )


def _damaged(detail: str) -> UnreadableDocument:
    return UnreadableDocument(
        f"The Word document is damaged ({detail}); open it in Word, save it again and retry."
    )


def _size(count: int) -> str:
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.0f} {unit}"
    return f"{count} bytes"


def _html(parts: dict[str, bytes]) -> str:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    try:
        result = mammoth.convert_to_html(
            package,
            style_map=STYLE_MAP,
            convert_image=lambda image: [],
            include_embedded_style_map=False,  # the document's own style map could override ours
            external_file_access=False,
        )
    except Exception as error:  # mammoth fails in many ways on parts it does not expect
        raise _damaged("its text could not be read") from error
    return result.value  # its messages are warnings, such as styles it has no rule for


# Notes


@dataclass(frozen=True)
class _Note:
    address: str  # "#" when the note gives none
    title: str


def _notes(soup: BeautifulSoup) -> dict[str, _Note]:
    """Each footnote and endnote by its id, the list mammoth writes them into taken out of the text."""
    items = soup.find_all("li", id=NOTE)
    notes = {item["id"]: _note(item) for item in items}
    for note_list in {id(item.parent): item.parent for item in items}.values():
        note_list.decompose()
    return notes


def _note(item: Tag) -> _Note:
    for back_link in item.find_all("a", href=NOTE_BACK_LINK):
        back_link.decompose()
    for block in item.find_all(["p", "li", "br"]):
        block.insert_after(" ")  # keeps the words of separate paragraphs apart
    address = ""
    link = item.find("a", href=WEB_LINK)
    if link is not None:
        address = link["href"]
        if _names_address(link.get_text(), address):
            link.replace_with(ADDRESS_MARK)
        else:
            link.unwrap()
    text = " ".join(item.get_text().split())
    if not address and (found := _address_in(text)):
        start, address = found
        text = text[:start] + ADDRESS_MARK + text[start + len(address) :]
    before, _, after = text.partition(ADDRESS_MARK)
    return _Note(address=address or "#", title=_tidy_title(f"{LEAD_IN.sub('', before)} {after}"))


def _names_address(text: str, address: str) -> bool:
    """Whether a link's words are its address ("https://un.org/x", "un.org/x") rather than words."""
    text = text.strip()
    return bool(text) and " " not in text and (bool(WEB_LINK.match(text)) or text.rstrip("/") in address)


def _address_in(text: str) -> tuple[int, str] | None:
    """Where the first web address in `text` starts, and the address, without the punctuation after it."""
    found = WEB_ADDRESS.search(text)
    if not found:
        return None
    address = found.group()
    while address[-1] in ".,;:!?'" or (address[-1] == ")" and address.count(")") > address.count("(")):
        address = address[:-1]
    return found.start(), address


def _tidy_title(text: str) -> str:
    """A citation with its address taken out: no empty brackets, doubled commas or dangling ", "."""
    text = re.sub(r"\(\s*\)|\[\s*\]|<\s*>", "", text)
    text = re.sub(r"([,;:.])(?:\s+[,;:.])+", r"\1", " ".join(text.split()))
    text = re.sub(r"\s+([,;:.])", r"\1", text)
    return text.lstrip(" ,;:.").rstrip(" ,;:.([<–—-")


def _place_notes(soup: BeautifulSoup, notes: dict[str, _Note]) -> None:
    """Every note mark becomes a link on the word before it, or after it when none comes before."""
    for mark in soup.find_all("a", id=NOTE_MARK):
        note = notes.get(mark["href"][1:])
        anchor = mark.parent if mark.parent.name == "sup" else mark
        if note:
            _link_note(soup, anchor, note)
        anchor.decompose()


def _link_note(soup: BeautifulSoup, mark: Tag, note: _Note) -> None:
    block = mark.find_parent(BLOCKS)
    before = _word_before(mark, block)
    for _ in range(MAX_LINKED_WORDS):  # words already linked are passed over, a few at most
        link = before[0].find_parent("a", href=True) if before else None
        if link is None:
            break
        if note.address != "#" and _same_address(link["href"], note.address):
            if note.title and not link.get("title"):
                link["title"] = note.title
            return
        before = _word_before(link, block)
    else:
        before = None
    found = before or _word_after(mark, block)
    if found:
        string, word = found
        text = str(string)
        pieces = [text[: word.start()], _note_link(soup, note, word.group()), text[word.end() :]]
        string.replace_with(*[piece for piece in pieces if piece])
    else:  # a mark alone in its paragraph: the note keeps its number as its words
        mark.insert_before(_note_link(soup, note, mark.get_text()))


def _note_link(soup: BeautifulSoup, note: _Note, words: str) -> Tag:
    link = soup.new_tag("a", attrs={"href": note.address})
    if note.title:
        link["title"] = note.title
    link.string = words
    return link


def _word_before(node: Tag, block: Tag | None) -> tuple[NavigableString, re.Match] | None:
    for string in _strings(node, block, backwards=True):
        if words := list(WORD.finditer(string)):
            return string, words[-1]
    return None


def _word_after(node: Tag, block: Tag | None) -> tuple[NavigableString, re.Match] | None:
    for string in _strings(node, block, backwards=False):
        if string.find_parent("a", href=True) is None and (word := WORD.search(string)):
            return string, word
    return None


def _strings(node: Tag, block: Tag | None, *, backwards: bool):
    """The text before or after `node` in its paragraph, list item (up to a list in it) or cell."""
    elements = node.previous_elements if backwards else node.next_elements
    for element in itertools.islice(elements, MAX_WALK):  # a run of marks must not cost its square
        if element is block or getattr(element, "name", None) in {"ul", "ol"} or not _within(element, block):
            return
        if isinstance(element, NavigableString) and not _within(element, node):
            yield element


def _within(element, ancestor: Tag | None) -> bool:
    return ancestor is None or any(parent is ancestor for parent in element.parents)


def _same_address(first: str, second: str) -> bool:
    return first.strip().rstrip("/") == second.strip().rstrip("/")


def _drop_internal_links(soup: BeautifulSoup) -> None:
    """Links to bookmarks in the document, and bookmarks themselves, keep only their words. A link
    to "#" alone is how a lost address is written: it stays, to become a note."""
    for link in soup.find_all("a"):
        if NOTE_MARK.match(link.get("id", "")):
            continue
        href = link.get("href")
        if href is None or (href.startswith("#") and href != "#"):
            link.unwrap()


def _drop_dangling_breaks(soup: BeautifulSoup) -> None:
    """Line breaks with no text after them in their paragraph, or none before: in Markdown a break at
    the end of a paragraph is a stray backslash."""
    blocks = {}
    for line_break in soup.find_all("br"):
        block = line_break.find_parent(BLOCKS) or soup
        blocks.setdefault(id(block), block)
    for block in blocks.values():
        _drop_breaks_at_the_edges(block)


def _drop_breaks_at_the_edges(block: Tag) -> None:
    """One pass over the block's own text (a list inside it is its own): breaks before the first
    text or after the last go."""
    seen_text, pending, doomed = False, [], []
    for element in _own_elements(block):
        if isinstance(element, NavigableString):
            if element.strip():
                seen_text, pending = True, []
        elif element.name in {"ul", "ol"}:
            doomed, pending = doomed + pending, []
        elif element.name == "br":
            (pending if seen_text else doomed).append(element)
    for line_break in doomed + pending:
        line_break.decompose()


def _own_elements(block: Tag):
    """The elements inside `block` in reading order, not looking inside the lists it holds."""
    stack = list(reversed(block.contents))
    while stack:
        element = stack.pop()
        yield element
        if isinstance(element, Tag) and element.name not in {"ul", "ol"}:
            stack.extend(reversed(element.contents))


# Markdown


def _markdown(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    notes = _notes(soup)
    _drop_internal_links(soup)
    _place_notes(soup, notes)
    _drop_dangling_breaks(soup)
    markdown = _Converter(
        heading_style=ATX,
        bullets="-",
        strong_em_symbol="*",  # unlike _, * works inside a word
        newline_style=BACKSLASH,  # no trailing spaces
        autolinks=False,  # every link written [words](address), as analysts do
        table_infer_header=True,
    ).convert_soup(soup)
    lines = [line.rstrip() for line in markdown.split("\n")]
    markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return markdown + "\n" if markdown else ""


class _Converter(MarkdownConverter):
    """markdownify escaping only what would otherwise be read as Markdown, so prose stays clean."""

    def escape(self, text, parent_tags):
        text = INLINE_MARKUP.sub(r"\\\g<0>", text.replace("\n", " "))
        return text.replace("|", r"\|") if parent_tags & {"td", "th"} else text

    def process_text(self, el, parent_tags=None):
        text = super().process_text(el, parent_tags=parent_tags)
        following = el.next_sibling
        if text.endswith("!") and isinstance(following, Tag) and following.name == "a":
            text = text[:-1] + r"\!"  # or the link becomes an image
        return text

    def convert_p(self, el, text, parent_tags):
        return super().convert_p(el, _block_text(text), parent_tags)

    def convert_li(self, el, text, parent_tags):
        return super().convert_li(el, _block_text(text), parent_tags)

    def convert_hN(self, n, el, text, parent_tags):
        text = re.sub(r"(^|\s)(#+)\s*$", r"\1\\\2", text.strip())  # not a closing sequence
        return super().convert_hN(n, el, text, parent_tags)

    def convert_a(self, el, text, parent_tags):
        prefix, suffix, text = chomp(text)
        address = el.get("href")
        if not address or not text:
            return prefix + text + suffix
        title = el.get("title")
        target = _destination(address) + (f' "{_escape_title(title)}"' if title else "")
        if parent_tags & {"td", "th"}:
            target = target.replace("|", r"\|")  # or it would end the table cell
        return f"{prefix}[{text}]({target}){suffix}"


def _block_text(text: str) -> str:
    """A paragraph's or list item's text, its first line and each line after a line break kept from
    starting another block."""
    lines = text.strip(" \t").split("\n")
    for index, line in enumerate(lines):
        if index == 0 or _ends_with_break(lines[index - 1]):
            lines[index] = BLOCK_START.sub(lambda match: f"{match.group(1) or ''}\\", line.lstrip(), count=1)
    return "\n".join(lines)


def _ends_with_break(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1  # an escaped backslash is two


def _escape_title(title: str) -> str:
    title = " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"')
    return re.sub(r"&(?=#?\w+;)", r"\\&", title)


def _destination(address: str) -> str:
    """`address` as a link destination: spaces, angle brackets, backslashes, unbalanced
    parentheses would end it early or change it."""
    address = re.sub(r"[\x00-\x20\x7f<>\\]", lambda match: f"%{ord(match.group()):02X}", address.strip())
    depth = 0
    for character in address:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            break
    return address if depth == 0 else address.replace("(", "%28").replace(")", "%29")
