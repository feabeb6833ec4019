"""A gap in a sentence: typed, or picked among options when it has some."""

from __future__ import annotations

from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.events import Incoming
from dialogs.kinds import single
from dialogs.kinds.base import (
    DialogKind,
    as_stated,
    ask_typed,
    read_one,
    read_typed,
    record_text,
)
from dialogs.messages import Option, Out


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """Like a single choice when it has options, else an open question."""
    if question.choices:
        return single.ask(ctx, question, header, shown)
    return ask_typed(ctx, question, header, shown)


def read(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """An option's id, or the typed word."""
    if question.choices:
        return read_one(ctx, question, event, shown)
    return read_typed(ctx, question, event, shown)


KIND = DialogKind(
    QuestionType.MISSING_WORD,
    single.options,
    ask,
    read,
    as_stated,
    record_text,
    reviewable=True,
    easier=True,
)
