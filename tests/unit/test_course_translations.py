"""Courses in several languages: `course.wo.md` beside `course.md` is the same course.

The translation carries text only (titles, steps); `content check` says, with file and
line, which steps each translation lacks and which are out of date (their source changed
since: the `source:` fingerprint no longer matches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from content.format import check_path, parse_course
from content.library import DEFAULT_LIBRARY, load_library
from content.model import Question
from content.translated_quiz import question_mark
from content.translations import localized_course, localized_lesson, source_mark, translation_gaps

COURSE = """\
id: calcul
title: Le calcul
subject: mathematiques
levels: CM1
language: fr

# Additionner {#additionner}

Deux mangues et trois mangues font cinq mangues.

---

On écrit : 2 + 3 = 5.

---

L'ordre ne compte pas : 3 + 2 = 5 aussi.

## Quiz

? Combien font 2 + 3 ?
= 5

# Soustraire {#soustraire}

Cinq moins deux font trois.
"""


def course_question() -> Question:
    """The quiz's question of the first lesson, as the main file has it."""
    quiz = parse_course(COURSE, Path("course.md")).lessons[0].quiz
    assert quiz is not None
    return quiz.questions[0]


def translation(first_mark: str, second_mark: str) -> str:
    return f"""\
<!-- ÉCHANTILLON à faire relire par un locuteur natif. -->
language: wo
title: Waññi

# Boole {{#additionner}}

## étape 1 · source: {first_mark}
Ñaari mango ak ñetti mango, juróomi mango la.

## étape 2 · source: {second_mark}
Ñu ngi koy bind : 2 + 3 = 5.
"""


def library_with(tmp_path: Path, wolof: str) -> Path:
    folder = tmp_path / "calcul"
    folder.mkdir()
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (folder / "course.wo.md").write_text(wolof, encoding="utf-8")
    return folder


MARK_1 = source_mark("Deux mangues et trois mangues font cinq mangues.")
MARK_2 = source_mark("On écrit : 2 + 3 = 5.")


def test_missing_steps_are_reported_at_their_line_in_the_main_file(tmp_path: Path) -> None:
    folder = library_with(tmp_path, translation(MARK_1, MARK_2))
    (course,) = load_library(tmp_path).courses
    assert [t.language for t in course.translations] == ["wo"]
    main_file = folder / "course.md"
    assert [str(gap) for gap in translation_gaps(course)] == [
        f"{main_file}:17:1: étape 3 de la leçon 'additionner' non traduite en wo",
        f"{main_file}:21:1: question 1 de la leçon 'additionner' non traduite en wo",
        f"{main_file}:24:1: leçon 'soustraire' non traduite en wo",
    ]


def test_a_step_whose_source_changed_is_out_of_date_at_its_line_in_the_translation(
    tmp_path: Path,
) -> None:
    stale = source_mark("Deux mangues et trois mangues.")  # the French said this before
    folder = library_with(tmp_path, translation(stale, MARK_2))
    (course,) = load_library(tmp_path).courses
    gaps = [str(gap) for gap in translation_gaps(course)]
    assert gaps[0] == (
        f"{folder / 'course.wo.md'}:7:1: étape 1 de la leçon 'additionner' : traduction en wo"
        f" à revoir, le texte source a changé depuis (source: {MARK_1})"
    )
    assert len(gaps) == 4  # and the two missing steps, the missing question


