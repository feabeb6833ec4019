"""GIFT: the shared conformance files, the round trip through export, escapes, errors, French."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from content.errors import CourseFormatError
from content.gift import (
    GiftChoice,
    GiftNumber,
    GiftQuestion,
    GiftSyntaxError,
    GiftText,
    GiftType,
    export_gift,
    parse_gift,
)
from tests.conformance import conformance_folder, require_conformance

CONFORMANCE = conformance_folder("gift")
GIFT_FILES = sorted(CONFORMANCE.glob("*.gift"))

# The reference grammar's type names for ours.
REFERENCE_TYPES = {
    GiftType.MULTIPLE_CHOICE: "MC",
    GiftType.TRUE_FALSE: "TF",
    GiftType.SHORT: "Short",
    GiftType.NUMERIC: "Numerical",
    GiftType.MATCHING: "Matching",
    GiftType.ESSAY: "Essay",
    GiftType.DESCRIPTION: "Description",
}

# Where we read a file differently from the reference grammar on purpose: file -> why.
DELIBERATE_DIFFERENCES: dict[str, str] = {}


def _text(text: GiftText | None) -> dict[str, str] | None:
    """Map our text to the reference's {format, text}."""
    return None if text is None else {"format": text.format, "text": text.text}


def _number(choice: GiftChoice) -> dict[str, Any]:
    """Map a numeric answer to the reference's simple / range / high-low object."""
    answer = choice.number or GiftNumber()
    if answer.low is not None:
        return {"type": "high-low", "numberHigh": answer.high, "numberLow": answer.low}
    if answer.value is None:  # "any other answer": the reference shows Moodle's `*`
        return {"format": choice.text.format, "text": "*"}
    if answer.tolerance is None:
        return {"type": "simple", "number": answer.value}
    return {"type": "range", "number": answer.value, "range": answer.tolerance}


def _choice(choice: GiftChoice, numeric: bool) -> dict[str, Any]:
    """Map one answer."""
    return {
        "isCorrect": choice.is_correct,
        "weight": choice.weight,
        "text": _number(choice) if numeric else _text(choice.text),
        "feedback": _text(choice.feedback),
    }


def to_reference(question: GiftQuestion) -> dict[str, Any]:
    """Map our question to the reference JSON's fields."""
    if question.type is GiftType.CATEGORY:
        return {"type": "Category", "title": question.category}
    out: dict[str, Any] = {
        "id": question.id,
        "tags": list(question.tags) or None,
        "type": REFERENCE_TYPES[question.type],
        "title": question.title,
        "stem": _text(question.stem),
        "hasEmbeddedAnswers": question.has_embedded_answers,
    }
    if question.type is not GiftType.DESCRIPTION:
        out["globalFeedback"] = _text(question.global_feedback)
    if question.type is GiftType.TRUE_FALSE:
        # The reference names the two feedbacks by position: trueFeedback is the first
        # (Moodle shows it after a wrong answer), falseFeedback the second.
        out["isTrue"] = question.truth
        out["trueFeedback"] = _text(question.wrong_feedback)
        out["falseFeedback"] = _text(question.right_feedback)
    elif question.type is GiftType.MATCHING:
        out["matchPairs"] = [
            {"subquestion": _text(p.question), "subanswer": p.answer} for p in question.pairs
        ]
    elif question.choices:
        numeric = question.type is GiftType.NUMERIC
        out["choices"] = [_choice(choice, numeric) for choice in question.choices]
    return out


def _expected(path: Path) -> list[dict[str, Any]]:
    """Read the reference parse; a lone numeric answer becomes a one-answer list like ours."""
    expected: list[dict[str, Any]] = json.loads(path.with_suffix(".json").read_text("utf-8"))
    for question in expected:
        if question.get("type") == "Numerical" and isinstance(question["choices"], dict):
            only = {"isCorrect": True, "weight": None, "feedback": None}
            question["choices"] = [{**only, "text": question["choices"]}]
    return expected


def test_conformance_folder_is_there() -> None:
    """The shared GIFT files are present (skipped with the reason where they are absent,
    required in CI)."""
    require_conformance("gift")
    assert len(GIFT_FILES) >= 50, f"expected the 51 GIFT files in {CONFORMANCE}"


@pytest.mark.parametrize("path", GIFT_FILES, ids=lambda p: p.stem)
def test_conformance_file_matches_reference(path: Path) -> None:
    """Each question's type, title, stem, answers, weights and feedback match the reference."""
    if path.name in DELIBERATE_DIFFERENCES:
        pytest.xfail(DELIBERATE_DIFFERENCES[path.name])
    questions = parse_gift(path.read_text("utf-8"), path)
    assert [to_reference(q) for q in questions] == _expected(path)


@pytest.mark.parametrize("path", GIFT_FILES, ids=lambda p: p.stem)
def test_conformance_file_survives_export(path: Path) -> None:
    """Export then parse gives the same questions (line numbers aside)."""
    questions = parse_gift(path.read_text("utf-8"), path)
    assert parse_gift(export_gift(questions)) == questions


