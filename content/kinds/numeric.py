"""A number, with a tolerance."""

from __future__ import annotations

from content import paper
from content.format_write import number_lines
from content.grading import Answer, Grade, grade_numeric
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The typed number."""
    return grade_numeric(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """No number."""
    return grade_numeric(q, "")


def read_paper(q: Question, token: str) -> Answer:
    """As written, without a tolerance copied from the key ("38 (± 0,5)")."""
    del q
    return paper.TOLERANCE.sub("", token).strip()


KIND = ContentKind(QuestionType.NUMERIC, grade, unanswered, number_lines, OnPaper(read_paper, "…"))