def test_content_check_prints_the_gaps_as_warnings_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = library_with(tmp_path, translation(MARK_1, "00000000"))
    assert main(["content", "check", str(folder / "course.wo.md"), "--lang", "fr"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{folder / 'course.wo.md'}:10:1: avertissement : étape 2 de la leçon 'additionner' :"
        f" traduction en wo à revoir, le texte source a changé depuis (source: {MARK_2})",
        f"{folder / 'course.md'}:17:1: avertissement : étape 3 de la leçon 'additionner'"
        " non traduite en wo",
        f"{folder / 'course.md'}:21:1: avertissement : question 1 de la leçon 'additionner'"
        " non traduite en wo",
        f"{folder / 'course.md'}:24:1: avertissement : leçon 'soustraire' non traduite en wo",
        f"OK : {folder / 'course.md'} est valide",
    ]


def test_a_translation_naming_an_unknown_lesson_or_step_is_an_error(tmp_path: Path) -> None:
    wrong = translation(MARK_1, MARK_2).replace("## étape 2", "## étape 9")
    wrong += "\n# Multiplier {#multiplier}\n"
    folder = library_with(tmp_path, wrong)
    assert [str(problem) for problem in check_path(folder)] == [
        f"{folder / 'course.wo.md'}:10:1: la leçon 'additionner' n'a pas d'étape 9 (elle en a 3)",
        f"{folder / 'course.wo.md'}:13:1: aucune leçon 'multiplier' dans le cours 'calcul'",
    ]


def test_a_learner_reads_the_translated_steps_and_the_main_language_elsewhere(
    tmp_path: Path,
) -> None:
    library_with(tmp_path, translation(MARK_1, MARK_2))
    library = load_library(tmp_path)
    (course,) = library.courses
    lesson = localized_lesson(course, course.lessons[0], "wo")
    assert lesson.title == "Boole"
    assert [step.text for step in lesson.steps] == [
        "Ñaari mango ak ñetti mango, juróomi mango la.",
        "Ñu ngi koy bind : 2 + 3 = 5.",
        "L'ordre ne compte pas : 3 + 2 = 5 aussi.",
    ]
    assert lesson.quiz == course.lessons[0].quiz  # same questions, same ids
    assert localized_lesson(course, course.lessons[0], "ha") == course.lessons[0]
    assert localized_course(course, "wo").title == "Waññi"
    # One course: offered to a Wolof learner as well as to a French one.
    assert library.for_learner("CM1", "wo") == [course]
    assert library.for_learner("CM1", "ha") == []


def test_the_bundled_wolof_sample_is_marked_for_review_and_up_to_date() -> None:
    text = (DEFAULT_LIBRARY / "fractions" / "course.wo.md").read_text(encoding="utf-8")
    assert "ÉCHANTILLON" in text and "locuteur natif" in text.split("-->")[0]
    course = load_library().get("fractions")
    assert course is not None
    assert not [gap for gap in translation_gaps(course) if "à revoir" in str(gap)]
    lesson = localized_lesson(course, course.lessons[0], "wo")
    assert lesson.steps[0].text.startswith("Aminata am na benn galett.")
    assert lesson.steps[3] == course.lessons[0].steps[3]  # not translated: French


def test_the_skeleton_lists_what_to_translate_and_pasted_below_it_counts_as_the_same_lesson(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`content translate COURSE --to wo` prints the missing steps with their fingerprints;
    an empty pasted step stays missing (French for learners) until it is written."""
    folder = library_with(tmp_path, translation(MARK_1, MARK_2))
    assert main(["content", "translate", str(folder), "--to", "wo"]) == 0
    skeleton = capsys.readouterr().out
    mark_3 = source_mark("L'ordre ne compte pas : 3 + 2 = 5 aussi.")
    assert skeleton == (
        "# Boole {#additionner}\n\n"
        f"## étape 3 · source: {mark_3}\n"
        "<!--\nL'ordre ne compte pas : 3 + 2 = 5 aussi.\n-->\n\n"
        f"## question 1 · source: {question_mark(course_question())}\n"
        "<!--\nCombien font 2 + 3 ?\n-->\n\n"
        "# Soustraire {#soustraire}\n\n"
        f"## étape 1 · source: {source_mark('Cinq moins deux font trois.')}\n"
        "<!--\nCinq moins deux font trois.\n-->\n"
    )
    wolof = folder / "course.wo.md"
    wolof.write_text(wolof.read_text(encoding="utf-8") + "\n" + skeleton, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    assert len(translation_gaps(course)) == 3  # pasted, not yet written: still missing
    filled = wolof.read_text(encoding="utf-8").replace(
        "<!--\nL'ordre ne compte pas : 3 + 2 = 5 aussi.\n-->", "Toftal bi du soppi dara."
    )
    wolof.write_text(filled, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    lesson = localized_lesson(course, course.lessons[0], "wo")
    assert lesson.steps[2].text == "Toftal bi du soppi dara."
    assert [str(gap).split(": ", 1)[1] for gap in translation_gaps(course)] == [
        "question 1 de la leçon 'additionner' non traduite en wo",
        "étape 1 de la leçon 'soustraire' non traduite en wo",
    ]
