"""Several right options."""

from __future__ import annotations

import re

from content import paper
from content.format_write import choice_lines
from content.grading import Answer, Grade, grade_multiple
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The ids picked, or "a, c"."""
    if isinstance(answer, bool):
        return unanswered(q)
    ids = re.split(r"[\s,;]+", answer) if isinstance(answer, str) else answer
    return grade_multiple(q, (i for i in ids if i))


def unanswered(q: Question) -> Grade:
    """Nothing picked."""
    return grade_multiple(q, ())


KIND = ContentKind(
    QuestionType.MULTIPLE,
    grade,
    unanswered,
    choice_lines,
    OnPaper(paper.choice_ids, "a c", letters=True),
)
