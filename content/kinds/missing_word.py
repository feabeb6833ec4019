"""A gap inside the sentence, filled by typing or by picking an option."""

from __future__ import annotations

from content.format_write import gap_stem_line, missing_lines
from content.grading import Answer, Grade, grade_missing_word
from content.kinds import single
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """An option's id, or the typed word."""
    return grade_missing_word(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """No word."""
    return grade_missing_word(q, "")


def read_paper(q: Question, token: str) -> Answer:
    """Like a single choice when it has options, else as written."""
    return single.read_paper(q, token) if q.choices else token


KIND = ContentKind(
    QuestionType.MISSING_WORD,
    grade,
    unanswered,
    missing_lines,
    OnPaper(read_paper, "…"),
    stem=gap_stem_line,
)
