"""Text only: no answer, no points."""

from __future__ import annotations

from content.format_write import description_lines
from content.grading import Answer, Grade, grade_description
from content.kinds.base import ContentKind
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """Anything: nothing is asked."""
    del answer
    return grade_description(q)


KIND = ContentKind(QuestionType.DESCRIPTION, grade, grade_description, description_lines, None)
