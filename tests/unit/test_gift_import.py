"""GIFT items mapped into the course model: every conformance file, and spot checks."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from content.gift import parse_gift
from content.gift_import import GIFT_TYPES, gift_to_questions
from content.grading import grade
from content.model import Choice, Pair, Question, QuestionType, TextAnswer
from tests.conformance import conformance_folder, require_conformance

CONFORMANCE = conformance_folder("gift")
FILES = sorted(CONFORMANCE.glob("*.gift"))


def load(name: str) -> list[Question]:
    """Parse and map one conformance file."""
    path = CONFORMANCE / f"{name}.gift"
    return gift_to_questions(parse_gift(path.read_text("utf-8"), path))


def mapped(text: str) -> list[Question]:
    """Parse and map GIFT text."""
    return gift_to_questions(parse_gift(text))


def test_conformance_files_are_there() -> None:
    require_conformance("gift")
    assert len(FILES) > 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_conformance_file_maps(path: Path) -> None:
    items = parse_gift(path.read_text("utf-8"), path)
    questions = gift_to_questions(items)
    assert len(questions) == sum(1 for item in items if item.type != "category")
    assert [q.id for q in questions] == [f"q{i}" for i in range(1, len(questions) + 1)]
    for question in questions:
        assert [c.id for c in question.choices] == [
            chr(97 + i) for i in range(len(question.choices))
        ]
        if question.type is QuestionType.SINGLE:
            assert any(c.correct for c in question.choices)
        # The model's graders take every mapped question without failing.
        grade(question, "a")


@pytest.mark.conformance("gift")
def test_all_types_appear_in_the_conformance_files() -> None:
    types = {q.type for path in FILES for q in load(path.stem)}
    assert types == GIFT_TYPES


@pytest.mark.conformance("gift")
def test_the_gift_format_php_examples() -> None:
    questions = load("giftFormatPhpExamples")
    kinds = [q.type for q in questions]
    assert kinds == [
        QuestionType.SINGLE,
        QuestionType.MISSING_WORD,
        QuestionType.TRUE_FALSE,
        QuestionType.SHORT,
        QuestionType.NUMERIC,
        QuestionType.MATCHING,
        QuestionType.MISSING_WORD,
        QuestionType.SINGLE,
        QuestionType.MISSING_WORD,
        QuestionType.NUMERIC,
    ]
    gap = questions[1]
    assert (gap.text, gap.text_after) == ("Grant is", "in Grant's tomb.")
    assert grade(gap, "b").correct
    assert questions[5].pairs[0] == Pair("Canada", "Ottawa")
    difficult = questions[7]
    assert difficult.choices[1] == Choice(
        "b", "half credit answer", False, 50.0, "comment on answer"
    )
    assert grade(difficult, "b").score == 0.5
    jesus = questions[8]
    assert jesus.answers[1] == TextAnswer("Nazereth", 75.0, "Right, but misspelled.")
    assert jesus.accepted == ("Nazareth",)
    assert grade(jesus, "Bethlehem").score == 0.25
    grant = questions[9]
    assert [(n.value, n.tolerance, n.weight) for n in grant.numeric] == [
        (1822, 0, 100),
        (1822, 2, 50),
    ]
    assert grade(grant, "1821").score == 0.5


@pytest.mark.conformance("gift")
def test_multiple_answers_with_negative_weights() -> None:
    (question,) = load("totara_moodle_multichoice_multi")
    assert question.type is QuestionType.MULTIPLE
    assert [c.weight for c in question.choices] == [50, -100, 50, -100]
    assert [c.correct for c in question.choices] == [True, False, True, False]
    assert grade(question, ["a", "c"]).correct
    assert grade(question, ["a", "b"]).score == 0.0


def test_ranges_and_any_number() -> None:
    (between, anything) = mapped("Un nombre de 1 à 5 ?{#1..5}\n\nUn nombre ?{#=7 =%0%*#Non.}\n")
    assert (between.numeric[0].low, between.numeric[0].high) == (1, 5)
    assert grade(between, "5").correct and not grade(between, "6").correct
    assert math.isinf(anything.numeric[1].tolerance)
    assert grade(anything, "12").feedback == "Non."


def test_matching_with_a_distractor_essay_description_and_categories() -> None:
    questions = mapped(
        "$CATEGORY: géographie\n\n"
        "Associe.{=Dakar -> Sénégal =Bamako -> Mali = -> Niger}\n\n"
        "Raconte ta journée.{}\n\n"
        "Lis ceci avant de répondre.\n\n"
        "Le Sénégal est en Afrique.{T#Non.#Oui.####Il est à l'ouest.}\n"
    )
    matching, essay, description, truth = questions
    assert matching.pairs[-1] == Pair("", "Niger")
    assert grade(matching, ["Sénégal", "Mali"]).correct
    assert (essay.type, description.type) == (QuestionType.ESSAY, QuestionType.DESCRIPTION)
    assert (truth.truth, truth.explanation) == (True, "Il est à l'ouest.")
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4"]


@pytest.mark.conformance("gift")
def test_embedded_short_answer_first() -> None:
    first, titled = load("shortFirstEmbedded")
    assert (first.type, first.text, first.text_after) == (
        QuestionType.MISSING_WORD,
        "",
        "is the largest continent in the world.",
    )
    assert grade(titled, "asia").correct


def test_a_matching_without_left_items_is_shown_as_text() -> None:
    (question,) = mapped("Rien à associer.{= -> Niger = -> Mali}\n")
    assert (question.type, question.pairs) == (QuestionType.DESCRIPTION, ())
