"""True or false: two buttons, or a word ("vrai", "non"...)."""

from __future__ import annotations

from content import grading
from content.grading import Grade
from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.events import Incoming, TextReceived
from dialogs.kinds.base import DialogKind, ask_choice, read_one, record_text, stem
from dialogs.messages import Option, Out


def options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """Vrai, Faux."""
    del question
    return (Option("true", ctx._("Vrai")), Option("false", ctx._("Faux")))


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """A quiz message of two options."""
    right = ("true",) if question.truth else ("false",)
    return ask_choice(ctx, question, stem(ctx, question, header), shown, correct_ids=right)


def read(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> bool | None:
    """A tap, a word saying it, or a letter."""
    if isinstance(event, TextReceived):
        truth = grading.parse_truth(event.text)
        if truth is not None:
            return truth
    chosen = read_one(ctx, question, event, shown)
    return None if chosen is None else chosen == "true"


def expected(ctx: Context, question: Question, result: Grade) -> str:
    """Vrai or Faux, in the learner's language."""
    del result
    return ctx._("Vrai") if question.truth else ctx._("Faux")


def reread(ctx: Context, question: Question, stored: str) -> str:
    """A recorded "vrai" or "faux" in the reader's language."""
    del question
    truths = {"vrai": ctx._("Vrai"), "faux": ctx._("Faux")}  # as `record_text` writes them
    return truths.get(stored, stored)


KIND = DialogKind(
    QuestionType.TRUE_FALSE,
    options,
    ask,
    read,
    expected,
    record_text,
    reread=reread,
    reviewable=True,
)
