"""Reading a finished paper into the parts of an article, repairing what exporting it damaged.

A paper arrives as Markdown or plain text in the shape think tanks publish (a kind line such as
"Feature Article", a date line, the title, a byline, the body, a closing biography) or as a Word
document, which is first turned into Markdown of the same shape. Nothing here touches the
database: the result is a `Document` that the import service saves, or shows as a preview.

Export to text (from PDF above all) damages a paper in known ways, each repaired here and listed
as a `Repair` so an analyst can see it and undo it:
- a paragraph split at a page break (it ends without closing punctuation and the next paragraph
  begins in lower case or continues a link) is joined again;
- a link split the same way becomes one link, so one note;
- `\\$` becomes `$`;
- a link address written without `https://` (`www.un.org/report.pdf`) gets it.
Headings, lists, block quotes, tables and section breaks are left as they are.
"""

import datetime
import re
from dataclasses import dataclass, field

from dateutil import parser as date_parser
from django.template.defaultfilters import filesizeformat

from .links import with_scheme
from .rendering import TargetKind, normalise_newlines, render_body, rewrite_link_targets
from .word_documents import UnreadableDocument, markdown_from_docx

KINDS = {
    "feature article": "feature",
    "feature": "feature",
    "analytical article": "analysis",
    "analysis": "analysis",
    "commentary": "commentary",
    "comment": "commentary",
    "opinion": "commentary",
    "brief": "brief",
    "policy brief": "brief",
    "issue brief": "brief",
}
DEFAULT_KIND = "analysis"
KIND_LINE = re.compile(
    rf"^({'|'.join(sorted(map(re.escape, KINDS), key=len, reverse=True))})\b\W*(.*)$", re.I
)
MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?=[\s,]|$)", re.IGNORECASE
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME = r"(?:[A-Z][\w'’.-]*|(?:de|van|der|von|al|bin|da|di|le|la)\b)"
BYLINE = re.compile(
    rf"^(?:by\s+)?{NAME}(?:\s+{NAME}){{1,4}}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){NAME}(?:\s+{NAME}){{1,4}})*$"
)
BYLINE_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
# Blocks that are not running prose, left alone by the repairs.
STRUCTURE = re.compile(r"^(?:#{1,6}\s|[-+*]\s|\d{1,9}[.)]\s|>|\||```|~~~|    |\t|\[[^\]]+\]:\s)")
BREAK = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
CLOSING = tuple('.!?:;…"”’)]')
LINK_END = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)$")
LINK_START = re.compile(r"^\[([^\[\]]*)\]\(([^()\s]*)\)")
HEADER_LINE_MAX = 200
LINK_WORDS_MAX = 300  # a link split at a page break is a few words, not a chain of links
# Control characters (Word's manual line break \x0b among them) are not text: feeds cannot carry them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
YEARS = range(1900, 2101)
# Links markdown-it will not make (their address could run code): shown as written, so say so.
UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data|file):", re.IGNORECASE)
# A .docx is a zip; an encrypted one, like an old .doc, is an OLE compound file.
WORD_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class IngestError(ValueError):
    """A text that cannot become an article; says which file and, where it can, which line."""

    def __init__(self, message: str, *, name: str, line: int | None = None):
        super().__init__(message)
        self.message, self.name, self.line = message, name, line

    def __str__(self):
        where = f"{self.name}, line {self.line}" if self.line else self.name
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Repair:
    """One change made to undo export damage. `key` names it, so an analyst can ask for it undone;
    an undone repair is still listed, with `made` false, so it can be made again."""

    key: str
    line: int
    description: str
    made: bool = True


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of the text and the line it starts on."""

    line: int
    text: str


@dataclass
class Document:
    """What a paper says, read from its text: everything an article is made of, nothing saved."""

    name: str
    title: str
    published_on: datetime.date
    text: str = ""  # the paper as read (Word documents as Markdown), before any repair
    kind: str = DEFAULT_KIND
    authors: list[str] = field(default_factory=list)
    bios: dict[str, str] = field(default_factory=dict)
    body: str = ""
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def too_large(size: int, limit: int) -> str:
    """Why a paper of `size` bytes is refused, or "" when it is small enough."""
    if size <= limit:
        return ""
    return f"the file is {filesizeformat(size)}; a paper to import can be at most {filesizeformat(limit)}."


def read_file(
    data: bytes, *, name: str, undo: frozenset[str] = frozenset(), max_chars: int = 1_000_000
) -> Document:
    """The document in a file: Word (.docx), or Markdown or plain text in UTF-8 (or UTF-16 with a
    byte order mark). A Word document holding more than `max_chars` of text is refused unread."""
    if not data.strip():
        raise IngestError("the file is empty.", name=name)
    if data.startswith(WORD_SIGNATURES) or name.lower().endswith(".docx"):
        try:
            text = markdown_from_docx(data, max_text_chars=max_chars)
        except UnreadableDocument as error:
            raise IngestError(str(error), name=name) from None
    else:
        text = _decode(data, name=name)
    return read_text(text, name=name, undo=undo)


def _decode(data: bytes, *, name: str) -> str:
    if data.startswith(b"%PDF"):
        raise IngestError(
            "PDF files cannot be imported: export the text as Markdown, text or .docx.", name=name
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError(
                "the text is damaged UTF-16: save it as UTF-8 and try again.", name=name
            ) from None
    if b"\0" in data:
        raise IngestError("this is not a text file (it holds binary data).", name=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise IngestError(
            "the text is not in UTF-8: save it as UTF-8 and try again.", name=name, line=line
        ) from None


def read_text(text: str, *, name: str, undo: frozenset[str] = frozenset()) -> Document:
    """The document in a Markdown or plain text paper; `undo` names repairs not to make."""
    text = CONTROL.sub(" ", normalise_newlines(text).lstrip("\ufeff"))
    blocks = _blocks(text)
    if not blocks:
        raise IngestError("the file has no text.", name=name)
    header, body_blocks = _split_header(blocks, name=name)
    document = Document(name=name, text=text, **header)
    body_blocks, document.bios = _take_bios(body_blocks, document.authors)
    repairs: list[Repair] = []
    body = "\n\n".join(block.text for block in _join_split_paragraphs(body_blocks, repairs, undo))
    body = _unescape(body, repairs, undo)
    document.body = _repair_addresses(body, repairs, document.warnings, undo)
    if UNSAFE_LINK.search(document.body):
        document.warnings.append(
            "A link to a javascript:, data: or file: address is not a link: it is shown as written. "
            "Give it a web address or write (#)."
        )
    document.repairs = repairs
    if not document.authors:
        document.warnings.append("No byline was found under the title: add the authors after importing.")
    return document


def _blocks(text: str) -> list[Block]:
    """The text's blank-line-separated blocks, each with the line it starts on."""
    blocks, lines, start = [], [], 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.rstrip())
        elif lines:
            blocks.append(Block(start, "\n".join(lines)))
            lines = []
    if lines:
        blocks.append(Block(start, "\n".join(lines)))
    return blocks


