"""Finding a claim's quoted words in an article's text again after the text changed.

A quote is kept with a few words before and after it. Matching ignores typography (curly or
straight quotes, dashes, spacing), so a quote copied from the page or from the Markdown is found
either way; where the words occur more than once, the occurrence whose surroundings best match the
stored words before and after wins.
"""

import re
from dataclasses import dataclass

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
    words = fold(quote).split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    folded = fold(text)
    matches = list(pattern.finditer(folded))
    if not matches:
        return None
    best = max(matches, key=lambda match: _context_score(folded, match, fold(prefix), fold(suffix)))
    return anchor_at(text, best.start(), best.end())


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
