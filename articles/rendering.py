"""An article's Markdown: sanitised HTML whose links are numbered notes, the plain text readers see,
and rewriting which source a note cites.

Which source a note cites is written in the link itself, never remembered by the note's number:
- `[words](https://…)` cites the source at that address;
- `[words](source:KEY)` cites the source with that citation key;
- `[words](#)` is a link whose address was lost; saving gives it a placeholder source and writes
  that source's key into the link.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline.autolink import autolink as _parse_autolink
from markdown_it.rules_inline.link import link as _parse_link
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "em", "strong", "s",
    "code", "pre", "sup", "sub", "span", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "aria-label"},
    "sup": {"class", "id"},
    "span": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
KEY_PREFIX = "source:"
KEY_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")
# Longer runs of text are cut into pieces this size before smart quotes, whose cost grows with
# the square of a piece's length; the pieces are joined again afterwards.
TEXT_PIECE = 1000
BLOCK_SEPARATOR = "\n\n"


class TargetKind(StrEnum):
    ADDRESS = "address"  # a web address
    KEY = "key"  # a citation key: source:KEY
    LOST = "lost"  # (#): the address was lost
    INVALID = "invalid"  # anything else: relative, www. without a scheme, mailto:, ftp:, …


@dataclass(frozen=True)
class Link:
    """A link in the text: it becomes note `number`, citing the source its target names."""

    number: int
    anchor_text: str
    target: str
    title: str = ""
    # Where the linked words are in the plain text of the body.
    text_start: int = 0
    text_end: int = 0

    @property
    def kind(self) -> TargetKind:
        return target_kind(self.target)

    @property
    def url(self) -> str:
        return self.target if self.kind is TargetKind.ADDRESS else ""

    @property
    def key(self) -> str:
        return self.target.removeprefix(KEY_PREFIX) if self.kind is TargetKind.KEY else ""


@dataclass(frozen=True)
class TextBlock:
    """A paragraph, heading, list item or table cell of the plain text, by its place in it."""

    kind: str  # "paragraph", "heading" or "cell"
    start: int
    end: int


@dataclass(frozen=True)
class RenderedBody:
    html: str
    links: list[Link]
    text: str
    blocks: list[TextBlock]


class LinkRewriteError(ValueError):
    """A link's target could not be rewritten without changing anything else."""


def target_kind(target: str) -> TargetKind:
    if target in {"", "#"}:
        return TargetKind.LOST
    if target.startswith(KEY_PREFIX):
        key = target.removeprefix(KEY_PREFIX)
        return TargetKind.KEY if KEY_PATTERN.fullmatch(key) else TargetKind.INVALID
    if target.lower().startswith(("http://", "https://")):
        return TargetKind.ADDRESS
    return TargetKind.INVALID


def key_target(key: str) -> str:
    """How a link names the source with citation key `key`."""
    return f"{KEY_PREFIX}{key}"


@cache  # built once: parsing and rendering keep no state between calls
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    # Images would load from anywhere; the analysis is text.
    md.disable("image")
    md.inline.ruler.at("link", _link_with_span)
    md.inline.ruler.at("autolink", _autolink_with_span)
    md.core.ruler.before("smartquotes", "cut_long_text", _cut_long_text)
    md.add_render_rule("link_open", _render_note_open)
    md.add_render_rule("link_close", _render_note_close)
    return md


def _link_with_span(state, silent: bool) -> bool:
    """The link rule, also noting where in its block's text the link's markup starts and ends."""
    start, first = state.pos, len(state.tokens)
    if not _parse_link(state, silent):
        return False
    if not silent:
        label_end = state.md.helpers.parseLinkLabel(state, start, True)
        link_open = next(token for token in state.tokens[first:] if token.type == "link_open")
        link_open.meta["span"] = (start, label_end + 1, state.pos)
    return True


