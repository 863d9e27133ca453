"""Finding a claim's quoted words in an article's text again after the text changed.

A quote is kept with a few words before and after it. Matching ignores typography (curly or
straight quotes, dashes, spacing), so a quote copied from the page or from the Markdown is found
either way; where the words occur more than once, the occurrence whose surroundings best match the
stored words before and after wins.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape
from itertools import islice

from .rendering import BLOCK_SEPARATOR

CONTEXT = 40  # characters of context kept on each side of a quote

# Same-length substitutions, so offsets in the folded text are offsets in the original.
_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in a text, with the words just before and after it."""

    start: int
    end: int
    prefix: str
    suffix: str


def fold(text: str) -> str:
    """`text` with typographic quotes, dashes and spaces made plain, keeping every offset."""
    return text.translate(_FOLD)


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The anchor of `text[start:end]`, its context cut at word boundaries and kept within its paragraph."""
    before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
    if start > CONTEXT and " " in before:
        before = before[before.index(" ") + 1 :]
    if end + CONTEXT < len(text) and " " in after:
        after = after[: after.rindex(" ") + 1]
    before, after = before.rsplit(BLOCK_SEPARATOR, 1)[-1], after.split(BLOCK_SEPARATOR, 1)[0]
    return Anchor(start=start, end=end, prefix=before, suffix=after)


def find_quote(text: str, quote: str, *, prefix: str = "", suffix: str = "") -> Anchor | None:
    """Where `quote` is in `text`, or None when its words are gone."""
    span = _best_match(fold(text), quote, prefix, suffix)
    return None if span is None else anchor_at(text, *span)


def _best_match(folded: str, quote: str, prefix: str, suffix: str) -> tuple[int, int] | None:
    """Where `quote` is in the folded text: the occurrence whose surroundings best match the context."""
    words = fold(quote).split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    matches = list(pattern.finditer(folded))
    if not matches:
        return None
    best = max(matches, key=lambda match: _context_score(folded, match, fold(prefix), fold(suffix)))
    return best.start(), best.end()


def _context_score(folded: str, match: re.Match, prefix: str, suffix: str) -> int:
    """How many characters of the stored context sit right next to this occurrence."""
    before = folded[max(0, match.start() - len(prefix)) : match.start()]
    after = folded[match.end() : match.end() + len(suffix)]
    return _common_length(before[::-1], prefix[::-1]) + _common_length(after, suffix)


def _common_length(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


# Claims marked in the rendered text, when a page is shown: the claims as they are at that moment
# (edited, re-anchored, deleted, their article unpublished) decide what is marked, never a copy of
# them saved with the body. Their words are found as above, in the text readers see.

_TOKEN = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# A claim's sign goes after the notes that close its words, not between the words and their note.
_INLINE_CLOSING = {"</span>", "</em>", "</strong>", "</s>", "</code>", "</sub>"}


@dataclass(frozen=True)
class _Run:
    """A run of text between tags: where it begins in the text readers see, and where each of its
    characters is written in the HTML (`raw_at[i]`, and one past the last)."""

    token: int
    start: int
    raw_at: list[int]

    @property
    def end(self) -> int:
        return self.start + len(self.raw_at) - 1


def mark_claims(body: str, claims: Iterable) -> str:
    """`body` (an article's sanitised HTML) with each claim's quoted words marked, followed by a link
    to the claim.

    `claims` must all be public. Each is marked where its quote is found, its stored context choosing
    between repeats; a claim whose words are gone, or that overlaps one marked earlier in the text,
    is left unmarked. Note numbers are not part of the text, as in the anchoring above.
    """
    marks = tuple(_Mark.of(claim) for claim in claims if claim.quote and not claim.orphaned)
    return _marked(body, marks)


@dataclass(frozen=True)
class _Mark:
    """All that marking reads of a claim, so that a body marked once is reused until any of it, or
    the body, changes: finding every quote again in a long article takes milliseconds."""

    pk: int
    quote: str
    quote_prefix: str
    quote_suffix: str
    status: str
    label: str
    url: str

    @classmethod
    def of(cls, claim) -> "_Mark":
        label = f"Claim, {claim.get_status_display().lower()}: {claim.statement}"
        fields = (claim.quote, claim.quote_prefix, claim.quote_suffix, claim.status)
        return cls(claim.pk, *fields, label, claim.get_absolute_url())


@lru_cache(maxsize=64)  # a few megabytes: bodies are tens of kilobytes
def _marked(body: str, marks: tuple[_Mark, ...]) -> str:
    tokens = _TOKEN.findall(body)
    runs, text = _text_runs(tokens)
    folded, starts = fold(text), [run.start for run in runs]
    found = []
    for mark in marks:
        span = _best_match(folded, mark.quote, mark.quote_prefix, mark.quote_suffix)
        if span is not None:
            found.append((*span, mark))
    inserts: list[tuple[int, int, str]] = []  # (token, offset in it, HTML to insert there)
    reached = 0
    for start, end, mark in sorted(found, key=lambda item: (item[0], -item[1])):
        if start < reached:
            continue
        reached, last = end, None
        for run in islice(runs, max(0, bisect_right(starts, start) - 1), None):
            if run.start >= end:
                break
            first, stop = max(start, run.start), min(end, run.end)
            if first < stop and text[first:stop].strip():
                inserts.append((run.token, run.raw_at[first - run.start], _mark_open(mark)))
                inserts.append((run.token, run.raw_at[stop - run.start], "</span>"))
                last = (run, stop)
        if last is not None:
            run, stop = last
            if stop == run.end:
                token = _after_closing_notes(tokens, run.token)
                inserts.append((token, len(tokens[token]), _sign(mark)))
            else:
                inserts.append((run.token, run.raw_at[stop - run.start], _sign(mark)))
    return _with_inserts(tokens, inserts)


def _text_runs(tokens: list[str]) -> tuple[list[_Run], str]:
    """The runs of text readers see, note numbers left out, and that text with line breaks as spaces."""
    runs, pieces, length, in_note = [], [], 0, False
    for index, token in enumerate(tokens):
        if token.startswith("<"):
            if token.startswith("<sup") and "note-ref" in token:
                in_note = True
            elif token == "</sup>":
                in_note = False
            continue
        if in_note:
            continue
        plain, raw_at, done = [], [], 0
        for entity in [*_ENTITY.finditer(token), None]:
            upto = entity.start() if entity else len(token)
            plain.append(token[done:upto])
            raw_at += range(done, upto)
            if entity:
                character = unescape(entity.group(0))
                plain.append(character)
                raw_at += [entity.start()] * len(character)
                done = entity.end()
        raw_at.append(len(token))
        words = "".join(plain).replace("\n", " ")
        runs.append(_Run(token=index, start=length, raw_at=raw_at))
        pieces.append(words)
        length += len(words)
    return runs, "".join(pieces)


def _after_closing_notes(tokens: list[str], index: int) -> int:
    """The last token of the inline closings and note numbers that follow token `index`."""
    while index + 1 < len(tokens):
        following = tokens[index + 1]
        if following in _INLINE_CLOSING:
            index += 1
        elif following.startswith("<sup") and "note-ref" in following:
            index = tokens.index("</sup>", index + 1)
        else:
            break
    return index


def _with_inserts(tokens: list[str], inserts: list[tuple[int, int, str]]) -> str:
    by_token: dict[int, list[tuple[int, str]]] = {}
    for token, offset, markup in inserts:
        by_token.setdefault(token, []).append((offset, markup))
    out = []
    for index, token in enumerate(tokens):
        done = 0
        # A stable sort: at one offset, a mark's end, its sign and the next mark's start keep their order.
        for offset, markup in sorted(by_token.get(index, ()), key=lambda insert: insert[0]):
            out += [token[done:offset], markup]
            done = offset
        out.append(token[done:])
    return "".join(out)


def _mark_open(mark: _Mark) -> str:
    return f'<span class="claim-mark" data-claim="{mark.pk}">'


def _sign(mark: _Mark) -> str:
    return (
        f'<a class="claim-ref claim-ref--{escape(mark.status)}" id="claim-ref-{mark.pk}" '
        f'href="{escape(mark.url)}" data-claim="{mark.pk}" aria-label="{escape(mark.label)}"></a>'
    )