def _split_header(blocks: list[Block], *, name: str) -> tuple[dict, list[Block]]:
    """Kind, date, title and byline from the lines above the body, and the body's blocks."""
    header: dict = {"kind": None, "published_on": None, "title": "", "authors": []}
    last_line, body = 1, []
    for index, block in enumerate(blocks):
        lines = block.text.split("\n")
        taken = next((n for n, line in enumerate(lines) if not _take_header_line(line.strip(), header)), None)
        if taken is not None:
            rest = [Block(block.line + taken, "\n".join(lines[taken:]))]
            body = rest + blocks[index + 1 :]
            break
        last_line = block.line + len(lines) - 1
    if not header["title"]:
        raise IngestError("no title was found at the top of the text.", name=name, line=1)
    if header["published_on"] is None:
        raise IngestError(
            "no publication date was found above the text: add a line such as “March 7, 2023”.",
            name=name,
            line=last_line,
        )
    header["kind"] = header["kind"] or DEFAULT_KIND
    return header, body


def _take_header_line(line: str, header: dict) -> bool:
    """Read `line` into the header if it is a header line; False when the body has begun."""
    if len(line) > HEADER_LINE_MAX:
        return False
    kind = KIND_LINE.match(line) if header["kind"] is None else None
    if kind:
        rest = kind.group(2).strip()
        date = _date(rest) if rest and header["published_on"] is None else None
        if not rest or date:
            header["kind"], header["published_on"] = (
                KINDS[kind.group(1).lower()],
                date or header["published_on"],
            )
            return True
    if header["published_on"] is None and (date := _date(line)):
        header["published_on"] = date
        return True
    if not header["title"]:
        header["title"] = _plain_title(line)
        return True
    if not header["authors"] and BYLINE.match(line):
        header["authors"] = _authors(line)
        return True
    return False


def _date(line: str) -> datetime.date | None:
    """The date a line consists of, written with a month name or as 2023-03-07; None otherwise.

    Numeric dates such as 07/03/2023 are not read: they mean different days in different places.
    """
    line = line.strip(" *_")
    if not (MONTH.search(line) or ISO_DATE.match(line)) or len(line) > 40:
        return None
    try:
        first = date_parser.parse(line, default=datetime.datetime(1901, 1, 1))
        second = date_parser.parse(line, default=datetime.datetime(1902, 2, 2))
    except (ValueError, OverflowError):
        return None
    if first != second or first.year not in YEARS:  # a part was missing, or it is no publication date
        return None
    return first.date()


def _plain_title(line: str) -> str:
    return line.lstrip("#").strip().strip("*_").strip()


def _authors(line: str) -> list[str]:
    names = BYLINE_SEPARATOR.split(re.sub(r"^by\s+", "", line, flags=re.IGNORECASE))
    return [name.strip() for name in names if name.strip()]