def _autolink_with_span(state, silent: bool) -> bool:
    """The autolink rule (`<https://…>`), noting its markup's place too: it has no words apart."""
    start, first = state.pos, len(state.tokens)
    if not _parse_autolink(state, silent):
        return False
    if not silent:
        link_open = next(token for token in state.tokens[first:] if token.type == "link_open")
        link_open.meta["span"] = (start, start, state.pos)
    return True


def _cut_long_text(state) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = [piece for token in block.children for piece in _pieces(token)]


def _pieces(token: Token) -> list[Token]:
    if token.type != "text" or len(token.content) <= 2 * TEXT_PIECE:
        return [token]
    text, pieces, start = token.content, [], 0
    while start < len(text):
        end = text.find(" ", start + TEXT_PIECE)
        end = len(text) if end == -1 else end + 1
        piece = Token("text", "", 0, level=token.level)
        piece.content = text[start:end]
        pieces.append(piece)
        start = end
    return pieces


def _render_note_open(self, tokens, idx, options, env):
    return '<span class="cited">'


def _render_note_close(self, tokens, idx, options, env):
    number = tokens[idx].meta["number"]
    return (
        f'</span><sup class="note-ref" id="ref-{number}">'
        f'<a href="#note-{number}" aria-label="Note {number}">{number}</a></sup>'
    )


def _block_kind(opening: Token) -> str:
    return {"heading_open": "heading", "th_open": "cell", "td_open": "cell"}.get(opening.type, "paragraph")


def _read(tokens: list[Token]) -> tuple[list[Link], str, list[TextBlock]]:
    """Number every link in reading order, marking its tokens for the renderer, and spell out the text."""
    links: list[Link] = []
    pieces: list[str] = []
    blocks: list[TextBlock] = []
    length = 0
    for index, block in enumerate(tokens):
        if block.type != "inline":
            continue
        if blocks:
            pieces.append(BLOCK_SEPARATOR)
            length += len(BLOCK_SEPARATOR)
        block_start, open_link = length, None
        for token in block.children or ():
            if token.type == "link_open":
                open_link, first_piece, link_start = token, len(pieces), length
            elif token.type == "link_close" and open_link is not None:
                token.meta["number"] = len(links) + 1
                links.append(
                    _link(len(links) + 1, open_link, "".join(pieces[first_piece:]), link_start, length)
                )
                open_link = None
            elif piece := _plain(token):
                pieces.append(piece)
                length += len(piece)
        blocks.append(TextBlock(kind=_block_kind(tokens[index - 1]), start=block_start, end=length))
    return links, "".join(pieces), blocks


def _plain(token: Token) -> str:
    if token.type in {"text", "code_inline"}:
        return token.content
    return " " if token.type in {"softbreak", "hardbreak"} else ""


def _link(number: int, link_open: Token, words: str, start: int, end: int) -> Link:
    return Link(
        number=number,
        anchor_text=" ".join(words.split()),
        target=(link_open.attrGet("href") or "").strip(),
        title=" ".join(str(link_open.attrGet("title") or "").split()),
        text_start=start,
        text_end=end,
    )


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def normalise_newlines(markdown: str) -> str:
    """The text as the parser reads it: line breaks as \\n, no NUL characters."""
    return re.sub(r"\r\n?", "\n", markdown or "").replace("\0", "\ufffd")


def render_body(markdown: str) -> RenderedBody:
    md = _markdown()
    tokens = md.parse(normalise_newlines(markdown))
    links, text, blocks = _read(tokens)
    html = md.renderer.render(tokens, md.options, {})
    return RenderedBody(html=sanitise_html(html), links=links, text=text, blocks=blocks)


