"""Pairs, asked one left item at a time; the set is graded after the last one."""

from __future__ import annotations

from content.model import Question, QuestionType
from content.normalize import fold

from dialogs.context import Context
from dialogs.events import Incoming, OptionsChosen
from dialogs.kinds.base import (
    MAX_ANSWER,
    MORE,
    DialogKind,
    as_stated,
    ask_choice,
    items,
    record_text,
    stem,
)
from dialogs.kinds.picks import picks_of
from dialogs.messages import Option, Out
from dialogs.options import choose


def options(ctx: Context, question: Question) -> tuple[Option, ...]:
    """The right-hand items, once each, in alphabetical order."""
    del ctx
    rights: dict[str, str] = {}
    for pair in question.pairs:
        rights.setdefault(" ".join(pair.right.casefold().split()), pair.right)
    ordered = sorted(rights.values(), key=lambda right: (fold(right), right))
    return tuple(Option(chr(ord("a") + i), right) for i, right in enumerate(ordered))


def _picks(ctx: Context, question: Question) -> list[str]:
    """The right items picked so far for the pairs of this question."""
    return [str(pick) for pick in picks_of(ctx, question).picks]


def ask(ctx: Context, question: Question, header: str, shown: tuple[Option, ...]) -> Out:
    """The next pair: its left item, the right items as options."""
    pairs = [pair for pair in question.pairs if pair.left]
    done = len(_picks(ctx, question))
    pair = pairs[min(done, len(pairs) - 1)]
    line = ctx._(
        "Associez (%(n)s sur %(total)s) : %(item)s → ?",
        n=done + 1,
        total=len(pairs),
        item=pair.left,
    )
    text = f"{stem(ctx, question, header)}\n\n{line}"
    # The set is graded at the end: a native quiz poll must not tell (no correct ids).
    return ask_choice(ctx, question, text, shown)


def read(
    ctx: Context, question: Question, event: Incoming, shown: tuple[Option, ...]
) -> object | None:
    """The right item for the current pair (MORE until the last), then all of them."""
    picks = _picks(ctx, question)
    if isinstance(event, OptionsChosen) and len(event.option_ids) == 1:
        chosen: str | None = event.option_ids[0]
    else:
        chosen = choose(ctx, event, shown, letters=True)
    label = next((o.label for o in shown if o.id == chosen), None)  # as shown: "b" is 2nd
    if label is None:
        return None
    picks.append(label)
    if len(picks) < sum(1 for pair in question.pairs if pair.left):
        picks_of(ctx, question).picks = picks
        return MORE
    picks_of(ctx, question).picks = []  # a retry starts the pairs again
    return tuple(picks)


def record(question: Question, answer: object) -> str:
    """Each left item with the right item picked: "Dakar → Sénégal; Bamako → Mali"."""
    if isinstance(answer, bool | str):
        return record_text(question, answer)
    lefts = [pair.left for pair in question.pairs if pair.left]
    rights = [str(right) for right in items(answer)]
    picked = rights + [""] * (len(lefts) - len(rights))
    pairs = zip(lefts, picked, strict=False)
    return "; ".join(f"{left} → {right or '?'}" for left, right in pairs)[:MAX_ANSWER]


KIND = DialogKind(QuestionType.MATCHING, options, ask, read, as_stated, record, one_turn=False)
