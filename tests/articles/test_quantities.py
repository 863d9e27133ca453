from decimal import Decimal

import pytest

from articles.quantities import Approximation, Figure, find_figures, main_quantity

EXACT = Approximation.EXACT
ABOUT = Approximation.ABOUT
CLOSE_TO = Approximation.CLOSE_TO
MORE_THAN = Approximation.MORE_THAN
LESS_THAN = Approximation.LESS_THAN
UP_TO = Approximation.UP_TO

# Sentences written for these tests on the facts of analysis of Central Asia in 2022.
CUSTOMS = (
    "Chinese customs figures show that China's trade with the region set a record in 2022, "
    "exceeding $70 billion."
)
TURNOVER = "Measured year on year, China's trade with the five states grew by 45 per cent."
KAZAKH_ESTIMATES = (
    "By the end of October 2022, officials in Kazakhstan put that year's Russian arrivals "
    "at close to half a million."
)
ARRIVALS = (
    "Kyrgyzstan reported that 184,000 Russians had arrived in the country from January to September, "
    "while Uzbekistan's Interior Ministry counted about 395,000 Russian citizens during the first "
    "nine months of 2022."
)
PUTIN_TRIPS = "In 2022, Vladimir Putin made no less than five trips to the region."
GRAIN = "Kazakhstan exported over 2 million tonnes of grain."
INVASION = "Russia began its full-scale invasion of Ukraine on February 24, 2022."
XI_VISIT = (
    "In mid-September 2022, Xi Jinping made Kazakhstan his first stop abroad since the Covid-19 pandemic."
)
VISA = "Uzbekistan introduced a special three-year working visa."


def figure(sentence, text, kind, value=None, unit="", approximation=EXACT, period=""):
    """The Figure expected for the first occurrence of `text` in `sentence`."""
    start = sentence.index(text)
    value = None if value is None else Decimal(value)
    return Figure(start, start + len(text), text, kind, value, unit, approximation, period)


def only_figure(sentence):
    figures = find_figures(sentence)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            CUSTOMS,
            [
                ("2022", "year"),
                ("exceeding $70 billion", "money", "70000000000", "USD", MORE_THAN, "2022"),
            ],
        ),
        (
            TURNOVER,
            [
                ("five", "number", "5", "states"),
                ("45 per cent", "percent", "45", "per cent"),
            ],
        ),
        (
            KAZAKH_ESTIMATES,
            [
                ("October 2022", "date"),
                ("close to half a million", "number", "500000", "", CLOSE_TO, "2022"),
            ],
        ),
        (
            ARRIVALS,
            [
                ("184,000", "number", "184000", "Russians", EXACT, "January to September"),
                ("about 395,000", "number", "395000", "Russian citizens", ABOUT, "first nine months of 2022"),
                ("nine", "number", "9", "months"),
                ("2022", "year"),
            ],
        ),
        (
            PUTIN_TRIPS,
            [
                ("2022", "year"),
                ("no less than five", "number", "5", "trips", MORE_THAN, "2022"),
            ],
        ),
        (GRAIN, [("over 2 million", "number", "2000000", "tonnes", MORE_THAN)]),
        (INVASION, [("February 24, 2022", "date")]),
        (XI_VISIT, [("mid-September 2022", "date")]),
        (VISA, [("three-year", "number", "3", "year")]),
    ],
    ids=[
        "customs",
        "turnover",
        "kazakh-estimates",
        "arrivals",
        "putin-trips",
        "grain",
        "invasion",
        "xi",
        "visa",
    ],
)
def test_article_sentences_yield_every_figure_in_order(sentence, expected):
    assert find_figures(sentence) == [figure(sentence, *fields) for fields in expected]


