"""The course format's syntax for the newer question types, weights, feedback and hints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content.format import check_path, parse_course
from content.model import Choice, NumericAnswer, Pair, Question, QuestionType, Quiz, TextAnswer

README = Path(__file__).parents[2] / "content" / "README.md"
HEADER = """\
id: essai
title: Un cours d'essai
subject: francais
levels: CM2
language: fr

# Une leçon {#lecon}
Du texte.

## Quiz
"""  # a question written right after it starts on line 11
FIRST = 11


def quiz_of(body: str) -> Quiz:
    """Parse a quiz body written after HEADER."""
    quiz = parse_course(HEADER + body, Path("essai.md")).lessons[0].quiz
    assert quiz is not None
    return quiz


def question(body: str) -> Question:
    """Parse a quiz of one question."""
    return quiz_of(body).questions[0]


def problems(tmp_path: Path, body: str) -> list[tuple[int, int, str]]:
    """Every problem of a quiz body as (line, column, message)."""
    path = tmp_path / "course.md"
    path.write_text(HEADER + body, encoding="utf-8")
    return [(e.line, e.column, e.message) for e in check_path(path)]


def test_matching_pairs_and_a_distractor() -> None:
    q = question("? Associe.\n= Dakar -> Sénégal\n= Bamako ->Mali\n= -> Niger\n> Capitales.\n")
    assert q.type is QuestionType.MATCHING
    assert q.pairs == (Pair("Dakar", "Sénégal"), Pair("Bamako", "Mali"), Pair("", "Niger"))
    assert q.explanation == "Capitales."


def test_missing_word_with_options_weights_and_feedback() -> None:
    q = question(
        "? Le chat ___ sur le toit.\n* dort\n- 50% dors\n  > Presque : l'accord.\n- -100% dormir\n"
    )
    assert q.type is QuestionType.MISSING_WORD
    assert (q.text, q.text_after) == ("Le chat", "sur le toit.")
    assert q.choices == (
        Choice("a", "dort", True),
        Choice("b", "dors", False, 50.0, "Presque : l'accord."),
        Choice("c", "dormir", False, -100.0),
    )


def test_missing_word_typed_with_a_wildcard() -> None:
    q = question("? ___ est la capitale du Sénégal.\n= Dakar\n= 50% Dak*\n")
    assert (q.type, q.text, q.text_after) == (
        QuestionType.MISSING_WORD,
        "",
        "est la capitale du Sénégal.",
    )
    assert q.accepted == ("Dakar",)
    assert q.answers == (TextAnswer("Dakar"), TextAnswer("Dak*", 50.0))


def test_essay_description_and_hint() -> None:
    quiz = quiz_of(
        "? Raconte ta journée.\nessay: yes\n> Ton enseignant lira.\n\n"
        "? Lis bien ce texte.\nIl a deux lignes.\ndescription: oui\n\n"
        "? Combien font 7 × 8 ?\nhint: 7 × 7 = 49.\nhint: ajoute 7.\n= 56\n"
    )
    essay, description, numeric = quiz.questions
    assert (essay.type, essay.explanation) == (QuestionType.ESSAY, "Ton enseignant lira.")
    assert (description.type, description.text) == (
        QuestionType.DESCRIPTION,
        "Lis bien ce texte. Il a deux lignes.",
    )
    assert numeric.hints == ("7 × 7 = 49.", "ajoute 7.")
    assert quiz.max_score == 1


def test_weights_on_choices_short_and_numeric_answers() -> None:
    quiz = quiz_of(
        "shuffle: yes\n\n"
        "? Pairs ?\n* 50% 2\n* 50% 4\n- -100% 3\n\n"
        "? Ville ?\n= Nazareth\n  > Oui !\n= 75% Nazereth\n\n"
        "? Année ?\n= 1822\n= 50% 1820 .. 1824\n  > Presque.\n"
    )
    assert quiz.shuffle
    multiple, short, numeric = quiz.questions
    assert multiple.type is QuestionType.MULTIPLE
    assert [c.weight for c in multiple.choices] == [50, 50, -100]
    assert short.answers == (TextAnswer("Nazareth", 100, "Oui !"), TextAnswer("Nazereth", 75))
    assert short.accepted == ("Nazareth",)
    assert numeric.numeric == (NumericAnswer(1822), NumericAnswer(1822, 2, 50, "Presque."))


def test_a_percentage_alone_is_an_answer_not_a_weight() -> None:
    q = question("? Combien ?\n= 50%\n")
    assert (q.type, q.accepted, q.answers) == (QuestionType.SHORT, ("50%",), ())


def test_no_new_syntax_means_no_new_fields() -> None:
    q = question("? Comment lit-on 1/4 ?\n= un quart\n= quart\n")
    assert q.answers == () and q.hints == () and q.text_after == ""
    assert not quiz_of("? a ?\n* b\n- c\n").shuffle


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "? Associe.\n= Dakar -> Sénégal\n= Bamako\n",
            [
                (FIRST, 1, "une question d'association demande au moins deux paires"),
                (
                    FIRST + 2,
                    3,
                    "une question d'association ne prend que des lignes '= gauche -> droite'",
                ),
            ],
            id="pair-without-arrow",
        ),
        pytest.param(
            "? Associe.\n= Dakar -> Sénégal\n",
            [(FIRST, 1, "une question d'association demande au moins deux paires")],
            id="one-pair",
        ),
        pytest.param(
            "? Le ___ et le ___.\n= chat\n",
            [(FIRST, 1, "une question a au plus un trou '___'")],
            id="two-gaps",
        ),
        pytest.param(
            "? Le ___ dort.\n* chat\n* chien\n- lit\n",
            [(FIRST, 1, "le trou '___' prend une seule bonne option ('* ')")],
            id="gap-multiple",
        ),
        pytest.param(
            "? Raconte.\nessay: yes\n= quelque chose\n",
            [(FIRST + 2, 1, "une question ouverte (essay) ne prend ni options ni réponses")],
            id="essay-answers",
        ),
        pytest.param(
            "? Raconte.\nessay: peut-être\n= x\n",
            [(FIRST + 1, 8, "essay doit valoir oui ou non (yes ou no)")],
            id="essay-value",
        ),
        pytest.param(
            "? Raconte.\nessay: yes\ndescription: yes\n",
            [(FIRST + 2, 1, "une question est 'essay: oui' ou 'description: oui', pas les deux")],
            id="essay-and-description",
        ),
        pytest.param(
            "? Combien ?\nhint:\n= 3\n",
            [(FIRST + 1, 6, "'hint:' doit être suivi d'un texte")],
            id="empty-hint",
        ),
        pytest.param(
            "? Ville ?\n= 150% Dakar\n",
            [(FIRST + 1, 3, "un poids est un pourcentage entre -100% et 100%")],
            id="weight-range",
        ),
        pytest.param(
            "? Ville ?\n= -50% Dakar\n",
            [(FIRST, 1, "aucune réponse ne rapporte de points : donnez à l'une un poids positif")],
            id="no-positive-weight",
        ),
        pytest.param(
            "shuffle: maybe\n? a ?\n* b\n- c\n",
            [(FIRST, 10, "shuffle doit valoir oui ou non (yes ou no)")],
            id="shuffle-value",
        ),
    ],
)
def test_errors_have_a_line_and_a_column(
    tmp_path: Path, body: str, expected: list[tuple[int, int, str]]
) -> None:
    assert problems(tmp_path, body) == expected


def test_readme_examples_of_the_newer_types_parse() -> None:
    match = re.search(
        r"### More question types\n.*?```text\n(.*?)```", README.read_text("utf-8"), re.DOTALL
    )
    assert match is not None
    quiz = quiz_of(match[1])
    assert {q.type for q in quiz.questions} >= {
        QuestionType.MATCHING,
        QuestionType.MISSING_WORD,
        QuestionType.ESSAY,
        QuestionType.DESCRIPTION,
    }
