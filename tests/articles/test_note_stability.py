"""No edit of an article's text moves a note to another source.

The body is built from a list of links and the words between them. Random edits (insert, delete,
unlink, reorder, merge, split, reword) are applied to that list and the article saved after each;
every link that survives an edit must still cite the source it cited before. The sources of notes
whose address was lost are the ones at risk: they are known only from the text.
"""

import itertools
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from articles.models import Article, Source
from articles.rendering import render_body
from articles.services import article_render

EDITS = ("insert_lost", "insert_address", "delete", "unlink", "move", "merge", "split", "reword", "paragraph")


@dataclass(frozen=True)
class Note:
    """A link of the model body: `tag` is a word unique to it, so it can be found after any edit."""

    tag: str
    target: str
    words: str = "words"

    def markdown(self) -> str:
        return f"[{self.tag} {self.words}]({self.target})"


class Body:
    def __init__(self, count: int):
        self._tags = (f"note{n}" for n in itertools.count(1))
        self.parts: list[Note | str] = []
        for n in range(count):
            target = "#" if n % 3 else f"https://example.org/doc/{n % 5}"
            self.parts += [self._new(target), " text "]

    def _new(self, target: str) -> Note:
        return Note(tag=next(self._tags), target=target)

    def notes(self) -> list[Note]:
        return [part for part in self.parts if isinstance(part, Note)]

    def markdown(self) -> str:
        return "".join(part.markdown() if isinstance(part, Note) else part for part in self.parts)

    def read_back(self, markdown: str) -> None:
        """Take the targets the saved text gives each link (lost addresses get a citation key)."""
        targets = {link.anchor_text.split()[0]: link.target for link in render_body(markdown).links}
        self.parts = [replace(p, target=targets[p.tag]) if isinstance(p, Note) else p for p in self.parts]

    def apply(self, edit: str, first: int, second: int) -> None:
        """Make one edit. A merged link keeps the first link's tag and target; a split link's first
        half keeps them, and its second half is a new link whose address was lost."""
        notes = [i for i, part in enumerate(self.parts) if isinstance(part, Note)]
        if edit.startswith("insert"):
            target = "#" if edit == "insert_lost" else f"https://example.org/new/{first}"
            self.parts.insert(first % (len(self.parts) + 1), self._new(target))
            return
        if not notes:
            return
        at = notes[first % len(notes)]
        note = self.parts[at]
        if edit == "delete":
            del self.parts[at]
        elif edit == "unlink":
            self.parts[at] = f"{note.tag} {note.words}"
        elif edit == "move":
            del self.parts[at]
            self.parts.insert(second % (len(self.parts) + 1), note)
        elif edit == "reword":
            self.parts[at] = replace(note, words=f"other words {second}")
        elif edit == "paragraph":
            self.parts.insert(at, "\n\n")
        elif edit == "split":  # the first half keeps the link; the second becomes a new lost link
            self.parts[at : at + 1] = [replace(note, words="first half"), " ", self._new("#")]
        elif edit == "merge" and at + 2 < len(self.parts) and isinstance(self.parts[at + 2], Note):
            following = self.parts[at + 2]
            merged = replace(note, words=f"{note.words} {following.tag} {following.words}")
            self.parts[at : at + 3] = [merged]


class NoteStabilityTests(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        count=st.integers(min_value=1, max_value=25),
        edits=st.lists(
            st.tuples(st.sampled_from(EDITS), st.integers(0, 200), st.integers(0, 200)),
            min_size=1,
            max_size=12,
        ),
    )
    def test_no_edit_moves_a_surviving_note_to_another_source(self, count, edits):
        body = Body(count)
        article = Article.objects.create(title="Stable", slug="stable", body=body.markdown())
        article_render(article=article)
        body.read_back(article.body)
        cited = self._sources_by_tag(article)
        for edit, first, second in edits:
            body.apply(edit, first, second)
            article.body = body.markdown()
            article_render(article=article)
            body.read_back(article.body)
            now = self._sources_by_tag(article)
            for tag, source in now.items():
                assert cited.setdefault(tag, source) == source, f"{tag} moved after {edit}"
        cited_now = set(self._sources_by_tag(article).values())
        orphans = Source.objects.filter(placeholder=True).exclude(pk__in=cited_now)
        assert not orphans.exists(), "placeholders nothing cites are removed"

    def _sources_by_tag(self, article: Article) -> dict[str, int]:
        return {
            citation.anchor_text.split()[0]: citation.source_id
            for citation in article.citations.all()
            if citation.anchor_text.split()[0].startswith("note")
        }
