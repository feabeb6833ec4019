"""True or false."""

from __future__ import annotations

from content.format_write import truth_lines
from content.grading import Answer, Grade, grade_true_false, parse_truth, unanswered_typed
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """True or False, or a word saying it ("vrai", "non"...)."""
    value = parse_truth(answer) if isinstance(answer, str) else answer
    return grade_true_false(q, value) if isinstance(value, bool) else unanswered_typed(q)


def read_paper(q: Question, token: str) -> Answer:
    """V, T or F as printed, or a word."""
    del q
    word = {"v": "vrai", "t": "vrai", "f": "faux"}.get(token.casefold().strip(), token)
    truth = parse_truth(word)
    return word if truth is None else truth


KIND = ContentKind(
    QuestionType.TRUE_FALSE,
    grade,
    unanswered_typed,
    truth_lines,
    OnPaper(read_paper, "{true}", letters=True),
)
