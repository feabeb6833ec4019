"""Numbers written in words, the way learners write them: "douze", "vingt-et-un", "twelve",
"trois quarts", "un demi", "two thirds", "trois sur quatre", "moins cinq".

Whole numbers are read by text2num (a maintained parser of French and English number words);
fractions are a whole number of parts ("trois") and a part ("quarts", "cinquièmes", "thirds").
A text that is not entirely a number gives None: "deux pommes" is not 2.
"""

from __future__ import annotations

from text_to_num import text2num  # type: ignore[import-untyped]  # no stubs shipped

from content.normalize import fold

LANGUAGES = ("fr", "en")
MINUS = frozenset({"moins", "minus"})
OVER = frozenset({"sur", "over"})  # "trois sur quatre"
ONE = frozenset({"a", "an"})  # "a quarter", "a half"
# Parts that are not "<number>ième" / "<number>th": a half, a third, a quarter.
PARTS = {
    "demi": 2,
    "demie": 2,
    "demis": 2,
    "demies": 2,
    "moitie": 2,
    "tiers": 3,
    "quart": 4,
    "quarts": 4,
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
}
# Ordinals whose stem is not the number's word: cinquième (cinq), neuvième (neuf), fifth...
STEMS = {
    "cinqu": "cinq",
    "neuv": "neuf",
    "fif": "five",
    "eigh": "eight",
    "nin": "nine",
    "twelf": "twelve",
}
MAX_WORDS = 12  # longer texts are sentences, not numbers


def whole(words: list[str]) -> int | None:
    """A whole number written in words ("vingt et un") or digits ("21"), else None."""
    if not words:
        return None
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        return int(words[0])
    text = " ".join(words)
    for language in LANGUAGES:
        try:
            return int(text2num(text, language))
        except ValueError:
            continue
    return None


def part(word: str) -> int | None:
    """The denominator a part's name stands for: quarts -> 4, cinquièmes -> 5, tenths -> 10."""
    if word in PARTS:
        return PARTS[word]
    for suffix in ("iemes", "ieme", "ths", "th"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            stem = STEMS.get(stem, stem)
            found = whole([stem]) or whole([stem + "e"])  # douzième: douz -> douze
            return found if found and found > 1 else None
    return None


def read_number_words(text: str) -> float | None:
    """The value of a number written in words, or None when the text is not one."""
    words = fold(text).split()
    if not words or len(words) > MAX_WORDS:
        return None
    sign = 1.0
    if words[0] in MINUS:
        sign, words = -1.0, words[1:]
    value = _fraction(words)
    if value is None:
        found = whole(words)
        value = None if found is None else float(found)
    return None if value is None else sign * value


def _fraction(words: list[str]) -> float | None:
    """ "trois quarts", "un demi", "a half", "trois sur quatre"; None when not a fraction."""
    parts = _parts(words)
    return None if parts is None else parts[0] / parts[1]


def fraction_parts(text: str) -> tuple[int, int] | None:
    """Numerator and denominator of a fraction in words or digits: "deux quarts", "2/4"."""
    bare = "".join(text.split())
    top, slash, bottom = bare.partition("/")
    if slash and top.isdigit() and bottom.isdigit() and int(bottom):
        return int(top), int(bottom)
    return _parts(fold(text).split())


def _parts(words: list[str]) -> tuple[int, int] | None:
    """The numerator and denominator a fraction's words say, or None."""
    for index, word in enumerate(words):
        if word in OVER:
            numerator, denominator = whole(words[:index]), whole(words[index + 1 :])
            if numerator is None or not denominator:
                return None
            return numerator, denominator
    if not words:
        return None
    denominator = part(words[-1])
    if denominator is None:
        return None
    count = words[:-1]
    if not count and words[-1] not in PARTS:
        return None  # "cinquième" alone is a rank, "un cinquième" a fraction
    numerator = 1 if not count or count in (["a"], ["an"]) else whole(count)
    return None if numerator is None else (numerator, denominator)