def rewrite_link_targets(markdown: str, targets: Mapping[int, str]) -> str:
    """`markdown` with note `n` pointing at `targets[n]`, and not one other character changed.

    The linked words are kept as written; whatever followed them (an address, a title, a reference)
    becomes `(target)`. The result is parsed again to prove that only those targets changed.
    """
    source = normalise_newlines(markdown)
    if not targets:
        return source
    tokens = _markdown().parse(source)
    before = _read(tokens)[0]
    line_starts = [0, *(match.end() for match in re.finditer("\n", source)), len(source)]
    edits = [
        edit
        for (first_line, end_line), blocks in _regions(tokens).items()
        for edit in _region_edits(source, line_starts[first_line], line_starts[end_line], blocks, targets)
    ]
    pieces, done = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [source[done:start], replacement]
        done = end
    rewritten = "".join([*pieces, source[done:]])
    _check_rewrite(before, rewritten, targets)
    return rewritten


def _links_of(markdown: str) -> list[Link]:
    return _read(_markdown().parse(markdown))[0]


def _regions(tokens: list[Token]) -> dict[tuple[int, int], list[tuple[Token, list[tuple[int, Token]]]]]:
    """The text blocks by the source lines they come from (table cells share a line), with their links."""
    regions: dict[tuple[int, int], list[tuple[Token, list[tuple[int, Token]]]]] = {}
    number = 0
    for block in tokens:
        if block.type != "inline":
            continue
        numbered = []
        for token in block.children or ():
            if token.type == "link_open":
                number += 1
                numbered.append((number, token))
        regions.setdefault(tuple(block.map), []).append((block, numbered))
    return regions


def _region_edits(
    source: str, region_start: int, region_end: int, blocks, targets
) -> list[tuple[int, int, str]]:
    """Where in the source each link of these blocks to be rewritten has the part after its words.

    A block's text is its source lines less container markers (`>`, list indents), so a link's
    markup appears in both in the same order: the k-th occurrence in the text is the k-th in the
    source lines.
    """
    wanted = [
        (number, index, token)
        for index, (_, numbered) in enumerate(blocks)
        for number, token in numbered
        if number in targets
    ]
    if not wanted:
        return []
    joined, offsets = "", []
    for block, _ in blocks:
        offsets.append(len(joined))
        joined += block.content + "\0"
    edits, found = [], {}
    for number, index, token in wanted:
        if "span" not in token.meta:
            raise LinkRewriteError(
                f"Note {number} is written so that its address cannot be changed here: "
                "write it as [words](address)."
            )
        start, label_end, end = token.meta["span"]
        content = blocks[index][0].content
        markup = (content[start:label_end], content[label_end:end])
        if markup not in found:
            pattern = re.compile(f"({_flexible(markup[0])})({_flexible(markup[1])})")
            found[markup] = (
                {match.start(): n for n, match in enumerate(pattern.finditer(joined))},
                list(pattern.finditer(source, region_start, region_end)),
            )
        in_text, in_source = found[markup]
        occurrence = in_text.get(offsets[index] + start)
        if occurrence is None or len(in_text) != len(in_source):
            raise LinkRewriteError(
                f"Note {number} could not be found again in the text to change its address: "
                "write it as [words](address)."
            )
        match = in_source[occurrence]
        autolink = label_end == start  # `<address>`: it becomes `[address](target)`
        replacement = f"[{_escaped(content[start + 1 : end - 1])}]({targets[number]})" if autolink else None
        edits.append((match.start(2), match.end(2), replacement or f"({targets[number]})"))
    return edits


def _escaped(words: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", words)


def _flexible(markup: str) -> str:
    """A pattern for `markup` that allows container markers and indents after each line break."""
    first, *rest = markup.split("\n")
    return r"\n[ \t>]*".join([re.escape(first), *(re.escape(line.lstrip(" \t")) for line in rest)])


def _check_rewrite(before: list[Link], rewritten: str, targets: Mapping[int, str]) -> None:
    expected = [(link.anchor_text, targets.get(link.number, link.target)) for link in before]
    actual = [(link.anchor_text, link.target) for link in _links_of(rewritten)]
    if actual != expected:
        raise LinkRewriteError(
            "Changing the notes' sources would have changed other text; nothing was changed."
        )
