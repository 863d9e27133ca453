"""The figures in one sentence of analysis prose, and the quantity each one states.

A figure is money ("exceeding $70 billion"), a percentage ("45 per cent"), a count ("184,000
Russians", "close to half a million", "five trips", "three-year"), a date ("February 24, 2022",
"mid-September 2022") or a year ("2022"). `find_figures` lists them in order; `main_quantity`
picks the one a claim records.

Plain Python, no Django: the Claim model imports `Approximation` from here.

Decisions a caller should know about:

* A bare four-digit number from 1900 to 2099 is a year unless it has a currency, a scale word, a
  per cent or a hyphenated noun ("2022 people" is a year; "2,022 people" is a count).
* Digit grouping: "184,000" is thousands; "1.5" is a decimal; "184 000" grouped with a
  non-breaking or thin space (U+00A0, U+2009, U+202F, U+2007) is thousands, European style, and
  may then take a decimal comma ("184 000,5"). A comma not followed by exactly three digits
  ("2,5", "1,2345") makes the whole run unreadable and it is skipped: "2,5" could be 2.5 or the
  list "2, 5", and a wrong value is worse than none. Dotted runs such as "1.2.3" are skipped too.
* Numbers inside identifiers are not figures: "Covid-19", "F-16", "G7", "TB2", "5G", "19th",
  "24/7", "10:30", "the 1990s". A number joined by a hyphen to a word is a count of that word
  ("three-year" is 3 "year"), except fractions ("two-thirds" is no figure).
* "one" counts only before hundred/dozen/thousand/million/...: "one of the regions" is no figure.
* Scale abbreviations: "bn", "tn", "mn" glued or spaced ("$1.2bn", "$1.2 bn"); "m" and "k" only
  glued ("£40m", "50k"), since a spaced "5 m" is more often metres.
* "$" is US dollars and a bare "¥" is yuan (CNY): the desk writes about China far more than Japan.
* "just under" is CLOSE_TO, like "nearly" and "almost", which also mean "slightly less than";
  "under" alone only sets a ceiling and is LESS_THAN. "just over" / "well over" are MORE_THAN.
  "at most" / "no more than" are UP_TO. Dates and years carry no approximation (always EXACT).
* A count's unit is the noun after it, as written: any capitalised words plus one lower-case word
  ("Russian citizens", "Central Asian countries"), or a capitalised plural alone ("Russians had
  arrived" gives "Russians"). It is a heuristic without a part-of-speech tagger: function words
  and lower-case words ending in "-ed" ("arrived") end it, and "more"/"new"/"other" before the
  noun are skipped. The unit is "" when no noun follows; the Claim model requires a unit for a
  value, so the caller must supply one then.
* `period`: the nearest period phrase ("January to September", "first nine months of 2022",
  "first half of 2023", "Q3 2022", "2020-2022") or year in the same clause (clauses split at
  ";" and at "while", "whereas", "but", "although"), else the nearest in the sentence. A date
  lends only its year: "by the end of October 2022" marks a point, not the span measured. A
  figure inside a period phrase ("nine months") has no period.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal


class Approximation:
    """How a figure is worded; plain strings so the Claim model's choices can reuse them."""

    EXACT = "exact"
    ABOUT = "about"
    CLOSE_TO = "close_to"
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"
    UP_TO = "up_to"


@dataclass(frozen=True)
class Figure:
    """One figure in a sentence; `text` is `sentence[start:end]`, approximation wording included."""

    start: int
    end: int
    text: str
    kind: str  # "money" | "percent" | "number" | "date" | "year"
    value: Decimal | None  # None for dates and years
    unit: str  # currency code, "per cent", the counted noun, or ""
    approximation: str  # an Approximation value
    period: str = ""


MONEY, PERCENT, NUMBER, DATE, YEAR = "money", "percent", "number", "date", "year"
PER_CENT = "per cent"

# --- Building blocks -----------------------------------------------------------------------------

_HYPHENS = "\\-\u2010\u2011"  # inside a character class: hyphen-minus, hyphen, non-breaking hyphen
_DASHES = _HYPHENS + "\u2012\u2013\u2014"
_GROUPING_SPACES = "\u00a0\u2009\u202f\u2007"  # "184 000" is thousands only with these

