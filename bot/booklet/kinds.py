"""What the booklet asks of a question besides its kind (content/kinds/ prints the rest).

Descriptions take no number and a missing word is printed with its gap; each kind's answer
space and key line are its own (`ContentKind.printed`, drawn by bot/booklet/exercises.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from content.model import Question

GAP = "________"


def kind(question: Question) -> str:
    """Return the question's type as text: single, matching, essay..."""
    return str(question.type.value)


def numbered(questions: Iterable[Question]) -> Iterator[tuple[int | None, Question]]:
    """Number the questions to answer; descriptions (text only) get no number."""
    count = 0
    for question in questions:
        if kind(question) == "description":
            yield None, question
        else:
            count += 1
            yield count, question


def printed_text(question: Question) -> str:
    """Return the question's text, with a gap to fill for a missing word question."""
    if kind(question) == "missing_word":
        after: str = getattr(question, "text_after", "")
        return f"{question.text} {GAP} {after}".strip()
    return question.text
