from relations.mentions import ActorFinder, Mention

KAZAKHSTAN, RUSSIA, CSTO, CENTRAL_ASIA, INSTITUTE, TURKEY = range(1, 7)
FINDER = ActorFinder(
    [
        (KAZAKHSTAN, "Kazakhstan"),
        (KAZAKHSTAN, "Kazakh"),
        (KAZAKHSTAN, "Astana"),
        (RUSSIA, "Russia"),
        (RUSSIA, "Moscow"),
        (CSTO, "CSTO"),
        (CENTRAL_ASIA, "Central Asia"),
        (INSTITUTE, "Central Asia-Caucasus Institute"),
        (TURKEY, "Turkey"),
        (TURKEY, " "),  # blank aliases are ignored
    ]
)


def _found(text):
    return [(text[m.start : m.end], m.actor_id) for m in FINDER.find(text)]


def test_names_aliases_demonyms_and_abbreviations_are_found_in_order():
    text = "Moscow pressed the CSTO, and Kazakh officials in Astana said no to Russia."
    assert _found(text) == [
        ("Moscow", RUSSIA),
        ("CSTO", CSTO),
        ("Kazakh", KAZAKHSTAN),
        ("Astana", KAZAKHSTAN),
        ("Russia", RUSSIA),
    ]


def test_only_whole_words_match_but_possessives_and_plurals_do():
    assert _found("Kazakhstan's exports; the Kazakhs; Kazakhstani banks; Russian troops; Russia’s role") == [
        ("Kazakhstan", KAZAKHSTAN),
        ("Kazakh", KAZAKHSTAN),
        ("Russia", RUSSIA),
    ]


def test_the_longest_overlapping_name_wins():
    assert _found("a fellow of the Central Asia-Caucasus Institute on Central Asia") == [
        ("Central Asia-Caucasus Institute", INSTITUTE),
        ("Central Asia", CENTRAL_ASIA),
    ]


def test_names_are_matched_with_their_capitals():
    assert _found("roast turkey in Turkey") == [("Turkey", TURKEY)]


def test_a_finder_without_names_finds_nothing():
    assert ActorFinder([]).find("Russia") == []
    assert FINDER.find("") == []
    assert Mention(actor_id=1, start=0, end=6).end == 6
