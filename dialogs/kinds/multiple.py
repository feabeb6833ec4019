"""Several right options: ticked together, or typed as labels or letters ("a c")."""

from __future__ import annotations

import re

from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.events import Incoming, OptionChosen, OptionsChosen, TextReceived
from dialogs.kinds import single
from dialogs.kinds.base import DialogKind, as_stated, ask_choice, record_text, stem
from dialogs.messages import Option, Out
from dialogs.options import choose, marks, marks_shown, typed_choice


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """A quiz message where several options may be ticked."""
    text = stem(ctx, question, header) + "\n\n" + ctx._("(Plusieurs réponses possibles.)")
    return ask_choice(
        ctx, question, text, shown, multiple=True, correct_ids=single.correct_ids(question)
    )


def read(
    ctx: Context, question: Question, event: Incoming, options: tuple[Option, ...]
) -> tuple[str, ...] | None:
    """Several options typed as their labels ("3 et 9", "3; 16"), as their letters where they
    were shown lettered ("a c", "a, c", "ac"), or one tapped; a typed number is a label's
    value, never a position."""
    del question
    if isinstance(event, OptionsChosen):
        ids = tuple(i for i in event.option_ids if any(o.id == i for o in options))
        return ids or None
    if isinstance(event, OptionChosen):
        return (event.option_id,) if any(o.id == event.option_id for o in options) else None
    if not isinstance(event, TextReceived):
        return None
    whole = choose(ctx, event, options, letters=True)
    if whole is not None:
        return (whole,)
    text = event.text.casefold().strip()
    shown = marks_shown(ctx)
    letters = marks(options, letters=True) if shown else ()
    if text.isalpha() and len(text) > 1 and all(c in letters for c in text):
        text = " ".join(text)  # "ac": glued letters, as on paper
    # The strongest separator that splits the text into options: "trois quarts; un demi",
    # "3/4, 1/2", "a c"; a "/" or "," inside a label ("3/4", "0,5") is no separator.
    labels = " ".join(o.label for o in options)
    # Arabic too: "؛", "،" and "و" (and) standing alone or before a number ("2/4 و3/6").
    for separators in (r"[;؛\n]", r",|،|\bet\b|\band\b|\sو(?=\s|\d)|/", r"\s+"):
        if separators != r"\s+" and not re.search(separators, text):
            continue
        if "," in labels:
            separators = separators.replace(",|", "")
        if "/" in labels:
            separators = separators.replace("|/", "")
        tokens = [token.strip() for token in re.split(separators, text) if token.strip()]
        picked = [typed_choice(token, options, letters=True, shown=shown) for token in tokens]
        if tokens and all(picked):
            return tuple(dict.fromkeys(p for p in picked if p))
    return None


KIND = DialogKind(
    QuestionType.MULTIPLE,
    single.options,
    ask,
    read,
    as_stated,
    record_text,
    reviewable=True,
    easier=True,
)
