"""Readable differences between two saved versions of a record: by field, and word by word."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Words with the spaces after them, so joining the pieces gives the text back exactly.
WORDS = re.compile(r"\S+\s*|\s+")
# Beyond this many words either side, a text is compared paragraph by paragraph only.
WORD_DIFF_LIMIT = 20_000


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str

    @property
    def html(self) -> SafeString:
        return text_diff_html(self.before, self.after)


def changed_fields(before: dict, after: dict, labels: dict[str, str]) -> list[FieldChange]:
    """The fields, among `labels`, whose values differ, in the order `labels` gives."""
    return [
        FieldChange(name, label, _shown(before.get(name)), _shown(after.get(name)))
        for name, label in labels.items()
        if _shown(before.get(name)) != _shown(after.get(name))
    ]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def text_diff_html(before: str, after: str) -> SafeString:
    """`after` as a reader would mark up `before`: removed words in <del>, added ones in <ins>.

    Paragraphs that did not change are kept whole, so a long article's diff stays readable.
    """
    pieces = []
    old_paragraphs, new_paragraphs = before.split("\n"), after.split("\n")
    matcher = difflib.SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "\n".join(old_paragraphs[i1:i2]), "\n".join(new_paragraphs[j1:j2])
        if op == "equal":
            pieces.append(escape(old))
        elif op == "replace":
            pieces.append(_word_diff(old, new))
        elif op == "delete":
            pieces.append(_marked("del", old))
        else:
            pieces.append(_marked("ins", new))
        pieces.append("\n")
    return mark_safe("".join(pieces).rstrip("\n"))  # noqa: S308 - every piece is escaped above


def _word_diff(before: str, after: str) -> str:
    old, new = WORDS.findall(before), WORDS.findall(after)
    if len(old) + len(new) > WORD_DIFF_LIMIT:
        return _marked("del", before) + "\n" + _marked("ins", after)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(_marked("del", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(_marked("ins", "".join(new[j1:j2])))
    return "".join(out)


def _marked(tag: str, text: str) -> str:
    return format_html_join("", "<" + tag + ">{}</" + tag + ">", [(text,)]) if text else ""
