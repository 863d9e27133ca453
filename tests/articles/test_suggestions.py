from decimal import Decimal

from articles.rendering import render_body
from articles.suggestions import sentence_around, sentence_fingerprint, suggest_sentences

BODY = """## Exports rose by 45 per cent

Trade with China hit a record in 2022, exceeding $70 billion. Officials were pleased.
The [customs office](#) and [the ministry](#) published figures. Nobody disagreed.

| year | share |
|------|-------|
| 2023 | 60%   |

> Close to half a million Russians arrived, [officials said](#).
"""


def test_sentences_with_a_figure_or_a_note_are_suggested_and_others_not():
    drafts = suggest_sentences(render_body(BODY))
    assert [draft.quote for draft in drafts] == [
        "Trade with China hit a record in 2022, exceeding $70 billion.",
        "The customs office and the ministry published figures.",
        "Close to half a million Russians arrived, officials said.",
    ]  # not the heading, not the table, not the plain sentences
    assert [draft.note_numbers for draft in drafts] == [(), (1, 2), (3,)]
    assert [draft.position for draft in drafts] == [1, 2, 3]


def test_a_suggestion_carries_its_quantity_and_context():
    first, _, last = suggest_sentences(render_body(BODY))
    assert (first.quantity.value, first.quantity.unit, first.quantity.approximation) == (
        Decimal(70_000_000_000),
        "USD",
        "more_than",
    )
    assert first.suffix == " Officials were pleased. The customs "
    assert (last.quantity.value, last.quantity.approximation) == (Decimal(500_000), "close_to")


def test_the_fingerprint_ignores_typography_and_spacing():
    assert sentence_fingerprint("Russia’s  “war”") == sentence_fingerprint('Russia\'s "war"')
    assert sentence_fingerprint("Russia's war") != sentence_fingerprint("Russia's wars")


def test_the_sentence_around_a_note():
    rendered = render_body(BODY)
    link = rendered.links[1]
    start, end = sentence_around(rendered, link.text_start)
    assert rendered.text[start:end] == "The customs office and the ministry published figures."
