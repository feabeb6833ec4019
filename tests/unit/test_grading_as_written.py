"""Answers written the way people write them: numbers in words (French and English),
fractions in words, true/false with small typos."""

from __future__ import annotations

import pytest

from content.grading import exact_number, grade_numeric, grade_short, parse_number, parse_truth
from content.model import NumericAnswer
from content.number_words import read_number_words
from tests.unit.test_content_grading import numeric, short


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("six", 6),
        ("douze", 12),
        ("Douze.", 12),
        ("vingt-et-un", 21),
        ("vingt et un", 21),
        ("quatre-vingt-dix", 90),
        ("mille cinq cents", 1500),
        ("twelve", 12),
        ("twenty-one", 21),
        ("zéro", 0),
        ("moins cinq", -5),
        ("trois quarts", 0.75),
        ("un quart", 0.25),
        ("un demi", 0.5),
        ("deux tiers", 2 / 3),
        ("sept dixièmes", 0.7),
        ("trois sur quatre", 0.75),
        ("three quarters", 0.75),
        ("a half", 0.5),
        ("two thirds", 2 / 3),
        ("deux pommes", None),
        ("cinquième", None),  # a rank, not a fraction
        ("je ne sais pas", None),
    ],
)
def test_numbers_in_words(text: str, value: float | None) -> None:
    found = read_number_words(text)
    assert found == pytest.approx(value) if value is not None else found is None


@pytest.mark.parametrize(
    ("expected", "typed", "correct"),
    [
        (NumericAnswer(6), "six", True),
        (NumericAnswer(12), "douze", True),
        (NumericAnswer(12), "twelve", True),
        (NumericAnswer(21), "vingt-et-un", True),
        (NumericAnswer(0.75), "trois quarts", True),
        (NumericAnswer(0.75), "three quarters", True),
        (NumericAnswer(0.25), "un quart", True),
        (NumericAnswer(0.75), "un quart", False),
        (NumericAnswer(12), "onze", False),
        (NumericAnswer(-4), "- quatre", True),
    ],
)
def test_numeric_answers_in_words(expected: NumericAnswer, typed: str, correct: bool) -> None:
    assert grade_numeric(numeric(expected), typed).correct is correct


@pytest.mark.parametrize(
    ("accepted", "typed", "correct"),
    [
        ("3/4", "trois quarts", True),  # a fraction in words where a fraction is expected
        ("un quart", "1/4", True),
        ("12", "douze", True),
        ("douze", "12", True),
        ("3/4", "un quart", False),
        ("12", "douze ans", False),
        ("2/6", "2 sur 6", True),  # the fraction as written, in the words people use
        ("2/6", "deux sixièmes", True),
        ("2/6", "1/3", False),  # the same number, not the fraction asked for
        ("2/6", "un tiers", False),
        ("3/4", "0,75", True),  # a decimal is still read as its value
        ("3/4", "3 quarts", True),  # digits, then the part's name: as children write it
        ("trois quarts", "3 quart", True),
        ("2/6", "2 sixièmes", True),
        ("2/6", "1 tiers", False),  # still the fraction asked for
        ("3/4", "3 pommes", False),
        ("3/4", "4 quarts", False),
    ],
)
def test_short_answers_that_are_numbers(accepted: str, typed: str, correct: bool) -> None:
    assert grade_short(short(accepted), typed).correct is correct


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("fau", False),
        ("faux.", False),
        ("fo", None),  # two letters: too short to guess
        ("vrei", True),
        ("vrais", True),
        ("ture", True),
        ("flase", False),
        ("Vrai !", True),
        ("vraiment", None),
        ("peut-être", None),
        ("c'est vrai", True),  # a short sentence saying one side, as people type it
        ("oui c vrai", True),
        ("C’est faux !", False),
        ("non, c'est faux", False),
        ("هذا صحيح", True),
        ("ce n'est pas vrai", None),  # a denial: asked again rather than graded backwards
        ("non c'est vrai", None),  # both sides
        ("je ne sais pas", None),
        ("c'est vrai que la mangue est coupée en quatre parts", None),  # a sentence
    ],
)
def test_true_or_false_with_small_typos(text: str, value: bool | None) -> None:
    assert parse_truth(text) is value


def test_a_number_alone_is_not_a_sentence() -> None:
    assert exact_number("3/4") == 0.75 and exact_number("trois quarts") == 0.75
    assert exact_number("3 pommes") is None and exact_number("1 quarts") is None
    assert parse_number("25 F") == 25