def test_a_figure_text_is_its_span_of_the_sentence():
    for sentence in (CUSTOMS, TURNOVER, KAZAKH_ESTIMATES, ARRIVALS, PUTIN_TRIPS, GRAIN, INVASION, VISA):
        for found in find_figures(sentence):
            assert found.text == sentence[found.start : found.end]


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$70 billion", "70000000000", "USD"),
        ("US$1.2bn", "1200000000", "USD"),
        ("$1.2 bn", "1200000000", "USD"),
        ("USD 3 million", "3000000", "USD"),
        ("€3 million", "3000000", "EUR"),
        ("£40m", "40000000", "GBP"),
        ("1.5 trillion roubles", "1500000000000", "RUB"),
        ("300 million yuan", "300000000", "CNY"),
        ("2 billion tenge", "2000000000", "KZT"),
        ("70 billion dollars", "70000000000", "USD"),
        ("70 billion US dollars", "70000000000", "USD"),
        ("5 billion euros", "5000000000", "EUR"),
        ("five billion dollars", "5000000000", "USD"),
        ("3 million KZT", "3000000", "KZT"),
        ("$5-billion", "5000000000", "USD"),
        ("¥300 million", "300000000", "CNY"),
    ],
)
def test_money_is_valued_in_its_currency(text, value, currency):
    sentence = f"The fund spent {text} on roads."
    assert only_figure(sentence) == figure(sentence, text, "money", value, currency)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45 per cent", "45"),
        ("45 percent", "45"),
        ("45%", "45"),
        ("12.5 per cent", "12.5"),
        ("five per cent", "5"),
    ],
)
def test_percentages_have_the_unit_per_cent(text, value):
    sentence = f"Trade grew by {text} last year."
    assert only_figure(sentence) == figure(sentence, text, "percent", value, "per cent")


def test_half_is_not_a_percentage():
    assert find_figures("Half the region's exports go to China.") == []


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("half a million", "500000", "people"),
        ("a quarter of a million", "250000", "people"),
        ("a million", "1000000", "people"),
        ("one million", "1000000", "people"),
        ("a dozen", "12", "people"),
        ("two dozen", "24", "people"),
        ("a hundred", "100", "people"),
        ("five hundred", "500", "people"),
        ("two hundred thousand", "200000", "people"),
        ("twelve", "12", "people"),
        ("twenty-five", "25", "people"),
        ("ninety", "90", "people"),
        ("2 million", "2000000", "people"),
        ("2.5 million", "2500000", "people"),
        ("50k", "50000", "people"),
        ("1,234.5", "1234.5", "people"),
    ],
)
def test_numbers_in_words_and_digits_are_valued(text, value, unit):
    sentence = f"The ministry counted {text} people at the border."
    assert only_figure(sentence) == figure(sentence, text, "number", value, unit)


def test_a_spelled_number_opening_the_sentence_counts():
    sentence = "Five delegations arrived."
    assert only_figure(sentence) == figure(sentence, "Five", "number", "5", "delegations")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("three-year", "3", "year"),
        ("five-year", "5", "year"),
        ("24-hour", "24", "hour"),
        ("10,000-strong", "10000", "strong"),
    ],
)
def test_a_number_hyphenated_to_a_noun_counts_that_noun(text, value, unit):
    sentence = f"They announced a {text} plan."
    assert only_figure(sentence) == figure(sentence, text, "number", value, unit)


@pytest.mark.parametrize(
    ("wording", "approximation"),
    [
        ("about", ABOUT),
        ("around", ABOUT),
        ("approximately", ABOUT),
        ("roughly", ABOUT),
        ("some", ABOUT),
        ("an estimated", ABOUT),
        ("close to", CLOSE_TO),
        ("nearly", CLOSE_TO),
        ("almost", CLOSE_TO),
        ("over", MORE_THAN),
        ("more than", MORE_THAN),
        ("exceeding", MORE_THAN),
        ("above", MORE_THAN),
        ("upwards of", MORE_THAN),
        ("no less than", MORE_THAN),
        ("at least", MORE_THAN),
        ("in excess of", MORE_THAN),
        ("just over", MORE_THAN),
        ("under", LESS_THAN),
        ("less than", LESS_THAN),
        ("fewer than", LESS_THAN),
        ("below", LESS_THAN),
        ("up to", UP_TO),
        ("as many as", UP_TO),
        ("as much as", UP_TO),
        ("no more than", UP_TO),
        ("About", ABOUT),
    ],
)
def test_wording_before_a_figure_sets_its_approximation_and_joins_its_text(wording, approximation):
    sentence = f"The survey found {wording} 300 firms."
    found = only_figure(sentence)
    assert (found.text, found.approximation, found.value) == (f"{wording} 300", approximation, Decimal(300))


