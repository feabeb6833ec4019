"""Graded answers as the class reports keep them: one readable line per answer."""

from __future__ import annotations

from collections.abc import Iterable

from content.grading import Grade
from content.model import Question, QuestionType

from dialogs.ports import RecordAnswer

MAX_ANSWER = 500  # characters of an answer kept for the reports


def answer_text(question: Question, answer: object) -> str:
    """An answer in the grader's shape as readable text, the same from the chat and paper.

    Option ids sorted and joined ("a, c"), "vrai"/"faux", the typed text with its spaces
    tidied, or for matching each left item with the right item picked.
    """
    if isinstance(answer, bool):
        text = "vrai" if answer else "faux"
    elif isinstance(answer, str):
        text = " ".join(answer.split())
    elif question.type is QuestionType.MATCHING:
        text = _pairs(question, [str(right) for right in _items(answer)])
    else:
        text = ", ".join(sorted({str(item) for item in _items(answer)}))
    return text[:MAX_ANSWER]


def _items(answer: object) -> list[object]:
    """The items of a several-part answer (ids, right items)."""
    return list(answer) if isinstance(answer, Iterable) else [answer]


def _pairs(question: Question, rights: list[str]) -> str:
    """Each left item with the right item picked for it: "Dakar → Sénégal; Bamako → Mali"."""
    lefts = [pair.left for pair in question.pairs if pair.left]
    picked = rights + [""] * (len(lefts) - len(rights))
    return "; ".join(f"{left} → {right or '?'}" for left, right in zip(lefts, picked, strict=False))


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
