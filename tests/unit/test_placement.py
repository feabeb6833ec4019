"""Placement and remediation in the course format: `# Test de placement` and `remédiation:`
read, checked with file and line, shown by `content show --json`, written back; which
lessons a placement lets a learner skip; which remediation a twice-failed skill brings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from content.format import check_path, parse_course
from content.format_write import question as written
from content.library import DEFAULT_LIBRARY, load_library
from content.mastery import MASTERED, trace
from content.placement import (
    answers_to_master,
    mastered_lessons,
    remediation_for,
    thin_skills,
)

HEADER = """\
id: essai
title: Un cours d'essai
subject: mathematiques
levels: CM1
language: fr
"""

PLACEMENT = """
# Test de placement

? Combien font 2 + 2 ?
skill: ADD
= 4

? Combien font 3 × 2 ?
skill: MUL
remédiation: jamais montrée : le test ne remédie pas
= 6
"""

LESSONS = """
# Additionner {#additionner}
skill: ADD
remédiation: Un exemple : 2 + 3, on compte 2 puis encore 3 : 3, 4, 5.
remédiation: Donc 2 + 3 = 5.

On ajoute.

## Quiz

? Combien font 1 + 1 ?
= 2

? Combien font 5 + 1 ?
remédiation: 5 + 1, c'est le nombre qui suit 5 : 6.
= 6

# Multiplier {#multiplier}
skill: MUL

On multiplie.

## Quiz

? Combien font 2 × 2 ?
= 4

# Diviser {#diviser}

Sans compétence : jamais sautée.
"""


def course_at(tmp_path: Path, text: str) -> Path:
    """A course file with `text`."""
    path = tmp_path / "course.md"
    path.write_text(text, encoding="utf-8")
    return path


def located(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    """The problems `content check` finds, by line."""
    return [(e.line, e.message) for e in check_path(course_at(tmp_path, text))]


def test_a_placement_quiz_and_remediations_are_read(tmp_path: Path) -> None:
    course = parse_course(HEADER + PLACEMENT + LESSONS, tmp_path / "course.md")
    assert course.placement is not None
    assert [q.text for q in course.placement.questions] == [
        "Combien font 2 + 2 ?",
        "Combien font 3 × 2 ?",
    ]
    assert [q.skills for q in course.placement.questions] == [("ADD",), ("MUL",)]
    assert [le.id for le in course.lessons] == ["additionner", "multiplier", "diviser"]
    first = course.lessons[0]
    assert first.remediation == (
        "Un exemple : 2 + 3, on compte 2 puis encore 3 : 3, 4, 5.\nDonc 2 + 3 = 5."
    )
    assert first.steps[0].text == "On ajoute.", "a remediation is not the lesson's text"
    assert first.quiz is not None
    assert first.quiz.questions[1].remediation == "5 + 1, c'est le nombre qui suit 5 : 6."
    assert course.lessons[1].remediation == ""


def test_the_placement_may_come_after_the_lessons_and_has_other_names(tmp_path: Path) -> None:
    text = HEADER + LESSONS + PLACEMENT.replace("# Test de placement", "# Test de niveau")
    course = parse_course(text, tmp_path / "course.md")
    assert course.placement is not None and len(course.placement.questions) == 2
    assert len(course.lessons) == 3, "the placement is not a lesson"


def test_placement_problems_are_found_with_their_lines(tmp_path: Path) -> None:
    wrong = """
# Test de placement

? Sans compétence ?
= 1

? Une compétence qu'aucune leçon n'enseigne ?
skill: GEO
= 2

