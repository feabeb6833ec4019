"""Question kinds beyond the first five (matching, missing word, essay, description).

They are read by name (`question.type.value`, `getattr`) so that the booklet prints courses
of the model with or without them: a kind it does not know gets a line to write on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from content.model import Question

GAP = "________"
ESSAY_LINES = 4


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


def sides(question: Question) -> tuple[list[str], list[str]]:
    """Return a matching question's left items, and its right items in alphabetical order."""
    pairs: tuple[Any, ...] = getattr(question, "pairs", ())
    lefts = [str(pair.left) for pair in pairs if pair.left]
    rights = sorted({str(pair.right) for pair in pairs}, key=str.casefold)
    return lefts, rights


def matching_key(question: Question) -> str:
    """Return the right pairs as "1 – b, 2 – a" (letters as printed in the exercise)."""
    _lefts, rights = sides(question)
    pairs: tuple[Any, ...] = getattr(question, "pairs", ())
    links = [(p.left, rights.index(str(p.right))) for p in pairs if p.left]
    return ", ".join(f"{i} – {letter(r)}" for i, (_left, r) in enumerate(links, 1))


def letter(index: int) -> str:
    """Return the option letter of a 0-based index: a, b, c..."""
    return chr(ord("a") + index)


def typed_answers(question: Question) -> list[str]:
    """Return the typed answers worth full points (the weighted ones, or the accepted ones)."""
    weighted: tuple[Any, ...] = getattr(question, "answers", ())
    full = [str(answer.text) for answer in weighted if float(answer.weight) >= 100]
    return full or list(question.accepted)
