"""A short typed answer."""

from __future__ import annotations

from content.format_quiz import Problem, QuestionDraft
from content.format_write import answer_lines
from content.grading import Answer, Grade, grade_short, unanswered_typed
from content.kinds.base import (
    ContentKind,
    OnPaper,
    Printed,
    Reading,
    choice_or,
    right_typed,
    write_line,
)
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The typed text."""
    return grade_short(q, answer) if isinstance(answer, str) else unanswered_typed(q)


def read_paper(q: Question, token: str) -> Answer:
    """As written."""
    del q
    return token


def claims(draft: QuestionDraft) -> bool:
    """Any `= ` answers no other kind took (the last to be asked)."""
    return bool(draft.answers)


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The accepted answers, weighted when weights or feedback are given."""
    return draft.close_short(problems)


KIND = ContentKind(
    QuestionType.SHORT,
    grade,
    unanswered_typed,
    answer_lines,
    OnPaper(read_paper, choice_or("…")),
    reads=Reading(90, claims, build),
    printed=Printed(write_line, right_typed),
)
