"""bench/mastery_simulation.py runs on a course read by the bot's parser and decides with the
bot's own placement functions: a small run keeps weak learners from skipping what they do
not know and spares strong ones lessons."""

from __future__ import annotations

from bench.mastery_simulation import PLACEMENT, SKILLS, simulate, simulated_course
from content.placement import lesson_skills, mastered_lessons, remediation_for


def test_the_simulated_course_is_a_real_course_with_placement_and_remediation() -> None:
    course = simulated_course()
    assert course.placement is not None
    assert len(course.placement.questions) == SKILLS * PLACEMENT
    assert [lesson_skills(lesson) for lesson in course.lessons] == [
        (f"S{i}",) for i in range(SKILLS)
    ]
    lesson = course.lessons[2]
    assert lesson.quiz is not None
    question = lesson.quiz.questions[0]
    assert remediation_for(course, lesson, question, "S2") == "Un exemple pas à pas de S2."
    known = {"S0": 0.99, "S1": 0.5}
    assert [le.id for le in mastered_lessons(course, known)] == ["lecon-0"]


def test_placement_spares_strong_learners_lessons_and_lets_weak_ones_skip_little() -> None:
    without = simulate(200, 3, placement=False)
    with_ = simulate(200, 3, placement=True)
    assert with_["strong"].lessons < 0.6 * without["strong"].lessons
    weak = with_["weak"]
    assert weak.skipped_unknown <= 0.05 * weak.unknown_at_start
    assert without["strong"].skipped == 0