def _take_bios(blocks: list[Block], authors: list[str]) -> tuple[list[Block], dict[str, str]]:
    """Closing paragraphs that begin with an author's name are biographies, not body text."""
    bios: dict[str, str] = {}
    while blocks and authors:
        text = " ".join(blocks[-1].text.split())
        found = _bios_in(text, authors)
        if not found:
            break
        bios = found | bios
        blocks = blocks[:-1]
    return blocks, bios


def _bios_in(text: str, authors: list[str]) -> dict[str, str]:
    """Each author's part of a closing paragraph, which must begin with one of their names."""
    starts = sorted(
        (match.start(), author)
        for author in authors
        for match in re.finditer(rf"(?:^|(?<=[.!?]\s)){re.escape(author)}\b", text)
    )
    if not starts or starts[0][0] != 0:
        return {}
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return {author: text[start:end].strip() for (start, author), end in zip(starts, ends, strict=True)}


def _is_prose(block: Block) -> bool:
    return not (STRUCTURE.match(block.text) or BREAK.match(block.text))


def _continues(first: str, second: str) -> bool:
    """Whether `second` carries on the sentence `first` was cut off in."""
    if first.endswith(CLOSING) and not LINK_END.search(first):
        return False
    open_link = first.count("[") > first.count("]")
    return second[:1].islower() or open_link or (bool(LINK_END.search(first)) and second.startswith("["))


def _join_split_paragraphs(blocks: list[Block], repairs: list[Repair], undo: frozenset[str]) -> list[Block]:
    # Each paragraph is kept as its pieces, joined once at the end: joining as we go would copy the
    # growing paragraph at every page break.
    groups: list[tuple[Block, list[str]]] = []
    for block in blocks:
        start, pieces = groups[-1] if groups else (None, [])
        if start and _is_prose(start) and _is_prose(block) and _continues(pieces[-1], block.text):
            key, description = f"join-{block.line}", _join_description(pieces[-1], block.text)
            if key in undo:
                repairs.append(Repair(key, block.line, description, made=False))
            else:
                repairs += [
                    Repair(key, block.line, description),
                    *_join(pieces, block.text, undo, block.line),
                ]
                continue
        groups.append((block, [block.text]))
    return [Block(start.line, "".join(pieces)) for start, pieces in groups]


def _join(pieces: list[str], second: str, undo: frozenset[str], line: int) -> list[Repair]:
    """Add `second` to the pieces of the paragraph it continues, mending a link split with it."""
    first = pieces[-1]
    end, start = LINK_END.search(first), LINK_START.match(second)
    if end and start and _same_target(end.group(2), start.group(2)) and len(end.group(0)) < LINK_WORDS_MAX:
        key = f"link-{line}"
        description = f"Joined the link “{end.group(1)}” and “{start.group(1)}” into one note."
        if key in undo:
            pieces += [" ", second]
            return [Repair(key, line, description, made=False)]
        pieces[-1] = first[: end.start()]
        pieces.append(f"[{end.group(1)} {start.group(1)}]({end.group(2)}){second[start.end() :]}")
        return [Repair(key, line, description)]
    # A word hyphenated across the page break is joined without a space.
    pieces += [second] if re.search(r"[A-Za-z]-$", first) else [" ", second]
    return []


def _same_target(first: str, second: str) -> bool:
    lost = {"", "#"}
    return first == second or (first in lost and second in lost)


def _join_description(first: str, second: str) -> str:
    before = " ".join(first.split()[-4:])
    after = " ".join(second.split()[:4])
    return f"Joined a paragraph split at a page break: “…{before}” + “{after}…”."


def _unescape(body: str, repairs: list[Repair], undo: frozenset[str]) -> str:
    count = body.count("\\$")
    if not count:
        return body
    made = "unescape-dollar" not in undo
    times = "once" if count == 1 else f"{count} times"
    repairs.append(Repair("unescape-dollar", 0, f"Wrote \\$ as $ ({times}).", made=made))
    return body.replace("\\$", "$") if made else body


def _repair_addresses(body: str, repairs: list[Repair], warnings: list[str], undo: frozenset[str]) -> str:
    """Give `https://` to addresses written without it; a link to anything else is a lost address."""
    targets = {}
    for link in render_body(body).links:
        if link.kind is not TargetKind.INVALID:
            continue
        key, fixed = f"address-{link.target}", with_scheme(link.target)
        if fixed:
            repairs.append(
                Repair(key, 0, f"Note {link.number}: wrote “{link.target}” as “{fixed}”.", key not in undo)
            )
            if key not in undo:
                targets[link.number] = fixed
                continue
        targets[link.number] = "#"
        warnings.append(
            f"Note {link.number} (“{link.anchor_text}”): “{link.target}” is not a web address, so the note "
            "gets a placeholder source; pick its source on the missing links page."
        )
    return rewrite_link_targets(body, targets) if targets else body
