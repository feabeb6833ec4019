"""Grading of the newer question types and of weighted answers: one pure function each."""

from __future__ import annotations

import math

import pytest

from content.grading import (
    Grade,
    expected_text,
    grade,
    grade_description,
    grade_essay,
    grade_matching,
    grade_missing_word,
    grade_multiple,
    grade_multiple_weighted,
    grade_numeric,
    grade_short,
    grade_single,
    grade_single_weighted,
)
from content.model import (
    Choice,
    NumericAnswer,
    Pair,
    Question,
    QuestionType,
    Quiz,
    TextAnswer,
)

WEIGHTED_SINGLE = Question(
    "q1",
    QuestionType.SINGLE,
    "Le chat ... sur le toit.",
    choices=(
        Choice("a", "dort", True),
        Choice("b", "dors", False, 50, "Presque : l'accord."),
        Choice("c", "dormir", False, -100),
    ),
)
WEIGHTED_MULTIPLE = Question(
    "q2",
    QuestionType.MULTIPLE,
    "Quels nombres sont pairs ?",
    choices=(
        Choice("a", "2", True, 50),
        Choice("b", "3", False, -100, "3 est impair."),
        Choice("c", "4", True, 50),
        Choice("d", "5", False, -50),
    ),
)
MATCHING = Question(
    "q3",
    QuestionType.MATCHING,
    "Associe chaque capitale à son pays.",
    pairs=(
        Pair("Dakar", "Sénégal"),
        Pair("Bamako", "Mali"),
        Pair("Niamey", "Niger"),
        Pair("Abuja", "Nigeria"),
        Pair("", "Tchad"),  # a distractor: no left item
    ),
)


def test_weighted_single_gives_partial_credit_and_floors_negative_weights() -> None:
    assert grade_single(WEIGHTED_SINGLE, "a") == Grade(1.0, True, "dort")
    assert grade_single(WEIGHTED_SINGLE, "b") == Grade(0.5, False, "dort", "Presque : l'accord.")
    assert grade_single(WEIGHTED_SINGLE, "c") == Grade(0.0, False, "dort")
    assert grade_single_weighted(WEIGHTED_SINGLE, "zz") == Grade(0.0, False, "dort")


def test_a_weight_on_a_right_option_below_100_is_still_the_best() -> None:
    question = Question(
        "q", QuestionType.SINGLE, "?", choices=(Choice("a", "x", True, 80), Choice("b", "y", False))
    )
    assert grade_single(question, "a") == Grade(0.8, True, "x")


def test_weighted_multiple_sums_weights_and_floors_at_zero() -> None:
    assert grade_multiple(WEIGHTED_MULTIPLE, ["a", "c"]) == Grade(1.0, True, "2; 4")
    assert grade_multiple(WEIGHTED_MULTIPLE, ["a"]).score == 0.5
    assert not grade_multiple(WEIGHTED_MULTIPLE, ["a"]).correct
    # 50 + 50 - 50 = 50%: the wrong tick costs half.
    assert grade_multiple(WEIGHTED_MULTIPLE, ["a", "c", "d"]).score == 0.5
    # 50 - 100 = -50%: floored at 0, never negative.
    wrong = grade_multiple_weighted(WEIGHTED_MULTIPLE, ["a", "b"])
    assert wrong.score == 0.0 and wrong.feedback == "3 est impair."
    assert grade_multiple(WEIGHTED_MULTIPLE, []).score == 0.0


def test_weights_of_a_third_add_up_to_full_points() -> None:
    third = 100 / 3
    question = Question(
        "q",
        QuestionType.MULTIPLE,
        "?",
        choices=tuple(Choice(i, i, True, third) for i in "abc") + (Choice("d", "d", False, -100),),
    )
    result = grade_multiple(question, "abc")
    assert result.correct and math.isclose(result.score, 1.0)


def test_unweighted_options_keep_their_feedback() -> None:
    question = Question(
        "q",
        QuestionType.SINGLE,
        "?",
        choices=(Choice("a", "x", True, feedback="Oui."), Choice("b", "y", False, feedback="Non.")),
    )
    assert grade_single(question, "b") == Grade(0.0, False, "x", "Non.")


def weighted_short(*answers: TextAnswer, typos: bool = True) -> Question:
    """Build a short answer question with weighted answers."""
    return Question("q", QuestionType.SHORT, "?", answers=answers, typos=typos)


def test_weighted_short_answers_take_the_best_match() -> None:
    question = weighted_short(
        TextAnswer("Nazareth", 100, "Oui !"),
        TextAnswer("Bethléem", 25, "Il y est né."),
        TextAnswer("Jérusalem", -50),
    )
    assert grade_short(question, "nazareth") == Grade(1.0, True, "Nazareth", "Oui !")
    assert grade_short(question, "Bethleem") == Grade(0.25, False, "Nazareth", "Il y est né.")
    assert grade_short(question, "Jérusalem").score == 0.0  # negative weight: floored
    assert grade_short(question, "Rome") == Grade(0.0, False, "Nazareth")


def test_a_misspelling_may_earn_its_own_weight_over_the_typo_allowance() -> None:
    question = weighted_short(TextAnswer("Nazareth"), TextAnswer("Nazereth", 75))
    # "Nazereth" is within one typo of "Nazareth" too: the best matching weight wins.
    assert grade_short(question, "Nazereth").score == 1.0
    strict = weighted_short(TextAnswer("Nazareth"), TextAnswer("Nazereth", 75), typos=False)
    assert grade_short(strict, "Nazereth").score == 0.75


