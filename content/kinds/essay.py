"""A free answer kept for a teacher: no points now, "to grade"; not answered on paper."""

from __future__ import annotations

from content.format_write import essay_lines
from content.grading import Answer, Grade, grade_essay
from content.kinds.base import ContentKind
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The text written."""
    return grade_essay(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """Nothing written."""
    return grade_essay(q, "")


KIND = ContentKind(QuestionType.ESSAY, grade, unanswered, essay_lines, None)
