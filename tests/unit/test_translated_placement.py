"""The placement quiz and the `remédiation:` texts in a course's translation: written in
`course.<lang>.md` (`# Test de placement`, `## remédiation`, `remédiation:` in a question
block), offered by the skeleton, checked by their fingerprints, translated in the chat as
units; a learner of the language reads them, and is graded exactly as in French."""

from __future__ import annotations

from pathlib import Path

from content import grading
from content.library import load_library
from content.model import Course
from content.placement import remediation_for
from content.translated_quiz import question_mark
from content.translation_units import existing, render_translation, units, with_units
from content.translations import (
    PLACEMENT_ID,
    localized_course,
    parse_translation,
    source_mark,
    translation_gaps,
    translation_skeleton,
)

COURSE = """\
id: parts
title: Les parts
subject: mathematiques
levels: CM1
language: fr

# Test de placement

? Comment lit-on 1/4 ?
skill: SENS
= un quart

? Combien de parts ?
skill: SENS
- 3
* 4

# Partager {#partager}
skill: SENS
remédiation: Une orange en 3 parts : 3 est le dénominateur.

On coupe la galette en 4 parts égales.

## Quiz

? Combien de parts dans 1/4 ?
skill: SENS
remédiation: Regarde le nombre du bas.
= 4
"""

WOLOF = """\
language: wo

# Séddale {#partager}

## remédiation · source: {lesson}
Benn sorons ci 3 pàcc : 3 mooy dénominateur bi.

## question 1 · source: {q}
Ñaata pàcc ci 1/4 ?
remédiation: Xoolal lim bu suuf bi.

# Test de placement

## question 1 · source: {p1}
Naka lañuy jàng 1/4 ?
= benn ci ñeent

## question 2 · source: {p2}
Ñaata pàcc ?
- ñett
- ñeent
"""


