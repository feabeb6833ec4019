"""A course's texts one at a time (content/translation_units.py): what teachers translate
in the chat, laid over the course's translation and written back as `course.<lang>.md`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from content import grading
from content.library import load_library
from content.model import Course
from content.translation_units import (
    existing,
    is_current,
    markup_problems,
    render_translation,
    units,
    with_units,
)
from content.translations import localized_course, localized_lesson, parse_translation
from tests.unit.test_course_translation_quiz import COURSE


def course_in(tmp_path: Path) -> Course:
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    (course,) = load_library(tmp_path).courses
    return course


def test_every_text_of_the_course_is_a_unit_in_reading_order(tmp_path: Path) -> None:
    course = course_in(tmp_path)
    assert [(u.key, u.source) for u in units(course)] == [
        ("course", "Les parts"),
        ("module/comprendre", "Comprendre"),
        ("lesson/partager", "Partager"),
        ("lesson/partager/step/1", "On coupe la galette en 4 parts égales."),
        ("lesson/partager/q/1/text", "Combien de parts ?"),
        ("lesson/partager/q/1/option/1", "3"),
        ("lesson/partager/q/1/option/2", "4"),
        ("lesson/partager/q/1/feedback/2", "Oui, quatre parts."),
        ("lesson/partager/q/1/option/3", "5"),
        ("lesson/partager/q/1/hint/1", "Compte les morceaux."),
        ("lesson/partager/q/1/explanation", "On a coupé en 4."),
        ("lesson/partager/q/2/text", "Comment lit-on 1/4 ?"),
        ("lesson/partager/q/2/answers", "un quart"),
        ("lesson/partager/q/2/explanation", "1/4 se lit « un quart »."),
        ("lesson/partager/q/3/text", "Une part sur quatre est ___ de la galette."),
        ("lesson/partager/q/3/option/1", "la moitié"),
        ("lesson/partager/q/3/option/2", "un quart"),
    ]


def test_reviewed_units_reach_the_learner_and_are_written_as_the_translation_file(
    tmp_path: Path,
) -> None:
    course = course_in(tmp_path)
    by_key = {u.key: u for u in units(course)}

    def done(key: str, text: str) -> tuple[str, tuple[str, str]]:
        return key, (text, by_key[key].mark)

    laid = with_units(
        course,
        "wo",
        dict(
            [
                done("module/comprendre", "Xam"),
                done("lesson/partager", "Séddale"),
                done("lesson/partager/step/1", "Dagg nañu galett bi ñeenti pàcc yu yem."),
                done("lesson/partager/q/1/text", "Ñaata pàcc ?"),
                done("lesson/partager/q/1/option/2", "ñeent"),
                done("lesson/partager/q/2/answers", "benn ci ñeent; ñeenteel"),
            ]
        ),
    )
    lesson = localized_lesson(laid, laid.lessons[0], "wo")
    assert lesson.title == "Séddale"
    assert lesson.steps[0].text == "Dagg nañu galett bi ñeenti pàcc yu yem."
    assert lesson.quiz is not None
    first, typed, _ = lesson.quiz.questions
    assert [c.text for c in first.choices] == ["3", "ñeent", "5"]  # the others in French
    assert grading.grade(first, "b").correct
    assert grading.grade(typed, "ñeenteel").correct and grading.grade(typed, "un quart").correct
    assert localized_course(laid, "wo").modules[0].title == "Xam"
    unit = by_key["lesson/partager/q/1/option/2"]
    assert is_current(existing(laid, "wo", unit), unit)
    assert existing(laid, "wo", by_key["lesson/partager/q/1/option/1"]) is None
    written = render_translation(laid, "wo")
    assert written.startswith(
        "language: wo\n\n# Module : Xam {#comprendre}\n\n# Séddale {#partager}"
    )
    assert "## question 1 · source: " in written and "\n-\n- ñeent\n-\n" in written
    again, errors = parse_translation(written, tmp_path / "parts" / "course.wo.md", course)
    assert errors == []
    reread = localized_course(replace(course, translations=(again,)), "wo")
    shown = localized_course(laid, "wo")
    assert (reread.lessons, reread.modules) == (shown.lessons, shown.modules)


def test_a_translation_keeps_the_gap_bold_links_and_arrows(tmp_path: Path) -> None:
    course = course_in(tmp_path)
    gap = next(u for u in units(course) if u.key == "lesson/partager/q/3/text")
    assert markup_problems(gap, "Benn pàcc ci ñeent mooy genn-wàll.") == ["gap"]
    assert markup_problems(gap, "Benn pàcc ci ñeent mooy ___ .") == []


def test_an_out_of_date_text_never_replaces_an_up_to_date_one(tmp_path: Path) -> None:
    """A text reviewed in the chat before the French changed does not hide the file's
    translation made since."""
    course = course_in(tmp_path)
    by_key = {u.key: u for u in units(course)}
    step, option = by_key["lesson/partager/step/1"], by_key["lesson/partager/q/1/option/2"]
    current = with_units(
        course, "wo", {step.key: ("Bu bees", step.mark), option.key: ("ñeent", option.mark)}
    )
    laid = with_units(
        current, "wo", {step.key: ("Bu màgget", "00000000"), option.key: ("ñett", "00000000")}
    )
    assert existing(laid, "wo", step) == ("Bu bees", step.mark)
    assert existing(laid, "wo", option) == ("ñeent", option.mark)
