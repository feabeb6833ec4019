"""Pairs: each left item goes with one right item."""

from __future__ import annotations

from content import paper
from content.format_write import pair_lines
from content.grading import Answer, Grade, grade_matching
from content.kinds.base import ContentKind, OnPaper
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The right items in the order of the pairs."""
    return unanswered(q) if isinstance(answer, bool | str) else grade_matching(q, tuple(answer))


def unanswered(q: Question) -> Grade:
    """No pair."""
    return grade_matching(q, ())


def read_paper(q: Question, token: str) -> Answer:
    """The printed letters in the order of the items: "ba", "1 – b, 2 – a"."""
    rights = sorted({p.right for p in q.pairs}, key=str.casefold)
    return tuple(
        rights[ord(c) - 97] if 0 <= ord(c) - 97 < len(rights) else ""
        for c in paper.matching_letters(token.casefold())
    )


KIND = ContentKind(
    QuestionType.MATCHING, grade, unanswered, pair_lines, OnPaper(read_paper, "1 – b, 2 – a")
)
