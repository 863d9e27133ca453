"""Turn an article's Markdown into sanitised HTML whose links are numbered notes."""

from dataclasses import dataclass
from functools import cache

import nh3
from markdown_it import MarkdownIt

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
LOST_ADDRESSES = {"", "#"}


@dataclass(frozen=True)
class Link:
    """A link in the text: it becomes note `number`, naming the source at `url` ('' when lost)."""

    number: int
    anchor_text: str
    url: str


@dataclass(frozen=True)
class RenderedBody:
    html: str
    links: list[Link]


@cache  # built once: parsing and rendering keep no state between calls
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    # Images would load from anywhere; the analysis is text.
    md.disable("image")
    md.add_render_rule("link_open", _render_note_open)
    md.add_render_rule("link_close", _render_note_close)
    return md


def _render_note_open(self, tokens, idx, options, env):
    return '<span class="cited">'


def _render_note_close(self, tokens, idx, options, env):
    number = tokens[idx].meta["number"]
    return (
        f'</span><sup class="note-ref" id="ref-{number}">'
        f'<a href="#note-{number}" aria-label="Note {number}">{number}</a></sup>'
    )


def _number_links(tokens) -> list[Link]:
    """Number every link in reading order, marking the tokens for the renderer."""
    links: list[Link] = []
    for block in tokens:
        open_link, words = None, []
        for token in block.children or ():
            if token.type == "link_open":
                open_link, words = token, []
            elif token.type == "link_close" and open_link is not None:
                number = len(links) + 1
                href = (open_link.attrGet("href") or "").strip()
                url = "" if href in LOST_ADDRESSES or not href.startswith(("http://", "https://")) else href
                links.append(Link(number=number, anchor_text=" ".join("".join(words).split()), url=url))
                token.meta["number"] = number
                open_link = None
            elif open_link is not None and token.type in {"text", "code_inline", "softbreak"}:
                words.append(" " if token.type == "softbreak" else token.content)
    return links


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_body(markdown: str) -> RenderedBody:
    md = _markdown()
    tokens = md.parse(markdown or "")
    links = _number_links(tokens)
    html = md.renderer.render(tokens, md.options, {})
    return RenderedBody(html=sanitise_html(html), links=links)
