"""Items to put in order: tapped one per turn (the last one goes by itself), or typed in one
message as the letters shown ("c a b", "c,a,b", "cab"), their numbers ("3 1 2") or labels."""

from __future__ import annotations

import re

from content.kinds.ordering import shown_order
from content.model import Question, QuestionType

from dialogs.context import Context
from dialogs.events import Incoming, OptionChosen, OptionsChosen, TextReceived
from dialogs.kinds.base import MAX_ANSWER, MORE, DialogKind, as_stated, items, menu, stem
from dialogs.kinds.picks import picks_of
from dialogs.messages import Option, Out, QuizQuestion
from dialogs.options import numeric_labels, shows_marks, typed_choice

# Between the items of an order typed in one message: the strongest that splits it.
_SEPARATORS = (r"\s*(?:[;\n]|->|→)\s*", r"\s*,\s*", r"\s+")


def options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """The items, scrambled the same way as in the booklet (never in the right order)."""
    del ctx
    return tuple(Option(c.id, c.text) for c in shown_order(question))


def _picks(ctx: Context, question: Question) -> list[str]:
    """The items placed so far for this question (the keys matching's pairs use)."""
    return [str(pick) for pick in picks_of(ctx, question).picks]


def _letter(index: int) -> str:
    """The mark of the item shown at `index`: a, b, c..."""
    return chr(ord("a") + index)


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """The items lettered, what is placed so far, and which place comes next."""
    picks = _picks(ctx, question)
    labels = {option.id: option.label for option in shown}
    lines = [
        ctx._(
            "Rangez dans l'ordre (%(n)s sur %(total)s) : quel élément vient ensuite ?",
            n=len(picks) + 1,
            total=len(shown),
        )
        if picks
        else ctx._(
            "Rangez dans l'ordre (%(n)s sur %(total)s) : quel élément vient en premier ?",
            n=1,
            total=len(shown),
        )
    ]
    if picks:
        done = " → ".join(labels.get(pick, pick) for pick in picks)
        lines.insert(0, ctx._("Déjà rangés : %(items)s", items=done))
    else:
        example = " ".join(_letter(i) for i in range(len(shown)))
        lines.append(
            ctx._(
                "Ou écrivez toutes les lettres dans l'ordre, par exemple : %(example)s",
                example=example,
            )
        )
    message = QuizQuestion(
        stem(ctx, question, header) + "\n\n" + "\n".join(lines),
        shown,
        ctx.state.prompt,
        extra=(menu(ctx),),
        submit=ctx._("Valider ✔️"),
        hint=ctx._("Répondez en écrivant les lettres dans l'ordre, par exemple : a c b"),
    )
    if shows_marks(ctx.caps, message):
        return message  # the channel lists the items after their letters itself
    listed = "\n".join(f"{_letter(i)}) {o.label}" for i, o in enumerate(shown))
    left = tuple(option for option in shown if option.id not in picks)  # buttons: not placed
    return QuizQuestion(
        f"{stem(ctx, question, header)}\n\n{listed}\n\n" + "\n".join(lines),
        left,
        ctx.state.prompt,
        extra=message.extra,
        submit=message.submit,
        hint=message.hint,
    )


def _item(token: str, shown: tuple[Option, ...]) -> str | None:
    """The item a typed token names: its letter, its place ("3", unless the items are
    numbers: then their value), or its label."""
    word = token.casefold().strip().rstrip(").")
    if len(word) == 1 and "a" <= word < _letter(len(shown)):
        return shown[ord(word) - ord("a")].id
    if word.isdigit() and not numeric_labels(shown) and 1 <= int(word) <= len(shown):
        return shown[int(word) - 1].id
    return typed_choice(token, shown, letters=True)


def _typed(text: str, shown: tuple[Option, ...], wanted: int) -> list[str] | None:
    """`wanted` items typed in one message, each once, or None."""
    glued = text.casefold().strip()
    letters = {_letter(i) for i in range(len(shown))}
    if glued.isalpha() and len(glued) == wanted > 1 and set(glued) <= letters:
        text = " ".join(glued)  # "cab": glued letters, as on paper
    for separators in _SEPARATORS:
        tokens = [token for token in re.split(separators, text.strip()) if token]
        if len(tokens) != wanted:
            continue
        ids = [_item(token, shown) for token in tokens]
        if all(ids) and len(set(ids)) == wanted:
            return [i for i in ids if i]
    return None


def read(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """The next item (MORE until the order is whole), or the whole order typed at once."""
    picks = _picks(ctx, question)
    total = len(shown)
    chosen: list[str] | None = None
    if isinstance(event, OptionsChosen) and len(event.option_ids) == 1:
        chosen = [event.option_ids[0]]
    elif isinstance(event, OptionChosen):
        chosen = [event.option_id]
    elif isinstance(event, TextReceived):
        whole = _typed(event.text, shown, total) if total > 1 else None
        if whole is not None:
            picks = []  # the whole order, typed again from the start
            chosen = whole
        else:
            chosen = _typed(event.text, shown, total - len(picks)) or (
                [one] if (one := _item(event.text, shown)) else None
            )
    known = {option.id for option in shown}
    if not chosen or any(i not in known or i in picks for i in chosen):
        return None
    picks += chosen
    left = [option.id for option in shown if option.id not in picks]
    if len(left) == 1:
        picks += left  # the last item has one place left
    if len(picks) < total:
        picks_of(ctx, question).picks = picks
        return MORE
    picks_of(ctx, question).picks = []  # a retry starts the order again
    return tuple(picks)


def record(question: Question, answer: object) -> str:
    """The items in the order given: "1/4 → 1/2 → 3/4"."""
    texts = {choice.id: choice.text for choice in question.choices}
    return " → ".join(texts.get(str(i), str(i)) for i in items(answer))[:MAX_ANSWER]


KIND = DialogKind(QuestionType.ORDERING, options, ask, read, as_stated, record, one_turn=False)
