"""Several right options."""

from __future__ import annotations

import re

from content import paper
from content.format_quiz import Problem, QuestionDraft
from content.format_write import choice_lines
from content.grading import Answer, Grade, grade_multiple
from content.kinds.base import (
    ContentKind,
    OnPaper,
    Printed,
    Reading,
    choice_or,
    option_boxes,
    right_options,
)
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


def claims(draft: QuestionDraft) -> bool:
    """Options with several marked right (`* `)."""
    return bool(draft.choices) and draft.right > 1


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The options, with their ids, weights and feedback."""
    return draft.close_choices(problems)


KIND = ContentKind(
    QuestionType.MULTIPLE,
    grade,
    unanswered,
    choice_lines,
    OnPaper(paper.choice_ids, choice_or("a c"), letters=True),
    reads=Reading(31, claims, build),
    printed=Printed(option_boxes, right_options, several=True),
)
