"""Aiken import: French questions, multi-line stems, and every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.aiken import parse_aiken
from content.errors import CourseFormatError
from content.gift import GiftSyntaxError, GiftText, GiftType, export_gift, parse_gift

FRENCH = """\
Quelle est la capitale du Sénégal ?
A. Thiès
B. Dakar
C. Saint-Louis
ANSWER: B

Le paludisme se transmet par
la piqûre d'un moustique :
A) l'anophèle femelle
B) la mouche tsé-tsé
réponse : a
Combien font 3/4 de 2 000 F ?
A. 1 500 F
B. 500 F
ANSWER:   A
"""


def test_french_questions() -> None:
    """Questions read with accents, `A)` options, lower-case `réponse`, no blank lines."""
    capital, paludisme, francs = parse_aiken(FRENCH, Path("quiz.txt"))
    assert capital.type is GiftType.MULTIPLE_CHOICE
    assert capital.stem == GiftText("moodle", "Quelle est la capitale du Sénégal ?")
    assert [(c.text.text, c.is_correct) for c in capital.choices] == [
        ("Thiès", False),
        ("Dakar", True),
        ("Saint-Louis", False),
    ]
    assert paludisme.stem.text == "Le paludisme se transmet par la piqûre d'un moustique :"
    assert (
        paludisme.choices[0].is_correct and paludisme.choices[0].text.text == "l'anophèle femelle"
    )
    assert francs.choices[0].is_correct
    assert [q.line for q in (capital, paludisme, francs)] == [1, 7, 12]


def test_exports_to_gift() -> None:
    """Aiken questions export to GIFT and read back the same."""
    questions = parse_aiken(FRENCH)
    assert parse_gift(export_gift(questions)) == questions


def test_blank_lines_are_optional_anywhere() -> None:
    """Blank lines between options are forgiven."""
    (question,) = parse_aiken("Q ?\n\nA. oui\n\nB. non\n\nANSWER: b\n")
    assert [c.is_correct for c in question.choices] == [False, True]


def test_empty_file() -> None:
    """An empty file has no questions."""
    assert parse_aiken("") == parse_aiken("\n \n") == []


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("Q ?\nA. oui\nB. non\n", 1, 1, "pas de ligne ANSWER:"),
        ("Q ?\nA. oui\nB. non\nANSWER: C\n", 4, 9, "l'une des lettres A, B"),
        ("Q ?\nA. oui\nANSWER: A\n", 3, 1, "au moins deux options"),
        ("Q ?\nA. oui\nA. non\nANSWER: A\n", 3, 1, "donnée deux fois"),
        ("Q ?\nA. oui\nB. non\n  du texte\nANSWER: A\n", 4, 3, "option attendue"),
        ("Q ?\nA. oui\nB. non\nANSWER:\n", 4, 8, "l'une des lettres A, B"),
    ],
)
def test_errors_have_lines(text: str, line: int, column: int, words: str) -> None:
    """Each mistake raises GiftSyntaxError (a CourseFormatError) at its line."""
    with pytest.raises(GiftSyntaxError) as caught:
        parse_aiken(text, Path("quiz.txt"))
    error = caught.value
    assert isinstance(error, CourseFormatError)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.message
