"""Finding the actors a text mentions, by name or alias ("Kazakh", "Moscow", "CSTO").

Names are matched as written, capitals included ("Turkey" the state, not the bird), as whole words:
"Kazakh" is not found inside "Kazakhstan", but a possessive or plural ending is allowed
("Russia's", "Kazakhs"). Where names overlap, the longest wins ("Central Asia-Caucasus Institute"
over "Central Asia"). One pass over the text whatever the number of names (Aho-Corasick).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

# What may follow a name inside the same word: a plural or possessive ending.
ENDINGS = ("s", "'s", "’s", "'", "’")


@dataclass(frozen=True)
class Mention:
    actor_id: int
    start: int
    end: int


class ActorFinder:
    """Finds mentions of a fixed set of actors, each known by its name and aliases."""

    def __init__(self, names: Iterable[tuple[int, str]]):
        self._automaton = ahocorasick.Automaton()
        for actor_id, name in names:
            name = name.strip()
            if len(name) > 1:
                self._automaton.add_word(name, (actor_id, len(name)))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Mention]:
        """Every mention in `text`, in order, without overlaps."""
        if self._empty:
            return []
        candidates = sorted(
            (end + 1 - length, -length, actor_id)
            for end, (actor_id, length) in self._automaton.iter(text)
            if _whole_word(text, end + 1 - length, end + 1)
        )
        mentions, reached = [], 0
        for start, negative_length, actor_id in candidates:
            if start >= reached:
                mentions.append(Mention(actor_id=actor_id, start=start, end=start - negative_length))
                reached = start - negative_length
        return mentions


def _whole_word(text: str, start: int, end: int) -> bool:
    if start > 0 and text[start - 1].isalnum():
        return False
    if end == len(text) or not text[end].isalnum():
        return True
    return any(text.startswith(ending, end) and not _alnum_at(text, end + len(ending)) for ending in ENDINGS)


def _alnum_at(text: str, index: int) -> bool:
    return index < len(text) and text[index].isalnum()