def test_just_under_reads_as_close_to_like_nearly():
    found = only_figure("Turnover fell just under 5 per cent.")
    assert (found.text, found.approximation) == ("just under 5 per cent", CLOSE_TO)


def test_wording_before_a_currency_sign_or_code_is_taken():
    assert only_figure("Exports were nearly US$1.2bn.").text == "nearly US$1.2bn"
    assert only_figure("Exports were about USD 3 million.").approximation == ABOUT


def test_a_figure_without_wording_before_it_is_exact():
    assert only_figure("Officials counted 300 firms.").approximation == EXACT


@pytest.mark.parametrize(
    "sentence",
    [
        "It is one of the regions most exposed to sanctions.",
        "It was the first visit, and the third in a decade.",
        "The Covid-19 pandemic and the Covid\u201119 pandemic slowed trade.",
        "Ukraine used TB2 drones, asked for F-16 jets, lobbied the G7 and the A-1 road.",
        "The C5+1 format met on 5G networks for the 19th time, 24/7, at 10:30.",
        "The 1990s were hard.",
        "Two-thirds of voters stayed home.",
        "Ministers met in Astana.",
        "",
    ],
)
def test_ordinals_identifiers_and_lone_one_are_not_figures(sentence):
    assert find_figures(sentence) == []


@pytest.mark.parametrize(
    "text",
    [
        "February 24, 2022",
        "February 24th, 2022",
        "24 February 2022",
        "late October 2022",
        "mid-September 2022",
        "early March 2023",
        "October 2022",
        "Sept. 2022",
        "2022-03-07",
        "24 February",
    ],
)
def test_dates_are_figures_without_a_value(text):
    sentence = f"The decision of {text} changed the region."
    assert only_figure(sentence) == figure(sentence, text, "date")


@pytest.mark.parametrize("text", ["2022", "1991", "mid-2022", "late 2022", "pre-2014", "2022/23", "2021-22"])
def test_years_are_figures_without_a_value(text):
    sentence = f"Trade in {text} was described as a turning point."
    assert only_figure(sentence) == figure(sentence, text, "year")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2,022 people", "number", "2022"),
        ("$2022", "money", "2022"),
        ("2022 per cent", "percent", "2022"),
        ("2022 million", "number", "2022000000"),
        ("1500 soldiers", "number", "1500"),
        ("2100 soldiers", "number", "2100"),
    ],
)
def test_a_year_shaped_number_with_an_amount_marker_is_a_quantity(text, kind, value):
    assert only_figure(f"They reported {text}.").kind == kind
    assert only_figure(f"They reported {text}.").value == Decimal(value)


def test_a_bare_year_shaped_number_is_read_as_a_year_even_before_a_noun():
    assert only_figure("The 2022 elections were postponed.").kind == "year"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("184\u202f000", "184000"),
        ("184\u00a0000", "184000"),
        ("1\u2009234\u2009567", "1234567"),
        ("184\u00a0000,5", "184000.5"),
        ("184,000", "184000"),
        ("1.5", "1.5"),
    ],
)
def test_thousands_separators_and_decimal_points(text, value):
    sentence = f"Officials counted {text} tonnes."
    assert only_figure(sentence) == figure(sentence, text, "number", value, "tonnes")


@pytest.mark.parametrize("text", ["2,5", "1,2345", "1.2.3", "184,00", "1" * 30])
def test_ambiguous_or_malformed_digit_runs_are_skipped_rather_than_guessed(text):
    assert find_figures(f"The index was {text} points.") == []


