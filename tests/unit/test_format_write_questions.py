"""GIFT and Aiken questions written in our format read back as the same questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.aiken import parse_aiken
from content.format import parse_course
from content.format_write import header, lesson, question, quiz, text_step
from content.gift import parse_gift
from content.gift_import import GIFT_TYPES, gift_to_questions
from content.model import Question, QuestionType

GIFT = """
::Q1:: Quelle est la capitale du Sénégal ? {=Dakar ~Thiès#Non, c'est une autre ville. ~Saint-Louis}

Quels nombres sont pairs ? {~%50%2 ~%50%4 ~%-100%3}

Le soleil tourne autour de la Terre. {F}

Comment lit-on 1/4 ? {=un quart =%50%quart}

Combien font 3 × 4 ? {#12}

Écris pi, au centième près. {#3.14:0.01}

Un nombre entre 1 et 5. {#1..5}

Grant est {~enterré =inhumé} dans sa tombe.

Associe. {=Dakar -> Sénégal =Bamako -> Mali}

Raconte ta journée. {}

::D:: Lis bien ce qui suit.
"""

AIKEN = """Quelle est la capitale du Mali ?
A. Bamako
B. Dakar
ANSWER: A
"""


def read_back(questions: list[Question]) -> tuple[Question, ...]:
    """The questions as the course parser reads them from what the writer wrote."""
    text = (
        header("t", "T", "autre", ["CM2"], "fr")
        + lesson("Leçon", "l")
        + text_step("Bonjour", True)
        + quiz()
        + "".join(question(q) for q in questions)
    )
    read = parse_course(text, Path("t/course.md")).lessons[0].quiz
    assert read is not None
    return read.questions


def same(a: Question, b: Question) -> bool:
    """Equal for grading: type, text, options, answers, truth, pairs, explanation."""
    fields = ("type", "text", "text_after", "choices", "numeric", "truth", "pairs", "explanation")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and a.text_answers == b.text_answers


def test_every_gift_question_type_reads_back_the_same() -> None:
    questions = gift_to_questions(parse_gift(GIFT))
    kinds = {q.type for q in questions}
    assert kinds == GIFT_TYPES
    for written, read in zip(questions, read_back(questions), strict=True):
        assert same(written, read), (written, read)


def test_aiken_questions_read_back_the_same() -> None:
    questions = gift_to_questions(parse_aiken(AIKEN))
    (read,) = read_back(questions)
    assert read.type is QuestionType.SINGLE
    assert [(c.text, c.correct) for c in read.choices] == [("Bamako", True), ("Dakar", False)]


@pytest.mark.parametrize(
    ("gift", "expected"),
    [
        ("Q ? {=a#Bien. ~b#Non.}", "? Q ?\n* a\n  > Bien.\n- b\n  > Non.\n"),
        ("Q ? {T####Le soleil est une étoile.}", "? Q ?\n= vrai\n> Le soleil est une étoile.\n"),
        ("Q ? {#2:0.5}", "? Q ?\n= 2 ± 0.5\n"),
        ("Q ? {~%50%a ~%50%b ~c}", None),
    ],
)
def test_written_lines(gift: str, expected: str | None) -> None:
    (item,) = gift_to_questions(parse_gift(gift))
    written = question(item)
    if expected is not None:
        assert written == "\n" + expected
    read_back([item])


def test_option_text_that_looks_like_a_weight_stays_text() -> None:
    (item,) = gift_to_questions(parse_gift("Q ? {=50% des élèves ~tous}"))
    (read,) = read_back([item])
    assert read.choices[0].text == "50% des élèves" and read.choices[0].correct
