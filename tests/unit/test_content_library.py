"""The bundled library and the Library lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.format import CourseFormatError, check_path
from content.library import DEFAULT_LIBRARY, Library, load_library
from content.model import Course, Lesson, QuestionType, Step, StepKind
from content.normalize import is_valid_id

BUNDLED = load_library(DEFAULT_LIBRARY)


def test_bundled_library_is_clean() -> None:
    assert check_path(DEFAULT_LIBRARY) == []
    assert {course.id for course in BUNDLED.courses} == {
        "paludisme",
        "fractions",
        "participe-passe",
        "proportionnalite",
        "eau-assainissement",
        "afrique-ouest",
        "lecture-cp",
        "arabe-nombres",
        "enseigner-telephone",
    }
    languages = {course.language for course in BUNDLED.courses}
    assert languages == {"fr", "ar"}, "an Arabic course for the Arabic-language schools"


@pytest.mark.parametrize("course", BUNDLED.courses, ids=lambda c: c.id)
def test_each_course_uses_every_question_type(course: Course) -> None:
    questions = [q for lesson in course.lessons if lesson.quiz for q in lesson.quiz.questions]
    # Every course shows the five foundation types; the newer ones appear where they fit.
    foundation = {
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.SHORT,
        QuestionType.NUMERIC,
    }
    assert {q.type for q in questions} >= foundation
    assert any(q.type is QuestionType.SHORT and len(q.accepted) >= 2 for q in questions)
    assert all(q.explanation for q in questions)


@pytest.mark.parametrize("course", BUNDLED.courses, ids=lambda c: c.id)
def test_each_course_has_three_or_four_full_lessons(course: Course) -> None:
    assert course.source is not None and course.source.parent.name == course.id
    assert course.language in ("fr", "ar")
    assert 3 <= len(course.lessons) <= 4
    for lesson in course.lessons:
        assert 3 <= len(lesson.steps) <= 6, lesson.id
        assert lesson.quiz is not None, lesson.id
        assert is_valid_id(lesson.id)
    assert any(s.kind is StepKind.IMAGE for lesson in course.lessons for s in lesson.steps)


@pytest.mark.parametrize("course", BUNDLED.courses, ids=lambda c: c.id)
def test_every_media_file_exists_and_is_small(course: Course) -> None:
    assert course.source is not None
    folder = course.source.parent.resolve()
    media = [s.media for lesson in course.lessons for s in lesson.steps if s.kind != StepKind.TEXT]
    assert media
    for path in media:
        assert path is not None and path.is_file() and path.is_relative_to(folder)
        assert path.stat().st_size < 100_000  # learners pay for every kilobyte


def test_the_newer_question_types_are_used_in_the_library() -> None:
    used = {
        q.type
        for course in BUNDLED.courses
        for lesson in course.lessons
        if lesson.quiz
        for q in lesson.quiz.questions
    }
    assert {QuestionType.MATCHING, QuestionType.MISSING_WORD} <= used


def test_numeric_tolerance_is_used_in_the_library() -> None:
    tolerant = [
        course.id
        for course in BUNDLED.courses
        for lesson in course.lessons
        if lesson.quiz
        for q in lesson.quiz.questions
        if any(answer.tolerance > 0 for answer in q.numeric)
    ]
    assert {"fractions", "paludisme"} <= set(tolerant)


def test_malaria_course_speaks_a_summary() -> None:
    course = BUNDLED.get("paludisme")
    assert course is not None
    kinds = [s.kind for lesson in course.lessons for s in lesson.steps]
    assert StepKind.AUDIO in kinds


def _course(course_id: str, levels: tuple[str, ...], language: str, subject: str) -> Course:
    """Build a one-lesson course."""
    lesson = Lesson("l", "Leçon", (Step(StepKind.TEXT, "Texte"),))
    return Course(course_id, course_id.title(), subject, levels, language, lessons=(lesson,))


LIBRARY = Library(
    [
        _course("algebre", ("4e", "3e"), "fr", "mathematiques"),
        _course("lecture", ("CP",), "fr", "francais"),
        _course("wolof-calcul", ("CP", "CE1"), "wo", "mathematiques"),
        _course("hygiene", ("CE1",), "ar", "sante"),
    ]
)


def test_library_order_and_get() -> None:
    assert [c.id for c in LIBRARY.courses] == ["lecture", "wolof-calcul", "hygiene", "algebre"]
    assert len(LIBRARY) == 4
    found = LIBRARY.get("algebre")
    assert found is not None and found.id == "algebre"
    assert LIBRARY.get("absent") is None


@pytest.mark.parametrize(
    ("level", "language", "ids"),
    [
        (None, None, ["lecture", "wolof-calcul", "hygiene", "algebre"]),
        ("CP", None, ["lecture", "wolof-calcul"]),
        ("cp", "fr", ["lecture"]),
        ("CP", "wo", ["wolof-calcul"]),  # no French fallback: the dialog decides and says so
        ("CE1", "ar_TD", ["hygiene"]),
        ("CE1", "en", []),
        ("3e", "fr-SN", ["algebre"]),
        ("Tle", "fr", []),
    ],
)
def test_for_learner(level: str | None, language: str | None, ids: list[str]) -> None:
    assert [c.id for c in LIBRARY.for_learner(level, language)] == ids


def test_subjects_for() -> None:
    assert LIBRARY.subjects_for("CP", "wo") == ["mathematiques"]
    assert LIBRARY.subjects_for("CP", None) == ["mathematiques", "francais"]
    assert LIBRARY.subjects_for(None, None) == ["mathematiques", "francais", "sante"]
    assert LIBRARY.subjects_for("Tle", "fr") == []


def test_library_refuses_shared_ids() -> None:
    with pytest.raises(ValueError):
        Library([_course("a", ("CP",), "fr", "autre"), _course("a", ("CE1",), "fr", "autre")])


def test_load_library_raises_on_a_bad_course(tmp_path: Path) -> None:
    (tmp_path / "cassé").mkdir()
    (tmp_path / "cassé" / "course.md").write_text("id: casse\n", encoding="utf-8")
    with pytest.raises(CourseFormatError):
        load_library(tmp_path)
    with pytest.raises(CourseFormatError):
        load_library(tmp_path / "absent")


def test_load_library_of_an_empty_folder(tmp_path: Path) -> None:
    assert load_library(tmp_path).courses == ()