FRENCH = """\
$CATEGORY: $course$/Mathématiques/Fractions

// [id:frac-1] [tag:CM1] [tag:fractions]
::Dénominateur::Dans la fraction 3/5, quel est le dénominateur ?{
    ~3#Non : c'est le numérateur.
    =5#Oui ! C'est le nombre du bas.
    ####Le dénominateur dit en combien de parts égales on coupe.
}

::Partage::Aminata coupe une galette en {#4} parts égales.

Une galette coupée en 4 morceaux inégaux donne des quarts.{F#Non.
#Bravo : les parts doivent être égales.}

Combien font les 3/4 de 2 000 F ?{#
    =1500#Exact.
    =%50%1500:100#Presque.
    ~#Refais le calcul : 2 000 ÷ 4 \\= 500, et 500 × 3 \\= 1 500.
}

Écris 1/3 en nombre décimal, arrondi au centième.{#0,33:0,01}

Associe chaque fraction à son nom.{
    =1/2 -> un demi
    =1/4 -> un quart
    =3/4 -> trois quarts
}

Comment lit-on 1/4 ?{=un quart =%50%quart}

Raconte comment tu partages une galette en trois.{}
"""


def test_french_quiz() -> None:
    """A French quiz reads with its category, ids, tags, accents and decimal commas."""
    category, *questions = parse_gift(FRENCH)
    assert category.type is GiftType.CATEGORY
    assert category.category == "$course$/Mathématiques/Fractions"
    assert [q.type for q in questions] == [
        GiftType.MULTIPLE_CHOICE,
        GiftType.NUMERIC,
        GiftType.TRUE_FALSE,
        GiftType.NUMERIC,
        GiftType.NUMERIC,
        GiftType.MATCHING,
        GiftType.SHORT,
        GiftType.ESSAY,
    ]
    first, partage, truth, francs, decimal, matching, short, _ = questions
    assert (first.id, first.tags, first.title) == ("frac-1", ("CM1", "fractions"), "Dénominateur")
    assert all(q.category == category.category for q in questions)
    assert first.choices[0].feedback == GiftText("moodle", "Non : c'est le numérateur.")
    assert first.global_feedback is not None
    assert first.global_feedback.text.startswith("Le dénominateur")
    assert partage.stem.text == "Aminata coupe une galette en _____ parts égales."
    assert partage.has_embedded_answers and partage.blank_at == len("Aminata coupe une galette en ")
    assert truth.truth is False
    assert truth.right_feedback == GiftText("moodle", "Bravo : les parts doivent être égales.")
    assert [c.weight for c in francs.choices] == [None, 50, None]
    assert francs.choices[1].number == GiftNumber(1500, 100)
    assert francs.choices[2].number == GiftNumber() and francs.choices[2].number.is_any
    assert decimal.choices[0].number == GiftNumber(0.33, 0.01)
    assert [(p.question.text, p.answer) for p in matching.pairs][2] == ("3/4", "trois quarts")
    assert [c.text.text for c in short.choices] == ["un quart", "quart"]
    assert first.line == 4 and questions[-1].line == 31
    assert francs.choices[2].feedback is not None
    assert francs.choices[2].feedback.text.endswith("2 000 ÷ 4 = 500, et 500 × 3 = 1 500.")
    assert parse_gift(export_gift([category, *questions])) == [category, *questions]


def test_unescaped_equals_in_feedback_starts_an_answer() -> None:
    """As in Moodle, an `=` in feedback starts a new answer: teachers write `\\=`."""
    (loose,) = parse_gift("Combien ?{=4#Bien : 2 + 2 = 4.}")
    (escaped,) = parse_gift("Combien ?{=4#Bien : 2 + 2 \\= 4.}")
    assert [c.text.text for c in loose.choices] == ["4", "4."]
    assert escaped.choices[0].feedback == GiftText("moodle", "Bien : 2 + 2 = 4.")


@pytest.mark.parametrize(
    ("gift", "text"),
    [
        (r"a \~ b \= c \# d \{ e \} f \: g{}", "a ~ b = c # d { e } f : g"),
        (r"back\\slash and \\\\ two{}", "back\\slash and \\\\ two"),
        (r"lone \ backslash \x{}", "lone \\ backslash \\x"),
        (r"line\nbreak{}", "line\nbreak"),
        (r"\[html] is text{}", "[html] is text"),
        ("many   spaces\n   and lines{}", "many spaces and lines"),
    ],
)
def test_escapes_in_stem(gift: str, text: str) -> None:
    """Escaped control characters are text; \\n is a newline; spaces fold in moodle text."""
    (question,) = parse_gift(gift)
    assert question.stem.text == text
    assert parse_gift(export_gift([question])) == [question]