_YEAR = r"(?:19|20)[0-9][0-9](?!\w)"
# Month names are case-sensitive so that the verb "may" is not a month.
_MONTH = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)(?![a-z])"
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?!\w)"

_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALE_ABBREVIATIONS = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "tn": 10**12}
_SCALE_WORD = "(?:thousand|million|billion|trillion)"

_WORD_VALUES = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SMALL = "(?:two|three|four|five|six|seven|eight|nine)"
_TEEN = "(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = "(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_MULTIPLIERS = {"hundred": 100, "dozen": 12}
_FRACTIONS = {"half": Decimal("0.5"), "a quarter of": Decimal("0.25")}

_CURRENCY_SIGNS = {
    "US$": "USD", "$": "USD", "A$": "AUD", "C$": "CAD", "HK$": "HKD", "€": "EUR", "£": "GBP",
    "₽": "RUB", "₸": "KZT", "₴": "UAH", "CN¥": "CNY", "¥": "CNY",
}  # fmt: skip
_CURRENCY_CODES = (
    "USD", "EUR", "GBP", "RUB", "CNY", "RMB", "KZT", "UZS", "KGS", "TJS", "TMT", "UAH", "JPY",
    "CHF", "INR", "TRY", "AZN", "GEL", "AMD", "AUD", "CAD", "HKD",
)  # fmt: skip
_CURRENCY_NAMES = {
    "dollar": "USD", "euro": "EUR", "pound": "GBP", "rouble": "RUB", "ruble": "RUB",
    "yuan": "CNY", "renminbi": "CNY", "tenge": "KZT", "hryvnia": "UAH", "yen": "JPY",
}  # fmt: skip


def _one_of(words) -> str:
    """A regex alternation of `words`, longest first so that "US$" wins over "$"."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


# --- The scanner: one pass over the sentence finds dates, years and quantities ---------------------

_DATE = rf"""
    (?:19|20)[0-9][0-9]-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?![0-9])  # 2022-03-07
  | {_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?                                  # February 24, 2022
  | {_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?                                  # 24 February 2022
  | (?:(?i:early|mid|late)[{_HYPHENS}\s]+)?{_MONTH}\s+{_YEAR}           # mid-September 2022
"""

# Bounded lengths: nobody writes a quantity of more than about 20 digits, and a longer run of
# digits is skipped instead of being turned into a huge Decimal.
_DIGITS = rf"""
    [0-9]{{1,3}}(?:,[0-9]{{3}}){{1,6}}(?:\.[0-9]{{1,10}})?                    # 184,000   1,234.5
  | [0-9]{{1,3}}(?:[{_GROUPING_SPACES}][0-9]{{3}}){{1,6}}(?:,[0-9]{{1,10}})?  # 184 000 (European)
  | [0-9]{{1,20}}(?:\.[0-9]{{1,10}})?                                        # 2022   1.5
"""

_SPELLED = rf"""(?i:
    (?P<fraction>half|a\s+quarter\s+of)\s+(?:a|one)\s+(?P<fraction_of>{_SCALE_WORD})\b
  | (?P<base>{_TENS}(?:[{_HYPHENS}\s](?:{_SMALL}|one)\b)?|{_TEEN}|{_SMALL}
      |(?:a|one)(?=\s+(?:hundred|dozen|{_SCALE_WORD})\b))\b          # "one" alone is no figure
    (?:\s+(?P<multiplier>hundred|dozen)\b)?
)"""

_NOT_A_COUNTED_WORD = (
    r"(?i:half|halves|thirds?|quarters?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?"
    rf"|{_SCALE_WORD})\b"
)

_SCANNER = re.compile(
    rf"""
    (?<![\w.,/:+])(?<![^\W\d_][{_HYPHENS}])  # not inside a word or identifier: G7, TB2, Covid-19, C5+1
    (?:
        (?P<date>{_DATE})
      | (?P<year>(?i:early|mid|late|pre|post)[{_HYPHENS}\s]+{_YEAR}    # mid-2022, pre-2014
          |(?:19|20)[0-9][0-9][{_DASHES}/][0-9][0-9](?![0-9]))          # 2022/23, 2021-22
      | (?:(?P<sign>{_one_of(_CURRENCY_SIGNS)})|(?P<code_before>{_one_of(_CURRENCY_CODES)})\s?)?
        (?:(?P<digits>{_DIGITS})(?P<abbreviation>bn|tn|mn|m|k)?(?!\w)(?![.,/:+][0-9])
          |{_SPELLED}(?!\w))
        (?:
            [{_HYPHENS}](?!{_NOT_A_COUNTED_WORD})(?P<hyphen_noun>[^\W\d_]+)      # three-year
          | (?:(?:\s+|[{_HYPHENS}])(?P<scale>(?i:{_SCALE_WORD}|bn|tn|mn))\b)?
            (?:(?P<percent>\s?%|\s+(?i:per\s?cent|percent)\b)
              |\s+(?:(?i:US\s+)?(?P<currency_name>(?i:dollars?|euros?|pounds?(?:\s+sterling)?
                    |roubles?|rubles?|yuan|renminbi|tenge|hryvnias?|yen))
                  |(?P<code_after>{_one_of(_CURRENCY_CODES)}))\b)?
        )
        (?![{_HYPHENS}][^\W\d_])   # a hyphenated word we did not take ("two-thirds")
    )
    """,
    re.VERBOSE,
)

# Wording just before a figure; searched in a short window so the scan stays linear.
_APPROXIMATIONS = {
    "about": Approximation.ABOUT, "around": Approximation.ABOUT,
    "approximately": Approximation.ABOUT, "approx.": Approximation.ABOUT,
    "roughly": Approximation.ABOUT, "some": Approximation.ABOUT, "circa": Approximation.ABOUT,
    "estimated": Approximation.ABOUT, "an estimated": Approximation.ABOUT,
    "close to": Approximation.CLOSE_TO, "nearly": Approximation.CLOSE_TO,
    "almost": Approximation.CLOSE_TO, "just under": Approximation.CLOSE_TO,
    "just shy of": Approximation.CLOSE_TO,
    "over": Approximation.MORE_THAN, "more than": Approximation.MORE_THAN,
    "exceeding": Approximation.MORE_THAN, "above": Approximation.MORE_THAN,
    "upwards of": Approximation.MORE_THAN, "no less than": Approximation.MORE_THAN,
    "not less than": Approximation.MORE_THAN, "at least": Approximation.MORE_THAN,
    "in excess of": Approximation.MORE_THAN, "just over": Approximation.MORE_THAN,
    "well over": Approximation.MORE_THAN, "well above": Approximation.MORE_THAN,
    "under": Approximation.LESS_THAN, "less than": Approximation.LESS_THAN,
    "fewer than": Approximation.LESS_THAN, "below": Approximation.LESS_THAN,
    "well under": Approximation.LESS_THAN, "well below": Approximation.LESS_THAN,
    "up to": Approximation.UP_TO, "as many as": Approximation.UP_TO,
    "as much as": Approximation.UP_TO, "at most": Approximation.UP_TO,
    "no more than": Approximation.UP_TO, "not more than": Approximation.UP_TO,
}  # fmt: skip
_APPROXIMATION_WINDOW = 30  # longer than any phrase above with its spacing
# search() finds the leftmost start, so "no less than" wins over "less than".
_APPROXIMATION_BEFORE = re.compile(
    r"(?<!\w)(?P<words>" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _APPROXIMATIONS) + r")\s+$",
    re.IGNORECASE,
)

# --- The counted noun after a number ---------------------------------------------------------------

_NEXT_WORD = re.compile(r"\s+([^\W\d_](?:[\w'’\-]*[^\W_])?)")
_COMPOUND_UNIT = re.compile(r"\s+((?i:percentage|basis)\s+(?i:points?))\b")
_MAX_NOUN_WORDS = 4
_SKIPPED_MODIFIERS = frozenset({"more", "new", "other", "additional", "further", "extra"})
# Function words that cannot be the counted noun; they end the phrase.
_NOT_NOUNS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "within", "into",
    "onto", "over", "under", "above", "below", "between", "among", "across", "during", "since",
    "until", "after", "before", "per", "than", "as", "and", "or", "but", "nor", "while", "whereas",
    "if", "that", "which", "who", "whom", "whose", "this", "these", "those", "it", "its", "they",
    "them", "their", "he", "him", "his", "she", "her", "we", "our", "you", "your", "i", "is", "are",
    "was", "were", "be", "been", "being", "had", "have", "has", "will", "would", "shall", "should",
    "can", "could", "may", "might", "must", "did", "do", "does", "not", "no", "so", "also", "only",
    "just", "each", "respectively", "compared", "here", "there",
})  # fmt: skip

# --- Periods and clauses -------------------------------------------------------------------------

_PERIOD = re.compile(
    rf"""(?<!\w)(?:
        {_MONTH}(?:\s+{_YEAR})?\s*(?:to|through|until|till|[{_DASHES}])\s*{_MONTH}(?:\s+{_YEAR})?
      | (?i:first|last|past|final)\s+(?:(?i:{_SMALL}|{_TEEN}|{_TENS})|[0-9]+)
        \s+(?i:days|weeks|months|quarters|years)(?:\s+of\s+{_YEAR})?
      | (?i:first|second|third|fourth|last)\s+(?i:half|quarter)\s+of\s+{_YEAR}
      | [QH][1-4]\s+{_YEAR}
      | {_YEAR}\s*(?:[{_DASHES}]|\s(?:to|through)\s)\s*{_YEAR}
    )""",
    re.VERBOSE,
)
# (?<!\s): try each run of spaces once, not from every space in it, so the search stays linear.
_CLAUSE_BREAK = re.compile(r";|(?<!\s),?\s+(?i:while|whilst|whereas|but|although|though)\b")
_YEAR_IN_DATE = re.compile(rf"(?<![0-9]){_YEAR}")
_YEAR_IN_YEAR = re.compile(rf"(?:19|20)[0-9][0-9](?:[{_DASHES}/][0-9][0-9](?![0-9]))?")


# --- Public functions ------------------------------------------------------------------------------


def find_figures(sentence: str) -> list[Figure]:
    """Every figure in the sentence, in order: money, percentages, numbers (digits, with thousands
    separators and decimals, with scale words million/billion/trillion/thousand and abbreviations
    bn, m, k, tn; spelled-out numbers two..twenty, thirty..ninety, hundred, and 'half a million',
    'a quarter of a million', 'a million', 'a dozen'), full dates ('February 24, 2022',
    '24 February 2022', 'late October 2022', 'mid-September 2022', '2022-03-07'), and bare years
    1900-2099 (kind 'year', unless they are a money/number, e.g. '2,022 people')."""
    figures = [_figure(sentence, match) for match in _SCANNER.finditer(sentence)]
    return _with_periods(sentence, figures)


def main_quantity(figures: list[Figure]) -> Figure | None:
    """The figure to record as a claim's quantity: the first money figure, else the first percent,
    else the first number; never a date or year. None if there is none."""
    for kind in (MONEY, PERCENT, NUMBER):
        for figure in figures:
            if figure.kind == kind:
                return figure
    return None


# --- Reading one match -----------------------------------------------------------------------------


def _figure(sentence: str, match: re.Match) -> Figure:
    start, end = match.span()
    if match["date"] or match["year"]:
        kind = DATE if match["date"] else YEAR
        return Figure(start, end, sentence[start:end], kind, None, "", Approximation.EXACT)

    value = _digits_value(match) if match["digits"] else _spelled_value(match)
    if match["scale"]:
        scale = match["scale"].lower()
        value *= _SCALES.get(scale) or _SCALE_ABBREVIATIONS[scale]
    currency = _currency(match)
    if currency:
        kind, unit = MONEY, currency
    elif match["percent"]:
        kind, unit = PERCENT, PER_CENT
    elif _is_bare_year(match):
        return Figure(start, end, sentence[start:end], YEAR, None, "", Approximation.EXACT)
    else:
        kind = NUMBER
        unit = match["hyphen_noun"] or _counted_noun(sentence, end)

    approximation = Approximation.EXACT
    wording = _APPROXIMATION_BEFORE.search(sentence, max(0, start - _APPROXIMATION_WINDOW), start)
    if wording:
        start = wording.start()
        approximation = _APPROXIMATIONS[" ".join(wording["words"].lower().split())]
    return Figure(start, end, sentence[start:end], kind, _tidy(value), unit, approximation)


def _digits_value(match: re.Match) -> Decimal:
    digits = match["digits"]
    if any(space in digits for space in _GROUPING_SPACES):  # European: spaces group, comma is decimal
        digits = re.sub(f"[{_GROUPING_SPACES}]", "", digits).replace(",", ".")
    else:
        digits = digits.replace(",", "")
    value = Decimal(digits)
    if match["abbreviation"]:
        value *= _SCALE_ABBREVIATIONS[match["abbreviation"]]
    return value


def _spelled_value(match: re.Match) -> Decimal:
    if match["fraction"]:
        fraction = _FRACTIONS[" ".join(match["fraction"].lower().split())]
        return fraction * _SCALES[match["fraction_of"].lower()]
    value = sum(_WORD_VALUES[word] for word in re.split(f"[{_HYPHENS}\\s]", match["base"].lower()))
    if match["multiplier"]:
        value *= _MULTIPLIERS[match["multiplier"].lower()]
    return Decimal(value)


def _currency(match: re.Match) -> str:
    if match["sign"]:
        return _CURRENCY_SIGNS[match["sign"]]
    code = match["code_before"] or match["code_after"]
    if code:
        return "CNY" if code == "RMB" else code
    if match["currency_name"]:
        name = match["currency_name"].lower().split()[0]
        return _CURRENCY_NAMES[name.removesuffix("s")]
    return ""


def _is_bare_year(match: re.Match) -> bool:
    """A plain four-digit 1900-2099 with nothing that makes it an amount."""
    digits = match["digits"]
    return (
        digits is not None
        and len(digits) == 4
        and digits.isdigit()
        and 1900 <= int(digits) <= 2099
        and not (match["abbreviation"] or match["scale"] or match["hyphen_noun"])
    )


def _counted_noun(sentence: str, pos: int) -> str:
    """The noun after a count, as written: capitalised words plus one lower-case word."""
    compound = _COMPOUND_UNIT.match(sentence, pos)
    if compound:
        return " ".join(compound[1].split())
    words: list[str] = []
    for _ in range(_MAX_NOUN_WORDS):
        match = _NEXT_WORD.match(sentence, pos)
        if not match:
            break
        word = match[1]
        lower = word.lower()
        if lower in _NOT_NOUNS or lower in _WORD_VALUES or (word.islower() and lower.endswith("ed")):
            break  # a function word, another number or a verb ("arrived") ends the noun
        pos = match.end()
        if lower in _SKIPPED_MODIFIERS and not words:
            continue  # "five more trips" counts trips
        words.append(word)
        if word[0].islower() or word.endswith("s"):
            break  # "Russian citizens", "Russians": a common noun or a plural ends the phrase
    return " ".join(words)


def _tidy(value: Decimal) -> Decimal:
    """Whole numbers without a trailing ".0", so 1.2 billion reads 1200000000."""
    return Decimal(int(value)) if value == value.to_integral_value() else value


# --- Periods ---------------------------------------------------------------------------------------


def _with_periods(sentence: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with each quantity's period: the nearest period phrase or year, same clause first."""
    phrases = [(m.start(), m.end(), " ".join(m[0].split())) for m in _PERIOD.finditer(sentence)]
    phrase_starts = [start for start, _, _ in phrases]

    def inside_phrase(figure: Figure) -> bool:
        i = bisect_right(phrase_starts, figure.start) - 1
        return i >= 0 and figure.end <= phrases[i][1]

    anchors = list(phrases)
    for figure in figures:
        if figure.kind in (DATE, YEAR) and not inside_phrase(figure):
            year = (_YEAR_IN_DATE if figure.kind == DATE else _YEAR_IN_YEAR).search(figure.text)
            if year:
                anchors.append((figure.start, figure.end, year[0]))
    if not anchors:
        return figures
    anchors.sort()
    anchor_starts = [start for start, _, _ in anchors]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]

    def clause(pos: int) -> int:
        return bisect_right(breaks, pos)

    result = []
    for figure in figures:
        if figure.kind in (DATE, YEAR) or inside_phrase(figure):
            result.append(figure)
            continue
        # Only the anchors just before and just after can be nearest; prefer one in the same clause.
        i = bisect_right(anchor_starts, figure.start)
        neighbours = [anchors[j] for j in (i - 1, i) if 0 <= j < len(anchors)]
        same_clause = [a for a in neighbours if clause(a[0]) == clause(figure.start)]
        nearest = min(same_clause or neighbours, key=lambda a: _gap(a, figure))
        result.append(replace(figure, period=nearest[2]))
    return result


def _gap(anchor: tuple[int, int, str], figure: Figure) -> int:
    start, end, _ = anchor
    return figure.start - end if end <= figure.start else start - figure.end
