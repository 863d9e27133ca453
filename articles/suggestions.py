"""Sentences of an article worth checking: those that carry a note or a figure.

Each becomes a suggested claim anchored to its exact words, with the notes inside it and the
quantity its figures give. Only running text is read: headings and table cells are not claims.
"""

import hashlib
from bisect import bisect_left
from dataclasses import dataclass

import sentencex

from .anchoring import anchor_at, fold
from .quantities import Figure, find_figures, main_quantity
from .rendering import RenderedBody

LANGUAGE = "en"


@dataclass(frozen=True)
class SentenceDraft:
    """A sentence that may be a claim, where it is, and what it carries."""

    position: int
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int
    note_numbers: tuple[int, ...]
    quantity: Figure | None

    @property
    def fingerprint(self) -> str:
        return sentence_fingerprint(self.quote)


def sentence_fingerprint(quote: str) -> str:
    """The same sentence gives the same fingerprint, whatever its typography and spacing."""
    return hashlib.sha256(" ".join(fold(quote).split()).encode()).hexdigest()


def _sentences(text: str, start: int, end: int):
    """(start, end) of each sentence of text[start:end], surrounding spaces left out."""
    position = start
    for sentence in sentencex.segment(LANGUAGE, text[start:end]):
        found = text.find(sentence, position, end)
        if found < 0:  # the segmenter changed the text: skip rather than misplace
            continue
        position = found + len(sentence)
        stripped = sentence.strip()
        if stripped:
            offset = found + (len(sentence) - len(sentence.lstrip()))
            yield offset, offset + len(stripped)


def suggest_sentences(rendered: RenderedBody) -> list[SentenceDraft]:
    """Every sentence of the body's paragraphs that carries a note or a figure, in reading order."""
    drafts: list[SentenceDraft] = []
    starts = [link.text_start for link in rendered.links]  # in reading order, so sorted
    for block in rendered.blocks:
        if block.kind != "paragraph":
            continue
        for start, end in _sentences(rendered.text, block.start, block.end):
            quote = rendered.text[start:end]
            notes = tuple(range(bisect_left(starts, start) + 1, bisect_left(starts, end) + 1))
            figures = find_figures(quote)
            if not notes and not figures:
                continue
            anchor = anchor_at(rendered.text, start, end)
            drafts.append(
                SentenceDraft(
                    position=len(drafts) + 1,
                    quote=quote,
                    prefix=anchor.prefix,
                    suffix=anchor.suffix,
                    start=start,
                    end=end,
                    note_numbers=notes,
                    quantity=main_quantity(figures),
                )
            )
    return drafts


def sentence_around(rendered: RenderedBody, position: int) -> tuple[int, int]:
    """Where the sentence holding the character at `position` starts and ends in the text."""
    block = next((block for block in rendered.blocks if block.start <= position < block.end), None)
    if block is None:
        return position, position
    for start, end in _sentences(rendered.text, block.start, block.end):
        if start <= position < end:
            return start, end
    return block.start, block.end
