"""What a question kind declares on the content side (see content/kinds/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from content.format_write import stem_line
from content.grading import Answer, Grade
from content.model import Question, QuestionType


@dataclass(frozen=True)
class OnPaper:
    """How a kind is answered on a printed booklet (content/paper.py)."""

    read: Callable[[Question, str], Answer]  # one typed token, in the shape the grader takes
    example: str  # how an answer looks in the made-up line; "{true}": the word for "true"
    letters: bool = False  # answered by one letter: a line of them may come glued ("acv")


@dataclass(frozen=True)
class ContentKind:
    """A question kind as the course format and the graders know it.

    Reading it from a course file stays in content/format_quiz.py (one parser, which tells
    kinds apart by their answer lines) and content/gift_import.py (GIFT).
    """

    type: QuestionType
    grade: Callable[[Question, Answer], Grade]  # any answer shape; a wrong shape earns nothing
    unanswered: Callable[[Question], Grade]  # no answer: nothing earned, the right answer
    write: Callable[[Question], list[str]]  # its answer lines in the course format
    paper: OnPaper | None  # None: not answered on paper (no points in the booklet)
    stem: Callable[[Question], str] = stem_line  # the `? ...` line in the course format
