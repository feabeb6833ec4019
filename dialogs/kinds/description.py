"""Text only: nothing to answer, "Suivant" moves on."""

from __future__ import annotations

from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.events import Incoming
from dialogs.kinds.base import DialogKind, as_stated, menu, record_text
from dialogs.messages import Ask, Option, Out
from dialogs.options import choose


def options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """The button that moves on."""
    del question
    return (Option("next", ctx._("Suivant ▶️")),)


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """The text alone (no header: it is no question), then "Suivant" and the menu."""
    del header
    return Ask(question.text, (*shown, menu(ctx)), ctx.state.prompt)


def read(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """ "Suivant" tapped or typed."""
    del question
    return "" if choose(ctx, event, shown) == "next" else None


KIND = DialogKind(
    QuestionType.DESCRIPTION, options, ask, read, as_stated, record_text, one_turn=False, asks=False
)