def test_formats_and_inheritance() -> None:
    """Answers and feedback without a marker take the stem's format."""
    (question,) = parse_gift("[html]<p>Q ?</p>{=<b>a</b>#<i>oui</i> ~[plain]b#[markdown]*non*}")
    assert question.stem == GiftText("html", "<p>Q ?</p>")
    right, wrong = question.choices
    assert right.text == GiftText("html", "<b>a</b>") and right.feedback == GiftText(
        "html", "<i>oui</i>"
    )
    assert wrong.text == GiftText("plain", "b") and wrong.feedback == GiftText("markdown", "*non*")


def test_numeric_forms() -> None:
    """Exact, tolerance, range and weighted numeric answers."""
    exact, tolerance, interval, listed = parse_gift(
        "A ?{#12}\n\nB ?{#3.14:0.01}\n\nC ?{#-5..5}\n\nD ?{#=%100%2:0 =%-50%3}"
    )
    assert exact.choices == (GiftChoice(GiftText(), True, None, None, GiftNumber(12)),)
    assert tolerance.choices[0].number == GiftNumber(3.14, 0.01)
    assert interval.choices[0].number == GiftNumber(low=-5, high=5)
    assert [c.weight for c in listed.choices] == [100, -50]


def test_true_false_spellings() -> None:
    """T, TRUE, F and FALSE, with one or two feedbacks."""
    questions = parse_gift("a{T}\n\nb{TRUE#non}\n\nc{F}\n\nd{FALSE##oui}")
    assert [q.truth for q in questions] == [True, True, False, False]
    assert questions[1].wrong_feedback == GiftText("moodle", "non")
    assert questions[3].wrong_feedback is None
    assert questions[3].right_feedback == GiftText("moodle", "oui")


def test_description_and_comments() -> None:
    """A block without braces is a description; comment lines vanish, even inside answers."""
    description, question = parse_gift(
        "// intro\n::Consigne::Prends ton ardoise.\n\nQ ?{\n// a comment\n=oui\n~non}"
    )
    assert description.type is GiftType.DESCRIPTION and description.title == "Consigne"
    assert [c.text.text for c in question.choices] == ["oui", "non"]


def test_trailing_comment_is_not_embedded_text() -> None:
    """A // comment after the closing brace does not make a missing-word question."""
    (question,) = parse_gift("Q ?{=oui} // pour le maître")
    assert not question.has_embedded_answers


@pytest.mark.parametrize(
    ("gift", "line", "column", "words"),
    [
        ("Question ?{=oui\n~non", 1, 11, "n'est pas fermée"),
        ("\n\nQ ?{=a {=b}", 3, 8, "dans les réponses"),
        ("Q } ?{=a}", 1, 3, "ne ferme rien"),
        ("Q ?{=a} et {=b}", 1, 12, "un seul bloc de réponses"),
        ("::Titre sans fin\nQ ?{}", 1, 1, "n'est pas fermé"),
        ("Q ?{\n  =a#un#deux}", 2, 8, "second #"),
        ("Q ?{\n  ~%150%a =b}", 2, 4, "entre -100 et 100"),
        ("Q ?{\n  =}", 2, 3, "vide"),
        ("Q ?{texte =a}", 1, 5, "avant la première réponse"),
        ("Q ?{#abc}", 1, 6, "n'est pas un nombre"),
        ("Q ?{#}", 1, 6, "un nombre est attendu"),
        ("Q ?{#5..1}", 1, 6, "plus petit nombre"),
        ("Q ?{#3:-1}", 1, 6, "négative"),
        ("Q ?{T#a#b#c}", 1, 10, "au plus deux"),
        ("$CATEGORY:   ", 1, 1, "nom d'une catégorie"),
        ("::Titre::", 1, 10, "demande un texte"),
    ],
)
def test_errors_have_positions(gift: str, line: int, column: int, words: str) -> None:
    """Each mistake raises GiftSyntaxError, a CourseFormatError, at its line and column."""
    with pytest.raises(GiftSyntaxError) as caught:
        parse_gift(gift, Path("quiz.gift"))
    error = caught.value
    assert isinstance(error, CourseFormatError)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.message
    assert str(error).startswith(f"quiz.gift:{line}:{column}: ")


def test_export_marks_ambiguous_text() -> None:
    """Text that would read as a weight, a marker or a comment keeps a format marker."""
    question = GiftQuestion(
        GiftType.MULTIPLE_CHOICE,
        GiftText("moodle", "//pas un commentaire"),
        choices=(
            GiftChoice(GiftText("moodle", "%50% n'est pas un poids"), True),
            GiftChoice(GiftText("moodle", "[html] est du texte"), False, -25.5),
        ),
    )
    assert parse_gift(export_gift([question])) == [question]


def test_empty_input() -> None:
    """Nothing, blank lines or comments alone give no questions."""
    assert parse_gift("") == parse_gift("\n\n  \n// rien\n") == []
    assert export_gift([]) == ""
