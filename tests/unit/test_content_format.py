"""The course format: the documented example, every error with its place, hostile input."""

from __future__ import annotations

import pickle
import random
import re
from pathlib import Path
from unittest.mock import ANY

import pytest

from content.format import (
    MAX_ERRORS,
    REQUIRED_KEYS,
    CourseFormatError,
    check_path,
    parse_course,
    parse_course_file,
    parse_course_files,
)
from content.model import NumericAnswer, QuestionType, StepKind

README = Path(__file__).parents[2] / "content" / "README.md"

HEADER = """\
id: essai
title: Un cours d'essai
subject: mathematiques
levels: CM1, CM2
language: fr
"""  # 5 lines: a lesson heading written right after it is line 6

LESSON = """\
# Une leçon {#lecon}
Du texte.
"""  # lines 6-7 after HEADER
QUIZ = HEADER + LESSON + "## Quiz\n"  # a question written right after it starts on line 9


def make_course(tmp_path: Path, text: str, name: str = "course.md") -> Path:
    """Write a course file next to the media the examples use."""
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "audio").mkdir(exist_ok=True)
    (tmp_path / "images" / "galette.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "audio" / "resume.ogg").write_bytes(b"OggS fake")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    """Return every problem of a course text as (line, column, message)."""
    return [(e.line, e.column, e.message) for e in check_path(make_course(tmp_path, text))]


def readme_example() -> str:
    """Return the complete example of content/README.md."""
    pattern = r"### A complete example\n\n```text\n(.*?)```"
    match = re.search(pattern, README.read_text("utf-8"), re.DOTALL)
    assert match is not None
    return match[1]


# --- the documented example -------------------------------------------------------------


def test_readme_example_parses(tmp_path: Path) -> None:
    course = parse_course_file(make_course(tmp_path, readme_example()))
    assert (course.id, course.title) == ("fractions", "Les fractions")
    assert course.subject == "mathematiques"
    assert course.levels == ("CM1", "CM2")
    assert course.language == "fr"
    assert course.authors == ("Aminata Diallo", "Moussa Traoré")
    assert course.licence == "CC BY-SA 4.0"
    assert [lesson.id for lesson in course.lessons] == ["partager", "comparer-des-fractions"]


def test_readme_example_steps(tmp_path: Path) -> None:
    lesson = parse_course_file(make_course(tmp_path, readme_example())).lessons[0]
    kinds = [step.kind for step in lesson.steps]
    assert kinds == [StepKind.TEXT, StepKind.IMAGE, StepKind.TEXT, StepKind.AUDIO]
    assert lesson.steps[0].text == (
        "Aminata coupe une galette en 4 parts égales. Chaque enfant reçoit une part sur quatre."
        "\n\nUne part sur quatre s'écrit 1/4."
    )
    assert lesson.steps[2].text == "Pour lire une fraction :\n\n- 1/2 : un demi\n- 1/4 : un quart"
    assert lesson.steps[1].media == (tmp_path / "images" / "galette.png").resolve()
    assert lesson.steps[1].text == "Une galette coupée en 4 parts égales."
    assert lesson.steps[1].line == 19


def test_readme_example_questions(tmp_path: Path) -> None:
    quiz = parse_course_file(make_course(tmp_path, readme_example())).lessons[0].quiz
    assert quiz is not None
    assert (quiz.retry, quiz.pass_mark) == (True, 0.6)
    types = [q.type for q in quiz.questions]
    assert types == [
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.SHORT,
        QuestionType.NUMERIC,
        QuestionType.NUMERIC,
    ]
    assert [q.id for q in quiz.questions] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    single, multiple, truth, short, number, rounded = quiz.questions
    assert [(c.id, c.text, c.correct) for c in single.choices] == [
        ("a", "3", False),
        ("b", "5", True),
    ]
    assert single.explanation == "Le dénominateur est le nombre du bas."
    assert [c.correct for c in multiple.choices] == [True, True, False]
    assert truth.truth is False
    assert short.accepted == ("un quart", "quart")
    assert number.numeric == (NumericAnswer(1500.0),)
    assert rounded.numeric == (NumericAnswer(0.33, 0.01),)


def test_slug_ids_are_short_ascii(tmp_path: Path) -> None:
    text = HEADER + "# L'été à Ouagadougou : une très longue journée\nTexte.\n"
    course = parse_course_file(make_course(tmp_path, text))
    assert course.lessons[0].id == "l-ete-a-ouagadougou-une"
    assert len(course.lessons[0].id) <= 24


def test_numeric_forms(tmp_path: Path) -> None:
    quiz = "## Quiz\n? Combien ?\n= 12,5 ± 0,1\n= 3 .. 4\n= -2\n= 1 000\n= 7.5 +- 0.5\n"
    question = parse_course_file(make_course(tmp_path, HEADER + LESSON + quiz)).lessons[0]
    assert question.quiz is not None
    assert question.quiz.questions[0].numeric == (
        NumericAnswer(12.5, 0.1),
        NumericAnswer(3.5, 0.5),
        NumericAnswer(-2.0),
        NumericAnswer(1000.0),
        NumericAnswer(7.5, 0.5),
    )


def test_quiz_options_and_true_false_words(tmp_path: Path) -> None:
    quiz = "## Quiz\nretry: non\npass: 75 %\ntypos: no\n? Vrai ?\n= TRUE\n? Court ?\n= mot\n"
    lesson = parse_course_file(make_course(tmp_path, HEADER + LESSON + quiz)).lessons[0]
    assert lesson.quiz is not None
    assert (lesson.quiz.retry, lesson.quiz.pass_mark) == (False, 0.75)
    assert lesson.quiz.questions[0].truth is True
    assert lesson.quiz.questions[1].typos is False


def test_escapes_comments_and_multiline_question(tmp_path: Path) -> None:
    text = (
        HEADER
        + "<!-- un commentaire\nsur deux lignes -->\n"
        + "# Leçon {#l}\n\\# pas un titre\n\\---\n## Quiz\n"
        + "? Première ligne\n\\* suite\n* oui\n- non\n>\n> Deux\n> lignes.\n"
    )
    lesson = parse_course(text, make_course(tmp_path, "")).lessons[0]
    assert lesson.steps[0].text == "# pas un titre ---"
    assert lesson.quiz is not None
    question = lesson.quiz.questions[0]
    assert question.text == "Première ligne\n* suite"
    assert question.explanation == "Deux lignes."


def test_crlf_bom_and_case_insensitive_levels(tmp_path: Path) -> None:
    text = "\ufeff" + HEADER.replace("CM1, CM2", "cm2, Cm1, CM2") + LESSON
    course = parse_course(text.replace("\n", "\r\n"), tmp_path / "course.md")
    assert course.levels == ("CM1", "CM2")
    assert course.lessons[0].steps[0].text == "Du texte."


# --- errors, with their places ----------------------------------------------------------

ERRORS = [
    pytest.param(
        HEADER + "colour: red\n" + LESSON,
        [(6, 1, "clé d'en-tête inconnue 'colour'")],
        id="unknown-key",
    ),
    pytest.param(
        HEADER + "title: Encore\n" + LESSON,
        [(6, 1, "la clé d'en-tête 'title' est donnée deux fois")],
        id="dup-key",
    ),
    pytest.param(
        HEADER + "summary:\n" + LESSON,
        [(6, 9, "la clé d'en-tête 'summary' n'a pas de valeur")],
        id="empty",
    ),
    pytest.param(
        HEADER + "pas une clé\n" + LESSON,
        [(6, 1, "ligne d'en-tête 'clé: valeur'")],
        id="header-text",
    ),
    pytest.param(
        HEADER.replace("subject: mathematiques\n", "") + LESSON,
        [(1, 1, "la clé d'en-tête 'subject' manque")],
        id="missing-key",
    ),
    pytest.param(
        HEADER.replace("mathematiques", "chimie") + LESSON,
        [(3, 10, "matière inconnue")],
        id="subject",
    ),
    pytest.param(
        HEADER.replace("CM1, CM2", "CM1,  CM3, terminale") + LESSON,
        [(4, 15, "niveau inconnu 'CM3'"), (4, 20, "niveau inconnu 'terminale'")],
        id="levels",
    ),
    pytest.param(
        HEADER.replace("fr", "français") + LESSON, [(5, 11, "la langue doit être")], id="language"
    ),
    pytest.param(
        HEADER.replace("id: essai", "id: Les Fractions!") + LESSON,
        [(1, 5, "l'identifiant de cours 'Les Fractions!' doit être un code ASCII court")],
        id="course-id",
    ),
    pytest.param(HEADER, [(6, 1, "le cours n'a aucune leçon")], id="no-lesson"),
    pytest.param(
        HEADER + "# Vide\n\n# Autre\nTexte.\n",
        [(6, 1, "la leçon n'a pas de contenu")],
        id="empty-lesson",
    ),
    pytest.param(
        HEADER + "# Leçon {#Trop_Long}\nTexte.\n",
        [(6, 9, "l'identifiant de leçon 'Trop_Long' doit être un code ASCII court")],
        id="lesson-id",
    ),
    pytest.param(
        HEADER + LESSON + "# Autre {#lecon}\nTexte.\n",
        [(8, 3, "l'identifiant de leçon 'lecon' est déjà pris")],
        id="dup-lesson",
    ),
    pytest.param(
        HEADER + "# الكسور\nنص.\n",
        [(6, 3, "impossible de tirer un identifiant ASCII")],
        id="arabic-title",
    ),
    pytest.param(HEADER + LESSON + "## Exemple\n", [(8, 1, "titre inconnu")], id="heading"),
    pytest.param(
        HEADER + "## Quiz\n" + LESSON, [(6, 1, "un quiz doit suivre une leçon")], id="early-quiz"
    ),
    pytest.param(QUIZ + "? Q\n= 1\n## Quiz\n", [(11, 1, "a déjà un quiz")], id="two-quizzes"),
    pytest.param(HEADER + LESSON + "---\n---\nSuite.\n", [(9, 1, "étape vide")], id="empty-step"),
    pytest.param(
        HEADER + "# L {#l}\n---\nTexte.\n", [(7, 1, "étape vide")], id="leading-separator"
    ),
    pytest.param(
        HEADER + LESSON + "  ![Galette](images/galette.png\n",
        [(8, 3, "ligne d'image mal formée")],
        id="image-shape",
    ),
    pytest.param(
        HEADER + LESSON + "[audio Résumé](audio/resume.ogg)\n",
        [(8, 1, "ligne de son mal formée")],
        id="audio-shape",
    ),
    pytest.param(
        HEADER + LESSON + "![Mangue](images/mangue.png)\n",
        [(8, 11, "fichier introuvable : images/mangue.png")],
        id="missing-media",
    ),
    pytest.param(
        HEADER + LESSON + "![x](../images/galette.png)\n",
        [(8, 6, "ne doit pas sortir du dossier du cours")],
        id="dotdot",
    ),
    pytest.param(
        HEADER + LESSON + "![x](/etc/passwd.png)\n",
        [(8, 6, "un média doit être un fichier du dossier du cours")],
        id="absolute",
    ),
    pytest.param(
        HEADER + LESSON + "![x](https://example.org/a.png)\n",
        [(8, 6, "un média doit être un fichier")],
        id="url",
    ),
    pytest.param(
        HEADER + LESSON + "![x](images/galette.gif)\n",
        [(8, 6, "doit se terminer par .png")],
        id="suffix",
    ),
    pytest.param(
        HEADER + LESSON + "[audio: x](images/galette.png)\n",
        [(8, 12, "doit se terminer par .ogg")],
        id="audio-suffix",
    ),
    pytest.param(
        HEADER + LESSON + "![x]()\n", [(8, 6, "le chemin du fichier manque")], id="no-path"
    ),
    pytest.param(QUIZ + "retry: yes\n", [(8, 1, "le quiz n'a aucune question")], id="empty-quiz"),
    pytest.param(
        QUIZ + "couleur: bleu\n? Q\n= 1\n",
        [(9, 1, "option du quiz inconnue 'couleur'")],
        id="option",
    ),
    pytest.param(
        QUIZ + "pass: 150%\n? Q\n= 1\n", [(9, 7, "pass doit être un pourcentage")], id="pass"
    ),
    pytest.param(
        QUIZ + "retry: peut-être\n? Q\n= 1\n", [(9, 8, "retry doit valoir oui ou non")], id="retry"
    ),
    pytest.param(
        QUIZ + "retry: yes\nretry: no\n? Q\n= 1\n",
        [(10, 1, "l'option du quiz 'retry' est donnée deux fois")],
        id="dup-option",
    ),
    pytest.param(
        QUIZ + "Pas une option\n? Q\n= 1\n", [(9, 1, "option du quiz (retry:")], id="quiz-text"
    ),
    pytest.param(QUIZ + "? Laquelle ?\n- a\n- b\n", [(9, 1, "aucune bonne option")], id="no-right"),
    pytest.param(QUIZ + "? Laquelle ?\n* a\n", [(9, 1, "au moins deux options")], id="one-option"),
    pytest.param(QUIZ + "? Q\n* a\n- b\n= c\n", [(12, 1, "pas les deux")], id="mixed"),
    pytest.param(
        QUIZ + "? Q\n> Rien.\n", [(9, 1, "la question n'a pas de réponse")], id="no-answer"
    ),
    pytest.param(QUIZ + "?\n= 1\n", [(9, 1, "la question n'a pas de texte")], id="no-text"),
    pytest.param(QUIZ + "? Q\n= 1\nOups\n", [(11, 1, "texte inattendu")], id="text-after-answers"),
    pytest.param(
        QUIZ + "? Q\n= vrai\n= faux\n", [(11, 1, "un seul '= vrai' ou '= faux'")], id="tf-twice"
    ),
    pytest.param(QUIZ + "? Q\n= 4 .. 3\n", [(10, 3, "du plus petit au plus grand")], id="range"),
    pytest.param(QUIZ + "? Q\n= 4 ± -1\n", [(10, 3, "ne doit pas être négative")], id="tolerance"),
    pytest.param(QUIZ + "? Q\n= 1" + "0" * 400 + "\n", [(10, 3, "trop grand")], id="huge"),
    pytest.param(
        QUIZ + "? Q\n* Oui\n- oui\n",
        [(11, 3, "cette option est donnée deux fois")],
        id="dup-choice",
    ),
    pytest.param(
        QUIZ + "? Q\n* " + "x" * 101 + "\n- b\n", [(10, 3, "au plus 100 caractères")], id="long"
    ),
    pytest.param(
        QUIZ + "? Q\n* a\n" + "".join(f"- {i}\n" for i in range(10)),
        [(20, 1, "au plus 10 options")],
        id="many-options",
    ),
    pytest.param(QUIZ + "? Q\n*\n- b\n* c\n", [(10, 1, "'*' doit être suivi")], id="bare-mark"),
    pytest.param(QUIZ + "? Q\n= ?!\n", [(10, 3, "au moins une lettre ou un chiffre")], id="punct"),
    pytest.param(
        HEADER + "<!-- jamais fermé\n" + LESSON,
        [(6, 1, "n'est jamais fermé"), (9, 1, "aucune leçon")],
        id="comment",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS)
def test_errors_are_reported_with_their_place(
    tmp_path: Path, text: str, expected: list[tuple[int, int, str]]
) -> None:
    found = problems(tmp_path, text)
    assert [(line, column) for line, column, _ in found] == [(e[0], e[1]) for e in expected], found
    for (_, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message


def test_several_errors_are_collected(tmp_path: Path) -> None:
    text = (
        HEADER.replace("CM1", "CM7")
        + "bogus: 1\n"
        + "# A {#a}\nTexte.\n![x](images/absent.png)\n## Quiz\n? Q\n- a\n- b\n"
        + "# B {#a}\n---\n---\n"
    )
    lines = [line for line, _, _ in problems(tmp_path, text)]
    assert lines == [4, 6, 9, 11, 14, 14, 15, 16]


def test_parse_course_raises_the_first_error(tmp_path: Path) -> None:
    path = make_course(tmp_path, HEADER + "oops\n" + LESSON + "---\n---\n")
    with pytest.raises(CourseFormatError) as caught:
        parse_course_file(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.path, error.line, error.column) == (path, 6, 1)
    assert str(error) == f"{path}:6:1: {error.message}"
    assert pickle.loads(pickle.dumps(error)).message == error.message


def test_non_utf8_file_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "course.md"
    path.write_bytes((HEADER + "# Leçon\n").encode() + "Été\n".encode("latin-1"))
    [error] = check_path(path)
    assert (error.line, error.column) == (7, 1)
    assert "UTF-8" in error.message


def test_check_path_on_missing_and_empty_folders(tmp_path: Path) -> None:
    [missing] = check_path(tmp_path / "absent")
    assert (missing.line, missing.message) == (0, "fichier ou dossier introuvable")
    [empty] = check_path(tmp_path)
    assert "aucun fichier de cours" in empty.message


def test_check_path_walks_a_folder_and_finds_shared_ids(tmp_path: Path) -> None:
    for name in ("un", "deux"):
        (tmp_path / name).mkdir()
        make_course(tmp_path / name, HEADER + LESSON)
    make_course(tmp_path / "un", HEADER.replace("essai", "autre") + "x\n" + LESSON, "extra.course")
    errors = check_path(tmp_path)
    assert [(e.path.parent.name, e.path.name, e.line) for e in errors] == [
        ("un", "course.md", 1),
        ("un", "extra.course", 6),
    ]
    assert "l'identifiant de cours 'essai' est déjà pris par" in errors[0].message


def test_parse_course_files_returns_sound_courses(tmp_path: Path) -> None:
    good = make_course(tmp_path, HEADER + LESSON)
    bad = make_course(tmp_path, HEADER, "bad.course")
    courses, errors = parse_course_files([good, bad])
    assert [c.id for c in courses] == ["essai"]
    assert [e.path for e in errors] == [bad]


# --- hostile input: only CourseFormatError, whatever the text ---------------------------

_NOISE = [
    "#",
    "## Quiz",
    "?",
    "? Q",
    "*",
    "* x",
    "- y",
    "= 1",
    "= vrai",
    "= 3 .. 1",
    ">",
    "---",
    "![a](images/galette.png)",
    "![",
    "[audio:",
    "{#",
    "<!--",
    "-->",
    "\\",
    "id: x",
    ":",
    "\x00",
    "\ufeff",
    "é",
    "\r",
    "\t",
    "± ±",
    "1" * 50,
    "levels: ,",
    "pass: %",
]


def _mutate(rng: random.Random, lines: list[str]) -> list[str]:
    """Return a randomly damaged copy of a course's lines."""
    lines = list(lines)
    for _ in range(rng.randint(1, 6)):
        spot = rng.randrange(len(lines) + 1)
        action = rng.randrange(5)
        if action == 0 and lines:
            del lines[min(spot, len(lines) - 1)]
        elif action == 1:
            lines.insert(spot, rng.choice(_NOISE))
        elif action == 2 and lines:
            line = lines[min(spot, len(lines) - 1)]
            cut = rng.randrange(len(line) + 1)
            lines[min(spot, len(lines) - 1)] = line[:cut] + rng.choice(_NOISE) + line[cut:]
        elif action == 3:
            lines.insert(
                spot, "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(12)))
            )
        elif lines:
            rng.shuffle(lines)
    return lines


def test_mutated_courses_raise_only_course_format_errors(tmp_path: Path) -> None:
    source = make_course(tmp_path, "")
    lines = readme_example().split("\n")
    rng = random.Random(20240611)
    for _ in range(1500):
        text = "\n".join(_mutate(rng, lines))
        try:
            parse_course(text, source)
        except CourseFormatError as error:
            assert error.line >= 0 and error.column >= 0


def test_random_bytes_never_crash_the_checker(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "course.md"
    for _ in range(300):
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(200))))
        assert all(isinstance(e, CourseFormatError) for e in check_path(path))


def test_reading_stops_after_a_hundred_problems(tmp_path: Path) -> None:
    # 512 KB of wrong lines were 130,000 problems and seconds of the event loop.
    text = "a:1\n" * 131_000
    with pytest.raises(CourseFormatError) as first:
        parse_course(text, Path("course.md"))
    assert (first.value.line, first.value.values) == (1, {"key": "a", "known": ANY})
    found = problems(tmp_path, text)
    unknown = [line for line, _, message in found if message.startswith("clé d'en-tête inconnue")]
    assert unknown == list(range(1, MAX_ERRORS + 1))
    assert len(found) == MAX_ERRORS + len(REQUIRED_KEYS) + 1  # and "no lesson"
