"""A short typed answer."""

from __future__ import annotations

from content.format_write import answer_lines
from content.grading import Answer, Grade, grade_short, unanswered_typed
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The typed text."""
    return grade_short(q, answer) if isinstance(answer, str) else unanswered_typed(q)


def read_paper(q: Question, token: str) -> Answer:
    """As written."""
    del q
    return token


KIND = ContentKind(
    QuestionType.SHORT, grade, unanswered_typed, answer_lines, OnPaper(read_paper, "…")
)
