"""One right option among several: a quiz message, one tap or a letter."""

from __future__ import annotations

from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.kinds.base import (
    DialogKind,
    as_stated,
    ask_choice,
    read_one,
    record_text,
    stem,
)
from dialogs.messages import Option, Out


def options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """Its options, as written."""
    del ctx
    return tuple(Option(c.id, c.text) for c in question.choices)


def correct_ids(question: Question) -> tuple[str, ...]:
    """The right option ids, for channels that render native quizzes."""
    return tuple(c.id for c in question.choices if c.correct)


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """A quiz message."""
    text = stem(ctx, question, header)
    return ask_choice(ctx, question, text, shown, correct_ids=correct_ids(question))


KIND = DialogKind(
    QuestionType.SINGLE,
    options,
    ask,
    read_one,
    as_stated,
    record_text,
    reviewable=True,
    easier=True,
)
