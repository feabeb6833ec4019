"""Graded answers as the class reports keep them: one readable line per answer."""

from __future__ import annotations

from content.grading import Grade
from content.model import Question

from dialogs.kinds import DIALOG_KINDS
from dialogs.ports import RecordAnswer


def answer_text(question: Question, answer: object) -> str:
    """An answer in the grader's shape as readable text, the same from the chat and paper.

    Option ids sorted and joined ("a, c"), "vrai"/"faux", the typed text with its spaces
    tidied, or for matching each left item with the right item picked (dialogs/kinds/).
    """
    return DIALOG_KINDS[question.type].record(question, answer)


def record_answer(
    course_id: str,
    lesson_id: str,
    question: Question,
    answer: object,
    grade: Grade,
    try_number: int = 1,
    skills: tuple[str, ...] = (),
) -> RecordAnswer:
    """The effect that records one graded answer; `skills`: what the question tests."""
    return RecordAnswer(
        course_id,
        lesson_id,
        question.id,
        answer_text(question, answer),
        min(1.0, max(0.0, grade.score)),
        grade.correct,
        try_number,
        skills if question.scored else (),
    )
