"""Quiz questions and module titles in a course's translation (`## question N` blocks).

A learner of the translation's language reads the questions, options, feedback, hints and
explanations in it, and is graded exactly as in the main language: the options keep their
ids and right answers, and a typed answer may be written in either language."""

from __future__ import annotations

from pathlib import Path

from content import grading
from content.format import check_path
from content.library import load_library
from content.model import Course, QuestionType
from content.translated_quiz import question_mark
from content.translations import (
    localized_course,
    localized_lesson,
    translation_gaps,
    translation_skeleton,
)

COURSE = """\
id: parts
title: Les parts
subject: mathematiques
levels: CM1
language: fr

# Module : Comprendre {#comprendre}

# Partager {#partager}

On coupe la galette en 4 parts égales.

## Quiz

? Combien de parts ?
hint: Compte les morceaux.
- 3
* 4
  > Oui, quatre parts.
- 5
> On a coupé en 4.

? Comment lit-on 1/4 ?
= un quart
> 1/4 se lit « un quart ».

? Une part sur quatre est ___ de la galette.
- la moitié
* un quart
"""

WOLOF = """\
language: wo
title: Pàcc yi

# Module : Xam {#comprendre}

# Séddale {#partager}

## question 1 · source: {m1}
Ñaata pàcc ?
hint: Waññil dog yi.
- ñett
- ñeent
  > Waaw, ñeenti pàcc.
- juróom
> Dagg nañu ko ñeenti pàcc.

## question 2 · source: {m2}
Naka lañuy jàng 1/4 ?
= benn ci ñeent
"""


def library(tmp_path: Path, wolof: str, load: bool = True) -> Course | None:
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    quiz = course.lessons[0].quiz
    assert quiz is not None
    marks = {f"m{i + 1}": question_mark(q) for i, q in enumerate(quiz.questions)}
    (folder / "course.wo.md").write_text(
        wolof.replace("{m1}", marks["m1"]).replace("{m2}", marks["m2"]), encoding="utf-8"
    )
    if not load:
        return None
    (course,) = load_library(tmp_path).courses
    return course


def loaded(tmp_path: Path, wolof: str) -> Course:
    course = library(tmp_path, wolof)
    assert course is not None
    return course


def test_a_wolof_learner_reads_the_translated_questions_and_is_graded_the_same(
    tmp_path: Path,
) -> None:
    course = loaded(tmp_path, WOLOF)
    french = course.lessons[0].quiz
    quiz = localized_lesson(course, course.lessons[0], "wo").quiz
    assert quiz is not None and french is not None
    first, typed, gap = quiz.questions
    assert first.text == "Ñaata pàcc ?"
    assert [(c.id, c.text, c.correct) for c in first.choices] == [
        ("a", "ñett", False),
        ("b", "ñeent", True),
        ("c", "juróom", False),
    ]
    assert first.choices[1].feedback == "Waaw, ñeenti pàcc."
    assert first.hints == ("Waññil dog yi.",)
    assert first.explanation == "Dagg nañu ko ñeenti pàcc."
    assert grading.grade(first, "b").correct and not grading.grade(first, "a").correct
    # A typed answer in Wolof is right, and the French one still is.
    assert typed.text == "Naka lañuy jàng 1/4 ?"
    assert grading.grade(typed, "benn ci ñeent").correct
    assert grading.grade(typed, "un quart").correct
    assert not grading.grade(typed, "ñett").correct
    assert typed.explanation == "1/4 se lit « un quart »."  # not translated: French
    assert gap == french.questions[2]  # not translated at all: the French question
    assert [q.id for q in quiz.questions] == [q.id for q in french.questions]
    shown = localized_course(course, "wo")
    assert [m.title for m in shown.modules] == ["Xam"]
    assert [str(g).split(": ", 1)[1] for g in translation_gaps(course)] == [
        "étape 1 de la leçon 'partager' non traduite en wo",
        "question 3 de la leçon 'partager' non traduite en wo",
    ]


def test_a_changed_question_is_to_redo_and_the_skeleton_offers_it_with_its_source(
    tmp_path: Path,
) -> None:
    stale = WOLOF.replace("## question 2 · source: {m2}", "## question 2 · source: 00000000")
    course = loaded(tmp_path, stale)
    notes = [str(g).split(": ", 1)[1] for g in translation_gaps(course)]
    quiz = course.lessons[0].quiz
    assert quiz is not None
    mark_2 = question_mark(quiz.questions[1])
    assert (
        "question 2 de la leçon 'partager' : traduction en wo à revoir, la question a changé"
        f" depuis (source: {mark_2})"
    ) in notes
    skeleton = translation_skeleton(course, "wo")
    assert f"## question 2 · source: {mark_2}\n<!--\nComment lit-on 1/4 ?\n= un quart\n" in skeleton
    assert (
        f"## question 3 · source: {question_mark(quiz.questions[2])}\n<!--\n"
        "Une part sur quatre est ___ de la galette.\n- la moitié\n- un quart\n-->"
    ) in skeleton
    assert "# Module" not in skeleton  # its title is translated


def test_a_missing_word_keeps_its_gap_and_options_match_the_main_file(tmp_path: Path) -> None:
    wrong = (
        WOLOF
        + """
## question 3 · source: 00000000
Benn pàcc ci ñeent mooy genn-wàll.
- genn-wàll

## question 9
Dara.

# Module : Dara {#nope}
"""
    )
    folder = tmp_path / "parts"
    library(tmp_path, wrong, load=False)
    assert [str(p).split(":", 1)[1] for p in check_path(folder)] == [
        "22:1: 1 options traduites, la question en a 2 (dans le même ordre)",
        "22:1: la question traduite doit garder son trou '___'",
        "25:1: la leçon 'partager' n'a pas de question 9 (son quiz en a 3)",
        "28:1: aucun module 'nope' dans le cours 'parts'",
    ]


def test_a_translated_missing_word_is_cut_at_its_gap(tmp_path: Path) -> None:
    course = loaded(tmp_path, WOLOF)
    quiz = course.lessons[0].quiz
    assert quiz is not None
    extra = f"""
## question 3 · source: {question_mark(quiz.questions[2])}
Benn pàcc ci ñeent mooy ___ ci galett bi.
- genn-wàll
- benn ci ñeent
"""
    (tmp_path / "parts" / "course.wo.md").write_text(
        (tmp_path / "parts" / "course.wo.md").read_text(encoding="utf-8") + extra, encoding="utf-8"
    )
    (course,) = load_library(tmp_path).courses
    localized = localized_lesson(course, course.lessons[0], "wo").quiz
    assert localized is not None
    gap = localized.questions[2]
    assert gap.type is QuestionType.MISSING_WORD
    assert (gap.text, gap.text_after) == ("Benn pàcc ci ñeent mooy", "ci galett bi.")
    assert grading.grade(gap, "b").correct
    assert [c.text for c in gap.choices] == ["genn-wàll", "benn ci ñeent"]


def test_the_skeleton_asks_for_a_module_title_without_giving_the_french_as_one(
    tmp_path: Path,
) -> None:
    course = loaded(tmp_path, WOLOF.replace("# Module : Xam {#comprendre}\n", ""))
    skeleton = translation_skeleton(course, "wo")
    assert skeleton.startswith("<!-- Comprendre -->\n# Module : {#comprendre}\n\n")
    pasted = tmp_path / "parts" / "course.wo.md"
    pasted.write_text(pasted.read_text(encoding="utf-8") + "\n" + skeleton, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    assert localized_course(course, "wo").modules[0].title == "Comprendre"  # not yet written