def test_non_breaking_spaces_inside_wording_and_percentages():
    found = only_figure("Trade rose close\u00a0to 45\u00a0per\u00a0cent.")
    assert (found.text, found.kind, found.approximation) == (
        "close\u00a0to 45\u00a0per\u00a0cent",
        "percent",
        CLOSE_TO,
    )


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("They made five trips to Almaty.", "trips"),
        ("They made five more trips.", "trips"),
        ("Some 300 Tajik migrants were detained.", "Tajik migrants"),
        ("Spreads widened by 3 percentage points.", "percentage points"),
        ("Exactly 184,000 arrived in Bishkek.", ""),
        ("They counted 300.", ""),
        ("They counted 300, then stopped.", ""),
        ("They counted 5 km of road.", "km"),
    ],
)
def test_a_count_takes_the_noun_that_follows_it_as_written(sentence, unit):
    assert only_figure(sentence).unit == unit


@pytest.mark.parametrize(
    ("sentence", "periods"),
    [
        ("Exports rose 5 per cent in 2022, while imports fell 3 per cent.", ["2022", "2022"]),
        ("In 2021 exports rose 5 per cent, while in 2022 imports fell 3 per cent.", ["2021", "2022"]),
        ("In the first half of 2023 trade grew 9 per cent.", ["first half of 2023"]),
        ("From 2020 to 2022 trade grew 30 per cent.", ["2020 to 2022"]),
        ("Trade grew 4 per cent in Q3 2022.", ["Q3 2022"]),
        ("On 24 February 2022, 100 tanks crossed.", ["2022"]),
        ("Trade grew 4 per cent.", [""]),
    ],
)
def test_a_quantity_takes_the_nearest_period_in_its_clause(sentence, periods):
    quantities = [f for f in find_figures(sentence) if f.kind not in ("date", "year")]
    assert [f.period for f in quantities] == periods


def test_a_count_inside_a_period_phrase_has_no_period():
    nine = next(f for f in find_figures(ARRIVALS) if f.text == "nine")
    assert nine.period == ""


def test_dates_and_years_have_no_period():
    assert all(f.period == "" for f in find_figures(ARRIVALS) if f.kind in ("date", "year"))


@pytest.mark.parametrize(
    ("sentence", "text"),
    [
        (CUSTOMS, "exceeding $70 billion"),
        (TURNOVER, "45 per cent"),
        (ARRIVALS, "184,000"),
        (PUTIN_TRIPS, "no less than five"),
        ("Five ministers said 12 per cent of the $3 billion went missing.", "$3 billion"),
    ],
)
def test_main_quantity_prefers_money_then_percent_then_number(sentence, text):
    assert main_quantity(find_figures(sentence)).text == text


@pytest.mark.parametrize("sentence", [INVASION, XI_VISIT, "Nothing changed.", "In 2022 nothing changed."])
def test_main_quantity_is_none_without_a_quantity(sentence):
    assert main_quantity(find_figures(sentence)) is None


def test_main_quantity_of_no_figures_is_none():
    assert main_quantity([]) is None


def test_a_very_long_sentence_is_read_completely():
    # Scanning is linear; a 50,000-character sentence must be read in one pass, figure by figure.
    parts = [CUSTOMS, TURNOVER, KAZAKH_ESTIMATES, ARRIVALS, PUTIN_TRIPS, GRAIN, INVASION, XI_VISIT, VISA]
    block = " ".join(parts)
    per_block = sum(len(find_figures(part)) for part in parts)
    repeats = 50_000 // len(block) + 1
    sentence = " ".join([block] * repeats)
    assert len(sentence) > 50_000
    figures = find_figures(sentence)
    assert len(figures) == per_block * repeats
    assert figures[-1].text == "three-year"


def test_long_runs_of_spaces_digits_and_words_are_read_without_figures_going_missing():
    assert len(find_figures("five" + " " * 50_000 + "trips")) == 1
    assert find_figures("1" * 50_000) == []
    assert len(find_figures("two " * 10_000)) == 10_000
