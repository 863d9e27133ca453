from articles.anchoring import anchor_at, find_quote, fold

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