def loaded(tmp_path: Path, wolof: str | None = WOLOF) -> Course:
    folder = tmp_path / "parts"
    folder.mkdir(exist_ok=True)
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    if wolof is None:
        return course
    lesson = course.lessons[0]
    assert course.placement is not None and lesson.quiz is not None
    marks = {
        "lesson": source_mark(lesson.remediation),
        "q": question_mark(lesson.quiz.questions[0]),
        "p1": question_mark(course.placement.questions[0]),
        "p2": question_mark(course.placement.questions[1]),
    }
    for name, mark in marks.items():
        wolof = wolof.replace(f"{{{name}}}", mark)
    (folder / "course.wo.md").write_text(wolof, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    return course


def gaps(course: Course) -> list[str]:
    return [str(g).split(": ", 1)[1] for g in translation_gaps(course)]


def test_a_wolof_learner_reads_the_placement_quiz_and_the_remediation_graded_the_same(
    tmp_path: Path,
) -> None:
    course = loaded(tmp_path)
    shown = localized_course(course, "wo")
    assert shown.placement is not None and course.placement is not None
    typed, choice = shown.placement.questions
    assert typed.text == "Naka lañuy jàng 1/4 ?"
    assert grading.grade(typed, "benn ci ñeent").correct
    assert grading.grade(typed, "un quart").correct and not grading.grade(typed, "ñett").correct
    assert [(c.id, c.text, c.correct) for c in choice.choices] == [
        ("a", "ñett", False),
        ("b", "ñeent", True),
    ]
    assert [q.id for q in shown.placement.questions] == [q.id for q in course.placement.questions]
    assert [q.skills for q in shown.placement.questions] == [("SENS",), ("SENS",)]
    lesson = shown.lessons[0]
    assert lesson.remediation == "Benn sorons ci 3 pàcc : 3 mooy dénominateur bi."
    assert lesson.quiz is not None
    question = lesson.quiz.questions[0]
    assert remediation_for(shown, lesson, question, "SENS") == "Xoolal lim bu suuf bi."
    assert grading.grade(question, "4").correct
    # In French, nothing changed.
    assert localized_course(course, "fr") == course
    assert course.lessons[0].remediation == "Une orange en 3 parts : 3 est le dénominateur."
    assert gaps(course) == ["étape 1 de la leçon 'partager' non traduite en wo"]


def test_missing_and_changed_placement_and_remediation_are_reported_and_in_the_skeleton(
    tmp_path: Path,
) -> None:
    stale = WOLOF.replace("## question 2 · source: {p2}", "## question 2 · source: 00000000")
    stale = stale.replace("## remédiation · source: {lesson}", "## remédiation")
    course = loaded(tmp_path, stale)
    assert gaps(course) == [
        "étape 1 de la leçon 'partager' non traduite en wo",
        "remédiation de la leçon 'partager' : traduction en wo à revoir, le texte source a "
        f"changé depuis (source: {source_mark(course.lessons[0].remediation)})",
        "question 2 du test de placement : traduction en wo à revoir, la question a changé "
        f"depuis (source: {question_mark(course.placement.questions[1])})",  # type: ignore[union-attr]
    ]
    skeleton = translation_skeleton(course, "wo")
    assert "## remédiation · source: " in skeleton
    assert "<!--\nUne orange en 3 parts : 3 est le dénominateur.\n-->" in skeleton
    placement = skeleton.split("# Test de placement\n", 1)[1]
    assert placement.strip().startswith("## question 2 · source: ")
    assert "## question 1" not in placement  # up to date: not offered again
    assert "remédiation: Regarde le nombre du bas." not in skeleton  # its question is done


def test_a_file_translating_what_the_course_lacks_says_so_with_its_line(tmp_path: Path) -> None:
    course = loaded(tmp_path, None)
    bad = (
        "language: wo\n\n# Test de placement\n\n## étape 1\nJàng\n\n## question 9\nLan ?\n"
        "\n# Séddale {#partager}\n\n## remédiation\nJàng\n\n## remédiation\nJàngaat\n"
    )
    _, errors = parse_translation(bad, tmp_path / "course.wo.md", course)
    assert [(e.line, str(e).split(": ", 1)[1]) for e in errors] == [
        (5, "le test de placement n'a que des questions : ## question N"),
        (8, "la leçon '_placement' n'a pas de question 9 (son quiz en a 2)"),
        (16, "la remédiation de cette leçon est déjà traduite plus haut"),
    ]
    without = COURSE.split("# Test de placement")[0] + "# Partager {#partager}\n\nTexte.\n"
    (tmp_path / "parts" / "course.md").write_text(without, encoding="utf-8")
    (plain,) = load_library(tmp_path).courses
    _, errors = parse_translation(bad, tmp_path / "course.wo.md", plain)
    assert [(e.line, str(e).split(": ", 1)[1]) for e in errors][:1] == [
        (3, "le cours 'parts' n'a pas de test de placement")
    ]
    assert (13, "la leçon 'partager' n'a pas de remédiation à traduire") in [
        (e.line, str(e).split(": ", 1)[1]) for e in errors
    ]


def test_placement_and_remediation_are_units_translated_in_the_chat_and_written_back(
    tmp_path: Path,
) -> None:
    course = loaded(tmp_path, None)
    skeleton = translation_skeleton(course, "wo")
    assert "remédiation: Regarde le nombre du bas." in skeleton  # in its question's block
    assert skeleton.rstrip().endswith("-->")  # the placement quiz last, its source to replace
    keys = {u.key: u for u in units(course)}
    assert keys["lesson/partager/remediation"].source == (
        "Une orange en 3 parts : 3 est le dénominateur."
    )
    assert keys["lesson/partager/q/1/remediation"].source == "Regarde le nombre du bas."
    assert keys["placement/q/1/text"].source == "Comment lit-on 1/4 ?"
    assert keys["placement/q/2/option/2"].lesson_id == PLACEMENT_ID
    done = {
        key: (text, keys[key].mark)
        for key, text in {
            "lesson/partager/remediation": "Benn sorons ci 3 pàcc.",
            "lesson/partager/q/1/remediation": "Xoolal lim bu suuf bi.",
            "placement/q/1/text": "Naka lañuy jàng 1/4 ?",
            "placement/q/1/answers": "benn ci ñeent",
            "placement/q/2/option/1": "ñett",
        }.items()
    }
    laid = with_units(course, "wo", done)
    for key, (text, mark) in done.items():
        assert existing(laid, "wo", keys[key]) == (text, mark)
    written = render_translation(laid, "wo")
    assert "# Test de placement\n\n## question 1 · source: " in written
    (tmp_path / "parts" / "course.wo.md").write_text(written, encoding="utf-8")
    (again,) = load_library(tmp_path).courses
    for key, (text, mark) in done.items():
        assert existing(again, "wo", keys[key]) == (text, mark), key
    shown = localized_course(again, "wo")
    assert shown.placement is not None
    assert [c.text for c in shown.placement.questions[1].choices] == ["ñett", "4"]
    assert shown.lessons[0].remediation == "Benn sorons ci 3 pàcc."