def test_wildcards_stand_for_any_characters() -> None:
    question = weighted_short(TextAnswer("*capitale*"), TextAnswer("Dak*", 50))
    assert grade_short(question, "C'est la capitale du pays").correct
    assert grade_short(question, "capitale").correct
    assert grade_short(question, "Dakar").score == 0.5
    assert grade_short(question, "dak").score == 0.5
    assert grade_short(question, "Thiès").score == 0.0
    # Wildcards compare folded text: accents and case do not matter, typos are not forgiven.
    assert grade_short(question, "CAPITALÉ").correct
    assert not grade_short(question, "capitle").correct
    # The expected answer shown is a real one, not a pattern, when there is one.
    assert grade_short(weighted_short(TextAnswer("*x*"), TextAnswer("x", 100)), "").expected == "x"


def test_a_wildcard_in_the_middle() -> None:
    question = Question("q", QuestionType.SHORT, "?", accepted=("la * de Dakar",))
    assert grade_short(question, "la ville de Dakar").correct
    assert grade_short(question, "la grande ville de Dakar").correct
    assert not grade_short(question, "la ville de Thiès").correct


def test_numeric_ranges_include_their_bounds() -> None:
    question = Question("q", QuestionType.NUMERIC, "?", numeric=(NumericAnswer.between(1, 5),))
    assert question.numeric[0].low == 1 and question.numeric[0].high == 5
    for text in ("1", "3,5", "5", "5.0"):
        assert grade_numeric(question, text).correct, text
    for text in ("0,99", "5,01", "-3"):
        assert not grade_numeric(question, text).correct, text


def test_several_numeric_answers_give_partial_credit() -> None:
    question = Question(
        "q",
        QuestionType.NUMERIC,
        "En quelle année ?",
        numeric=(
            NumericAnswer(1822, 0, 100, "Exact."),
            NumericAnswer(1822, 2, 50, "Presque."),
            NumericAnswer(1900, 0, 0, "Non, bien avant."),
        ),
    )
    assert grade_numeric(question, "1822") == Grade(1.0, True, "1822", "Exact.")
    assert grade_numeric(question, "1821") == Grade(0.5, False, "1822", "Presque.")
    assert grade_numeric(question, "1900") == Grade(0.0, False, "1822", "Non, bien avant.")
    assert grade_numeric(question, "1830") == Grade(0.0, False, "1822")


def test_any_number_answers_match_everything_and_show_no_expected_value() -> None:
    question = Question(
        "q",
        QuestionType.NUMERIC,
        "?",
        numeric=(NumericAnswer(9), NumericAnswer(0, math.inf, 0, "Relis la leçon.")),
    )
    assert grade_numeric(question, "12").feedback == "Relis la leçon."
    assert grade_numeric(question, "9").correct


def test_matching_earns_a_share_per_right_pair() -> None:
    right = ("Sénégal", "Mali", "Niger", "Nigeria")
    assert grade_matching(MATCHING, right).score == 1.0
    assert grade_matching(MATCHING, right).correct
    half = grade_matching(MATCHING, ("Sénégal", "Mali", "Nigeria", "Niger"))
    assert (half.score, half.correct) == (0.5, False)
    assert grade_matching(MATCHING, ("Tchad",) * 4).score == 0.0
    # Case and spacing do not matter; accents do (Niger and Nigéria would differ).
    assert grade_matching(MATCHING, ("sénégal", " mali", "NIGER", "nigeria")).correct
    assert grade_matching(MATCHING, ("Sénégal",)).score == 0.25  # too few: the rest is wrong
    assert grade_matching(MATCHING, ()).expected == (
        "Dakar → Sénégal; Bamako → Mali; Niamey → Niger; Abuja → Nigeria"
    )


def test_matching_through_the_dispatcher() -> None:
    assert grade(MATCHING, ["Sénégal", "Mali", "Niger", "Nigeria"]).correct
    assert grade(MATCHING, "Sénégal") == Grade(0.0, False, expected_text(MATCHING))


def test_missing_word_with_options_or_typed() -> None:
    with_options = Question(
        "q",
        QuestionType.MISSING_WORD,
        "Le chat",
        text_after="sur le toit.",
        choices=WEIGHTED_SINGLE.choices,
    )
    assert grade_missing_word(with_options, "a").correct
    assert grade_missing_word(with_options, "b").score == 0.5
    typed = Question(
        "q", QuestionType.MISSING_WORD, "La capitale est", text_after=".", accepted=("Dakar",)
    )
    assert grade_missing_word(typed, "dakar").correct
    assert grade(typed, "Thiès") == Grade(0.0, False, "Dakar")
    assert grade(with_options, "c").score == 0.0


def test_essays_are_kept_to_grade_and_descriptions_ask_nothing() -> None:
    essay = Question("q", QuestionType.ESSAY, "Raconte ta journée.")
    assert grade_essay(essay, "J'ai joué.") == Grade(0.0, True, "", to_grade=True)
    assert grade(essay, "J'ai joué.").to_grade
    description = Question("q", QuestionType.DESCRIPTION, "Lis ceci.")
    assert grade_description(description) == Grade(0.0, True, "")
    assert grade(description, "n'importe quoi").correct
    quiz = Quiz((essay, description, MATCHING))
    assert quiz.max_score == 1
    assert not essay.scored and MATCHING.scored


@pytest.mark.parametrize(
    "question", [WEIGHTED_SINGLE, WEIGHTED_MULTIPLE, MATCHING], ids=lambda q: q.id
)
def test_an_answer_of_the_wrong_shape_earns_nothing(question: Question) -> None:
    assert grade(question, True).score == 0.0
