"""Grading: one function per question type, the dispatcher, and reading typed answers."""

from __future__ import annotations

import pytest

from content.grading import (
    Grade,
    expected_text,
    format_number,
    grade,
    grade_multiple,
    grade_numeric,
    grade_short,
    grade_single,
    grade_true_false,
    parse_number,
    parse_truth,
)
from content.model import Choice, NumericAnswer, Question, QuestionType

SINGLE = Question(
    "q1",
    QuestionType.SINGLE,
    "Quel est le dénominateur de 3/5 ?",
    choices=(Choice("a", "3", False), Choice("b", "5", True), Choice("c", "8", False)),
)
MULTIPLE = Question(
    "q2",
    QuestionType.MULTIPLE,
    "Quelles fractions valent 1/2 ?",
    choices=(
        Choice("a", "2/4", True),
        Choice("b", "2/3", False),
        Choice("c", "3/6", True),
        Choice("d", "1/4", False),
    ),
)
TRUE = Question("q3", QuestionType.TRUE_FALSE, "7/6 > 1", truth=True)


def short(*accepted: str, typos: bool = True) -> Question:
    """Build a short answer question."""
    return Question("q4", QuestionType.SHORT, "?", accepted=accepted, typos=typos)


def numeric(*answers: NumericAnswer) -> Question:
    """Build a numeric question."""
    return Question("q5", QuestionType.NUMERIC, "?", numeric=answers)


# --- choices -----------------------------------------------------------------------------


def test_single() -> None:
    assert grade_single(SINGLE, "b") == Grade(1.0, True, "5")
    assert grade_single(SINGLE, "a") == Grade(0.0, False, "5")
    assert grade_single(SINGLE, "zz") == Grade(0.0, False, "5")


@pytest.mark.parametrize(
    ("picked", "score", "correct"),
    [
        (["a", "c"], 1.0, True),
        (["c", "a", "a"], 1.0, True),  # a repeated tap counts once
        (["a"], 0.5, False),
        (["a", "b"], 0.0, False),  # one right, one wrong
        (["a", "c", "b"], 0.5, False),
        (["a", "b", "c", "d"], 0.0, False),
        (["b", "d"], 0.0, False),  # floored at zero, never negative
        ([], 0.0, False),
        (["a", "c", "zz"], 1.0, True),  # ids our keyboards cannot send are ignored
    ],
)
def test_multiple_partial_credit(picked: list[str], score: float, correct: bool) -> None:
    assert grade_multiple(MULTIPLE, picked) == Grade(score, correct, "2/4; 3/6")


def test_true_false() -> None:
    assert grade_true_false(TRUE, True) == Grade(1.0, True, "")
    assert grade_true_false(TRUE, False) == Grade(0.0, False, "")


# --- short answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "moustiquaire",
        "  MOUSTIQUAIRE  ",
        "Moustiquaire !",
        "moustiqaire",  # one letter missing
        "moutsiquaire",  # two letters swapped count as one edit
        "moustiquere",  # two edits: allowed beyond 8 letters
    ],
)
def test_short_forgives_case_punctuation_and_typos(answer: str) -> None:
    assert grade_short(short("moustiquaire"), answer).correct


@pytest.mark.parametrize(
    ("accepted", "answer", "correct"),
    [
        ("fièvre", "fievre", True),  # accents
        ("la fièvre", "La  Fièvre.", True),  # spaces and punctuation
        ("l'eau", "leau", True),
        ("l'eau", "l eau", True),
        ("sœur", "soeur", True),  # ligature
        ("malaria", "malraia", True),  # a swap within 4-8 letters
        ("malaria", "mlaira", False),  # two edits on 7 letters
        ("paludisme", "paludsme", True),
        ("larve", "larv", True),
        ("pris", "pri", True),  # 4 letters: one edit
        ("vu", "vi", False),  # 2 letters: exact only
        ("riz", "ris", False),  # 3 letters: exact only
        ("3/4", "3 / 4", True),
        ("3/4", "34", False),  # numbers: no typos, and "/" is not nothing
        ("1 quart", "1 quarts", False),  # answers with digits are exact
        ("un quart", "", False),
        ("un quart", "?!", False),
        ("خطأ", "خطا", True),  # Arabic hamza folded like an accent
    ],
)
def test_short_subtle_cases(accepted: str, answer: str, correct: bool) -> None:
    assert grade_short(short(accepted), answer).correct is correct


def test_short_several_accepted_and_expected_is_the_first() -> None:
    question = short("un quart", "quart", "1/4")
    assert grade_short(question, "QUART").correct
    assert grade_short(question, "1/4").correct
    assert grade_short(question, "un tiers") == Grade(0.0, False, "un quart")


