"""Readable differences between two saved versions of a record: by field, and word by word."""

import datetime
import difflib
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Words, punctuation and the spaces between them: joining the pieces gives the text back exactly,
# and a comma added after a word does not mark the word as changed.
WORDS = re.compile(r"\s+|\w+|[^\w\s]+")
# The blank lines between paragraphs.
PARAGRAPHS = re.compile(r"\n\s*\n")
# A value this short, without spaces (a status, a key, a number), is shown whole, not word by word.
SHORT_VALUE = 40
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
        """Texts word by word; a status, a date, a number or a key whole, the old one struck through."""
        if _is_value(self.before) and _is_value(self.after):
            return format_html(
                "{} → {}", _marked_or_none("del", self.before), _marked_or_none("ins", self.after)
            )
        return text_diff_html(self.before, self.after)


def _is_value(text: str) -> bool:
    return len(text) <= SHORT_VALUE and (" " not in text or any(c.isdigit() for c in text))


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
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def text_diff_html(before: str, after: str) -> SafeString:
    """`after` as a reader would mark up `before`: removed words in <del>, added ones in <ins>.

    Paragraphs are compared first and unchanged ones kept whole, so a long article's diff stays
    readable; within a changed paragraph, words are compared.
    """
    old, new = PARAGRAPHS.split(before), PARAGRAPHS.split(after)
    shown = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            shown += [escape(paragraph) for paragraph in new[j1:j2]]
        elif op == "replace" and i2 - i1 == j2 - j1:
            shown += [_word_diff(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True)]
        elif op == "replace":
            shown.append(_word_diff("\n\n".join(old[i1:i2]), "\n\n".join(new[j1:j2])))
        else:
            shown += [_marked("del", paragraph) for paragraph in old[i1:i2]]
            shown += [_marked("ins", paragraph) for paragraph in new[j1:j2]]
    return mark_safe("\n\n".join(shown))  # noqa: S308 - every piece is escaped above


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


def _marked_or_none(tag: str, text: str) -> SafeString:
    """`text` inside `tag`, or an unmarked dash where there was no value."""
    return format_html("<" + tag + ">{}</" + tag + ">", text) if text else mark_safe("—")  # noqa: S308


def _marked(tag: str, text: str) -> str:
    """`text` inside `tag`, its surrounding blank space left outside, where a reader would not see it."""
    if not text.strip():
        return escape(text)
    lead, core, trail = re.match(r"(\s*)(.*?)(\s*)$", text, re.DOTALL).groups()
    return escape(lead) + format_html_join("", "<" + tag + ">{}</" + tag + ">", [(core,)]) + escape(trail)
