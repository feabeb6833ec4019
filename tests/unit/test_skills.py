"""Skills in the course format: `skill:` lines on lessons and questions, checked, shown,
written back, kept through GIFT, and given to every lesson of the bundled library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from content.format import check_path, parse_course
from content.format_edit import add_questions, replace_step, steps
from content.format_write import question as written
from content.gift import export_gift, parse_gift
from content.gift_import import gift_to_questions, skill_tags
from content.library import DEFAULT_LIBRARY, load_library
from content.skills import question_skills, skill_names

HEADER = """\
id: essai
title: Un cours d'essai
subject: mathematiques
levels: CM1
language: fr
"""

COURSE = (
    HEADER
    + """
# Partager {#partager}
skill: CM1-NUM-3, cm1.num_4

Une part sur quatre s'écrit 1/4.

## Quiz

? Combien de parts ?
= 4

? Quelle fraction est la plus grande ?
compétence : CM1-NUM-5 ; CM1-NUM-5
* 1/2
- 1/4

# Sans compétence {#sans}

Du texte.
"""
)


def test_lessons_and_questions_carry_their_skills_and_questions_inherit() -> None:
    course = parse_course(COURSE, Path("/tmp/essai/course.md"))
    first, second = course.lessons
    assert first.skills == ("CM1-NUM-3", "cm1.num_4")
    assert first.steps[0].text == "Une part sur quatre s'écrit 1/4."  # not a step's text
    assert first.quiz is not None
    q1, q2 = first.quiz.questions
    assert q1.skills == () and first.skills_of(q1) == ("CM1-NUM-3", "cm1.num_4")
    assert q2.skills == ("CM1-NUM-5",) and first.skills_of(q2) == ("CM1-NUM-5",)
    assert second.skills == ()
    assert question_skills(course) == {
        ("partager", "q1"): ("CM1-NUM-3", "cm1.num_4"),
        ("partager", "q2"): ("CM1-NUM-5",),
    }
    assert skill_names([course]) == {
        "CM1-NUM-3": "Partager",
        "cm1.num_4": "Partager",
        "CM1-NUM-5": "Partager",
    }


def test_a_text_line_starting_with_the_word_is_escaped() -> None:
    text = HEADER + "\n# Leçon {#l}\n\\Compétence: lire l'heure.\n"
    (lesson,) = parse_course(text, Path("/tmp/x/course.md")).lessons
    assert lesson.skills == () and lesson.steps[0].text == "Compétence: lire l'heure."


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("skill: CM1 NUM 3", 8, "CM1 NUM 3"),
        ("skill: CM1-NUM-3, lire l'heure", 19, "lire l'heure"),
        ("skills: " + "A" * 33, 9, "A" * 33),
        ("compétences: -NUM", 14, "-NUM"),
    ],
)
def test_malformed_codes_are_errors_with_file_line_and_column(
    tmp_path: Path, line: str, column: int, code: str
) -> None:
    path = tmp_path / "course.md"
    path.write_text(HEADER + f"\n# Leçon {{#l}}\n{line}\n\nDu texte.\n", encoding="utf-8")
    (problem,) = check_path(path)
    assert (problem.path, problem.line, problem.column) == (path, 8, column)
    assert problem.message == (
        f"code de compétence mal formé '{code}' : lettres, chiffres, '.', '-' et '_', "
        "32 caractères au plus, séparés par des virgules (par exemple CM1-NUM-3)"
    )


def test_an_empty_skill_line_in_a_question_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "course.md"
    text = HEADER + "\n# Leçon {#l}\nDu texte.\n## Quiz\n? Combien ?\nskill:\n= 4\n"
    path.write_text(text, encoding="utf-8")
    (problem,) = check_path(path)
    assert (problem.line, problem.column) == (11, 7)
    assert "'skill:' doit être suivi" in problem.message


def test_check_prints_the_malformed_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "course.md"
    path.write_text(HEADER + "\n# Leçon {#l}\nskill: a b\n\nDu texte.\n", encoding="utf-8")
    assert main(["content", "check", str(path), "--lang", "fr"]) == 1
    assert f"{path}:8:8: code de compétence mal formé 'a b'" in capsys.readouterr().out


def test_show_json_gives_the_skills(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "show", str(DEFAULT_LIBRARY / "fractions"), "--json"]) == 0
    course = json.loads(capsys.readouterr().out)["course"]
    assert [lesson["skills"] for lesson in course["lessons"]] == [
        ["MATH-CM-FRAC-SENS"],
        ["MATH-CM-FRAC-COMPARER"],
        ["MATH-CM-FRAC-QUANTITE"],
        ["MATH-CM-FRAC-DECIMAUX"],
    ]
    assert all(q["skills"] == [] for q in course["lessons"][0]["quiz"]["questions"])


def test_a_question_written_back_keeps_its_skills() -> None:
    course = parse_course(COURSE, Path("/tmp/essai/course.md"))
    assert course.lessons[0].quiz is not None
    item = course.lessons[0].quiz.questions[1]
    text = written(item)
    assert "\nskill: CM1-NUM-5\n" in text
    again = parse_course(HEADER + "\n# L {#l}\nTexte.\n## Quiz\n" + text, Path("/tmp/x/c.md"))
    assert again.lessons[0].quiz is not None
    assert again.lessons[0].quiz.questions[0].skills == ("CM1-NUM-5",)


def test_gift_tags_and_categories_become_skills_and_survive_export() -> None:
    gift = """\