def test_short_without_typos_when_spelling_is_the_point() -> None:
    question = short("partie", typos=False)
    assert grade_short(question, "Partie").correct
    assert grade_short(question, "partié").correct  # accents stay folded
    assert not grade_short(question, "parti").correct
    assert not grade_short(question, "parties").correct


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,5", 3.5),
        ("3.5", 3.5),
        ("-2", -2.0),
        ("\u22124,5", -4.5),
        ("+7", 7.0),
        ("1 000", 1000.0),
        ("1\u202f000\u00a0000", 1_000_000.0),
        ("25 F", 25.0),
        ("2 000F CFA", 2000.0),
        ("3 km", 3.0),
        ("60 %", 60.0),
        ("3/4", 0.75),
        (",5", 0.5),
        ("  12  ", 12.0),
        ("abc", None),
        ("", None),
        ("1/0", None),
        ("12 34", None),  # not a thousands group
        ("3 km 200 m", None),
        ("1,2,3", None),
        ("1e5", None),
        ("environ 3", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_parse_number_survives_huge_input() -> None:
    assert parse_number("1/" + "9" * 5000) == pytest.approx(0.0)
    assert parse_number("9" * 5000) == float("inf")


@pytest.mark.parametrize(
    ("answer", "text", "correct"),
    [
        (NumericAnswer(3.5), "3,5", True),
        (NumericAnswer(3.5), "3.50", True),
        (NumericAnswer(1500), "1 500 F", True),
        (NumericAnswer(1500), "1500", True),
        (NumericAnswer(1500), "15 000", False),
        (NumericAnswer(0.75), "3/4", True),
        (NumericAnswer(-4), "-4", True),
        (NumericAnswer(-4), "4", False),
        (NumericAnswer(0.33, 0.01), "0,34", True),  # the edge counts despite float rounding
        (NumericAnswer(0.33, 0.01), "0,32", True),
        (NumericAnswer(0.33, 0.01), "0,35", False),
        (NumericAnswer(38, 0.5), "38,5 °C", True),
        (NumericAnswer(0.1 + 0.2), "0,3", True),
        (NumericAnswer(3), "trois", True),  # in words: content/number_words.py
        (NumericAnswer(3), "trois pommes", False),
        (NumericAnswer(3), "9" * 400, False),  # inf is never right
    ],
)
def test_numeric(answer: NumericAnswer, text: str, correct: bool) -> None:
    assert grade_numeric(numeric(answer), text).correct is correct


def test_numeric_several_answers_and_expected_text() -> None:
    question = numeric(NumericAnswer(12.5, 0.1), NumericAnswer(25))
    assert grade_numeric(question, "25").correct
    assert grade_numeric(question, "12,6").correct
    assert grade_numeric(question, "13") == Grade(0.0, False, "12,5")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.33, "0,33"), (1500, "1500"), (12345.5, "12\u00a0345,5"), (-0.0, "0"), (0.1 + 0.2, "0,3")],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


# --- reading true/false ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("vrai", True),
        ("Vrai !", True),
        ("V", True),
        ("oui", True),
        ("TRUE", True),
        ("yes", True),
        ("صحيح", True),
        ("faux", False),
        ("F", False),
        ("Non.", False),
        ("false", False),
        ("no", False),
        ("خطأ", False),
        ("peut-être", None),
        ("", None),
    ],
)
def test_parse_truth(text: str, value: bool | None) -> None:
    assert parse_truth(text) is value


# --- the dispatcher ----------------------------------------------------------------------


def test_grade_dispatches_by_type() -> None:
    assert grade(SINGLE, "b").correct
    assert grade(MULTIPLE, ["a", "c"]).correct
    assert grade(MULTIPLE, "a, c").correct
    assert grade(MULTIPLE, "a").score == 0.5
    assert grade(TRUE, True).correct
    assert grade(TRUE, "Vrai").correct
    assert grade(short("larve"), "larves").correct
    assert grade(numeric(NumericAnswer(24)), "24 h").correct


def test_grade_answers_of_the_wrong_shape_score_nothing() -> None:
    assert grade(TRUE, "peut-être") == Grade(0.0, False, "")
    assert grade(SINGLE, ["b"]) == Grade(0.0, False, "5")
    assert grade(MULTIPLE, True) == Grade(0.0, False, "2/4; 3/6")
    assert grade(short("larve"), False) == Grade(0.0, False, "larve")
    assert grade(numeric(NumericAnswer(24)), ["24"]) == Grade(0.0, False, "24")


def test_expected_text() -> None:
    assert expected_text(SINGLE) == "5"
    assert expected_text(MULTIPLE) == "2/4; 3/6"
    assert expected_text(TRUE) == ""
    assert expected_text(short("un quart", "quart")) == "un quart"
    assert expected_text(numeric(NumericAnswer(0.33, 0.01))) == "0,33"
