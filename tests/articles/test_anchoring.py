from bs4 import BeautifulSoup

from articles.anchoring import anchor_at, find_quote, fold, mark_claims
from articles.models import Claim
from articles.rendering import render_body

TEXT = "In 2021 trade rose. Later, in 2022 trade rose again.\n\nA new paragraph about “trade” – rose."


def test_a_quote_is_found_with_fresh_context_cut_at_words_and_at_its_paragraph():
    anchor = find_quote(TEXT, "in 2022 trade rose again")
    assert TEXT[anchor.start : anchor.end] == "in 2022 trade rose again"
    assert (anchor.prefix, anchor.suffix) == ("In 2021 trade rose. Later, ", ".")


def test_where_words_occur_twice_the_stored_context_chooses():
    after = find_quote(TEXT, "trade rose", prefix="Later, in 2022 ", suffix=" again")
    assert TEXT[after.start - 8 : after.start] == "in 2022 "
    first = find_quote(TEXT, "trade rose", prefix="In 2021 ", suffix=". Later")
    assert first.start == 8


def test_typography_and_spacing_do_not_matter():
    anchor = find_quote(TEXT, 'about "trade" -  rose')
    assert TEXT[anchor.start : anchor.end] == "about “trade” – rose"


def test_words_that_are_gone_are_not_found():
    assert find_quote(TEXT, "trade fell") is None
    assert find_quote(TEXT, "   ") is None


def test_folding_keeps_every_offset():
    assert len(fold(TEXT)) == len(TEXT)
    assert anchor_at(TEXT, 0, 2).prefix == ""


# Marking public claims in the rendered body


def _claim(pk: int, quote: str, **fields) -> Claim:
    """A claim as a page has it: not saved, the marking needs no database."""
    fields.setdefault("statement", f"Statement {pk}.")
    fields.setdefault("status", Claim.Status.VERIFIED)
    return Claim(pk=pk, quote=quote, **fields)


def _marks(html: str) -> list[tuple[str, str]]:
    """Each marked piece of text, with the claim it belongs to."""
    soup = BeautifulSoup(html, "html.parser")
    return [(mark["data-claim"], mark.get_text()) for mark in soup.select(".claim-mark")]


def _signs(html: str) -> list[dict]:
    return [sign.attrs for sign in BeautifulSoup(html, "html.parser").select("a.claim-ref")]


def _text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


BODY = render_body(
    "Moscow courted the region: Vladimir Putin [made five trips to Central Asia](https://a.example/trips) "
    "in 2022, more than anywhere else.\n\n"
    "Trade rose. Later, trade rose again, as R&D spending did."
).html


def test_a_claim_is_marked_across_its_note_and_its_sign_follows_the_note_number():
    html = mark_claims(BODY, [_claim(7, "Vladimir Putin made five trips to Central Asia in 2022")])

    assert _marks(html) == [
        ("7", "Vladimir Putin "),
        ("7", "made five trips to Central Asia"),
        ("7", " in 2022"),
    ]
    soup = BeautifulSoup(html, "html.parser")
    sign = soup.select_one("a.claim-ref")
    assert sign["href"] == "/claims/7/"
    assert sign["id"] == "claim-ref-7"
    assert sign["aria-label"] == "Claim, verified: Statement 7."
    assert "claim-ref--verified" in sign["class"]
    assert _text(html) == _text(BODY)  # marking adds no words and loses none


def test_a_sign_after_words_that_end_in_a_note_goes_after_the_note_number():
    html = mark_claims(BODY, [_claim(1, "Vladimir Putin made five trips to Central Asia")])

    sign = BeautifulSoup(html, "html.parser").select_one("a.claim-ref")
    assert sign.find_previous_sibling().name == "sup"
    assert "note-ref" in sign.find_previous_sibling()["class"]


def test_note_numbers_are_not_words_of_the_text():
    # "Asia1 in": the number of note 1 sits between the words but is no part of the quote.
    assert _marks(mark_claims(BODY, [_claim(1, "Central Asia in 2022")])) != []


def test_where_words_repeat_the_stored_context_chooses_and_entities_are_read_as_characters():
    html = mark_claims(BODY, [_claim(3, "trade rose", quote_prefix="Later, ", quote_suffix=" again")])
    assert _marks(html) == [("3", "trade rose")]
    assert "Later, " in html.split('class="claim-mark"')[0][-40:]

    html = mark_claims(BODY, [_claim(4, "as R&D spending did")])
    assert _marks(html) == [("4", "as R&D spending did")]
    assert "R&amp;D" in html


def test_claims_whose_words_are_gone_orphaned_or_without_a_quote_are_not_marked():
    claims = [
        _claim(1, "trade fell"),
        _claim(2, "Trade rose", orphaned=True),
        _claim(3, ""),
    ]
    assert mark_claims(BODY, claims) == BODY


def test_a_claim_overlapping_one_marked_before_it_is_left_unmarked():
    html = mark_claims(BODY, [_claim(2, "Putin made five trips"), _claim(1, "Vladimir Putin made")])
    assert {claim for claim, _ in _marks(html)} == {"1"}
    assert [sign["data-claim"] for sign in _signs(html)] == ["1"]


def test_two_claims_in_one_paragraph_are_both_marked_in_order():
    html = mark_claims(BODY, [_claim(2, "Later, trade rose again"), _claim(1, "Trade rose.")])
    assert [sign["data-claim"] for sign in _signs(html)] == ["1", "2"]


def test_a_statement_is_escaped_in_the_signs_label():
    html = mark_claims(BODY, [_claim(1, "Trade rose", statement='Trade "rose" <b>fast</b> & far')])
    sign = BeautifulSoup(html, "html.parser").select_one("a.claim-ref")
    assert sign["aria-label"] == 'Claim, verified: Trade "rose" <b>fast</b> & far'
    assert "<b>" not in html


def test_each_claim_has_its_status_on_its_sign():
    html = mark_claims(BODY, [_claim(1, "Trade rose", status=Claim.Status.DISPUTED)])
    sign = _signs(html)[0]
    assert "claim-ref--disputed" in sign["class"]
    assert sign["aria-label"].startswith("Claim, disputed:")


def test_a_body_marked_before_is_marked_afresh_when_anything_a_mark_shows_changes():
    """Marked bodies are reused (`_marked` is memoised): the same claim with another status,
    statement or quote must not get the marking kept from before."""
    before = _signs(mark_claims(BODY, [_claim(1, "Trade rose")]))[0]
    changes = {
        "status": {"status": Claim.Status.DISPUTED},
        "statement": {"statement": "Trade rose by a third."},
    }
    for name, fields in changes.items():
        after = _signs(mark_claims(BODY, [_claim(1, "Trade rose", **fields)]))[0]
        assert after != before, name
    assert _marks(mark_claims(BODY, [_claim(1, "Later, trade rose again")])) == [
        ("1", "Later, trade rose again")
    ]