// [tag:skill:CM1-NUM-3] [tag:facile]
Combien font 2 + 2 ? {#4}

$CATEGORY: $course$/Fractions/compétence:CM1-NUM-5

Quelle fraction est la plus grande ? {=1/2 ~1/4}

// [tag:skill:pas un code]
Vrai ? {T}
"""
    items = parse_gift(gift)
    questions = gift_to_questions(items)
    assert [q.skills for q in questions] == [("CM1-NUM-3",), ("CM1-NUM-5",), ("CM1-NUM-5",)]
    again = gift_to_questions(parse_gift(export_gift(items)))
    assert [q.skills for q in again] == [q.skills for q in questions]
    assert skill_tags(("CM1-NUM-3",)) == ("skill:CM1-NUM-3",)


def test_editing_a_step_keeps_the_lessons_skills() -> None:
    assert steps(COURSE, 0) == ["Une part sur quatre s'écrit 1/4."]
    edited = replace_step(COURSE, 0, 0, "Un quart s'écrit 1/4.")
    lesson = parse_course(edited, Path("/tmp/essai/course.md")).lessons[0]
    assert lesson.skills == ("CM1-NUM-3", "cm1.num_4")
    assert lesson.steps[0].text == "Un quart s'écrit 1/4."


def test_every_lesson_of_the_bundled_library_tests_a_skill() -> None:
    library = load_library(DEFAULT_LIBRARY)
    untagged = [
        (course.id, lesson.id)
        for course in library.courses
        for lesson in course.lessons
        if not lesson.skills
    ]
    assert untagged == []


def test_check_names_a_malformed_skill_tag_of_a_gift_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quiz.gift"
    path.write_text(
        "// [tag:skill:CM1-NUM-3]\nCombien ? {#4}\n\n// [tag:skill:pas un code]\nVrai ? {T}\n",
        encoding="utf-8",
    )
    assert main(["content", "check", str(path), "--lang", "fr"]) == 1
    assert f"{path}:5:1: code de compétence mal formé 'pas un code'" in capsys.readouterr().out


def test_a_gift_question_added_to_a_course_keeps_its_skills() -> None:
    (item,) = gift_to_questions(parse_gift("// [tag:skill:CM1-NUM-3]\nCombien ? {#4}\n"))
    source = HEADER + "\n# L {#l}\nskill: AUTRE\n\nTexte.\n"
    course = parse_course(add_questions(source, written(item)), Path("/tmp/x/course.md"))
    lesson = course.lessons[0]
    assert lesson.quiz is not None
    assert lesson.skills_of(lesson.quiz.questions[0]) == ("CM1-NUM-3",)