? Racontez.
skill: ADD
essay: oui
"""
    found = located(tmp_path, HEADER + wrong + LESSONS)
    assert found == [
        (
            9,
            "une question du test de placement teste une compétence : ajoutez-lui "
            "'skill: CODE' (celui d'une leçon)",
        ),
        (
            12,
            "aucune leçon n'enseigne la compétence 'GEO' : le test de placement ne ferait "
            "sauter aucune leçon",
        ),
        (16, "une question du test de placement doit être corrigée par la machine"),
    ]
    quiz_inside = HEADER + PLACEMENT.replace("? Combien font 3", "## Quiz\n? Combien font 3")
    assert located(tmp_path, quiz_inside + LESSONS) == [
        (13, "le test de placement est déjà un quiz : écrivez ses questions ('? ')")
    ]


def test_two_placements_and_empty_remediations_are_refused(tmp_path: Path) -> None:
    text = HEADER + PLACEMENT + LESSONS.replace("Donc 2 + 3 = 5.", "") + PLACEMENT
    found = located(tmp_path, text)
    assert (
        21,
        "'remédiation:' doit être suivi d'un texte (une étape plus facile, un exemple)",
    ) in found
    assert (48, "ce cours a déjà un test de placement : un seul") in found


def test_show_json_has_the_placement_and_the_remediations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = course_at(tmp_path, HEADER + PLACEMENT + LESSONS)
    assert main(["content", "show", "--json", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)["course"]
    assert [q["skills"] for q in shown["placement"]["questions"]] == [["ADD"], ["MUL"]]
    assert shown["lessons"][0]["remediation"].startswith("Un exemple : 2 + 3")
    assert shown["lessons"][0]["quiz"]["questions"][1]["remediation"] == (
        "5 + 1, c'est le nombre qui suit 5 : 6."
    )


def test_a_question_with_its_remediation_is_written_back(tmp_path: Path) -> None:
    course = parse_course(HEADER + PLACEMENT + LESSONS, tmp_path / "course.md")
    assert course.lessons[0].quiz is not None
    question = course.lessons[0].quiz.questions[1]
    text = written(question)
    assert "remédiation: 5 + 1, c'est le nombre qui suit 5 : 6." in text
    again = parse_course(
        HEADER + "\n# Une {#une}\nskill: ADD\n\nTexte.\n\n## Quiz\n" + text, tmp_path / "course.md"
    )
    assert again.lessons[0].quiz is not None
    assert again.lessons[0].quiz.questions[0].remediation == question.remediation


def test_check_warns_of_a_skill_asked_too_few_times_to_reach_mastery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert answers_to_master() == 3, "three right answers from the default p_init"
    course = parse_course(HEADER + PLACEMENT + LESSONS, tmp_path / "course.md")
    assert thin_skills(course) == [(9, "ADD", 1, 3), (13, "MUL", 1, 3)]
    path = course_at(tmp_path, HEADER + PLACEMENT + LESSONS)
    assert main(["content", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        f"{path}:9:1: avertissement : le test de placement pose 1 question(s) sur la "
        "compétence 'ADD' : il en faut au moins 3 justes pour la maîtriser ; ajoutez-en"
    ) in out


def test_only_lessons_whose_skills_are_all_mastered_are_skipped(tmp_path: Path) -> None:
    course = parse_course(HEADER + PLACEMENT + LESSONS, tmp_path / "course.md")
    strong = trace([True, True, True])
    assert strong >= MASTERED > trace([True, True])
    assert [le.id for le in mastered_lessons(course, {"ADD": strong})] == ["additionner"]
    both = {"ADD": strong, "MUL": strong}
    assert [le.id for le in mastered_lessons(course, both)] == ["additionner", "multiplier"]
    assert mastered_lessons(course, both, frozenset({"additionner"}))[0].id == "multiplier"
    assert mastered_lessons(course, {"ADD": trace([True, True])}) == (), "two right: not yet"
    assert mastered_lessons(course, {}) == (), "a lesson without skills is never skipped"


def test_a_lesson_is_skipped_only_when_its_questions_own_skills_are_mastered_too(
    tmp_path: Path,
) -> None:
    text = LESSONS.replace("? Combien font 1 + 1 ?\n", "? Combien font 1 + 1 ?\nskill: MUL\n")
    course = parse_course(HEADER + PLACEMENT + text, tmp_path / "course.md")
    strong = trace([True, True, True])
    assert [le.id for le in mastered_lessons(course, {"ADD": strong})] == []
    both = {"ADD": strong, "MUL": strong}
    assert [le.id for le in mastered_lessons(course, both)] == ["additionner", "multiplier"]


def test_the_remediation_of_a_question_then_of_the_lesson_teaching_the_skill(
    tmp_path: Path,
) -> None:
    course = parse_course(HEADER + PLACEMENT + LESSONS, tmp_path / "course.md")
    add, mul, _ = course.lessons
    assert add.quiz is not None and mul.quiz is not None
    first, second = add.quiz.questions
    assert remediation_for(course, add, second, "ADD") == second.remediation
    assert remediation_for(course, add, first, "ADD") == add.remediation
    assert remediation_for(course, None, first, "ADD") == add.remediation, "found by skill"
    assert remediation_for(course, mul, mul.quiz.questions[0], "MUL") == "", "none written"


def test_the_fractions_course_has_a_placement_and_remediations() -> None:
    library = load_library(DEFAULT_LIBRARY)
    fractions = library.get("fractions")
    assert fractions is not None and fractions.placement is not None
    asked: dict[str, int] = {}
    for question in fractions.placement.questions:
        for code in question.skills:
            asked[code] = asked.get(code, 0) + 1
    assert asked == {"MATH-CM-FRAC-SENS": 3, "MATH-CM-FRAC-COMPARER": 3}
    assert thin_skills(fractions) == []
    assert [bool(le.remediation) for le in fractions.lessons] == [True, True, False, False]


def test_quiz_options_have_no_place_in_a_placement(tmp_path: Path) -> None:
    text = HEADER + PLACEMENT.replace(
        "# Test de placement\n", "# Test de placement\nretry: non\ndraw: 1\n"
    )
    assert located(tmp_path, text + LESSONS) == [
        (
            7,
            "le test de placement ne prend pas d'options (draw, retry) : seulement des "
            "questions ('? ')",
        )
    ]
