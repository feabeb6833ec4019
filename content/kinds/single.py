"""One right option among several."""

from __future__ import annotations

from content import paper
from content.format_quiz import Problem, QuestionDraft
from content.format_write import choice_lines
from content.grading import Answer, Grade, grade_single
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
    """The id of the option picked."""
    return grade_single(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """Nothing picked."""
    return grade_single(q, "")


def read_paper(q: Question, token: str) -> Answer:
    """A printed letter, "b) 5", or the option's text."""
    ids = paper.choice_ids(q, token)
    return ids[0] if len(ids) == 1 else token.casefold()


def claims(draft: QuestionDraft) -> bool:
    """Options (`* `, `- `) with at most one right (none is reported when it is built)."""
    return bool(draft.choices) and draft.right <= 1


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The options, with their ids, weights and feedback."""
    return draft.close_choices(problems)


KIND = ContentKind(
    QuestionType.SINGLE,
    grade,
    unanswered,
    choice_lines,
    OnPaper(read_paper, choice_or("b"), letters=True),
    reads=Reading(30, claims, build),
    printed=Printed(option_boxes, right_options),
)
