"""Items to put in order: `= 1. first`, `= 2. second`... written in the right order.

The items are kept as the question's options (`choices`, ids a, b, c... in the right order),
so that translations, ids and fingerprints work as for a choice question. They are never
shown in that order: `shown_order` scrambles them the same way for everyone (the chat, the
booklet and its key), from their texts. Graded all or nothing: right only when every item
is in its place (no partial credit).
"""

from __future__ import annotations

import re
import zlib

from content.errors import N_, Message
from content.format_quiz import CHOICE_IDS, Problem, QuestionDraft, choice_problems
from content.format_write import one_line
from content.grading import Answer, Grade
from content.kinds.base import (
    ContentKind,
    Indented,
    OnPaper,
    Part,
    Printed,
    Reading,
    Sheet,
    WriteOn,
    letter,
)
from content.model import Choice, Question, QuestionType

ITEM = re.compile(r"(?P<rank>\d{1,2})[.)][ \t]+(?P<text>\S.*)")  # `= 2. Midi`
SEPARATORS = re.compile(r"[\s,;/.)\-–—>→]+")  # between the letters or numbers of an order


def right_ids(q: Question) -> tuple[str, ...]:
    """The item ids in the right order."""
    return tuple(c.id for c in q.choices)


def grade(q: Question, answer: Answer) -> Grade:
    """The item ids in the order given ("c a b" as text, or a sequence); all or nothing."""
    if isinstance(answer, bool):
        return unanswered(q)
    given = tuple(i for i in SEPARATORS.split(answer) if i) if isinstance(answer, str) else answer
    right = tuple(given) == right_ids(q) and bool(q.choices)
    expected = " → ".join(c.text for c in q.choices)
    return Grade(1.0 if right else 0.0, right, expected)


def unanswered(q: Question) -> Grade:
    """No order."""
    return grade(q, ())


def shown_order(q: Question) -> tuple[Choice, ...]:
    """The items as they are shown and printed: scrambled from their texts, the same for
    everyone, never in the right order."""
    items = list(q.choices)
    order = sorted(items, key=lambda c: (zlib.crc32(f"{q.text}\n{c.text}".encode()), c.id))
    if order == items and len(items) > 1:
        order = items[1:] + items[:1]
    return tuple(order)


def order_of(q: Question, text: str) -> tuple[str, ...] | None:
    """Letters ("c a b", "cab", "c, a, b") or numbers ("3 1 2") naming the items as shown,
    as item ids; None when the text is no such order (or names an item twice)."""
    shown = shown_order(q)
    tokens = [t for t in SEPARATORS.split(text.casefold().strip()) if t]
    if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) == len(shown):
        tokens = list(tokens[0])  # glued letters, as on paper
    if not tokens or len(tokens) > len(shown):
        return None
    if all(len(t) == 1 and "a" <= t < letter(len(shown)) for t in tokens):
        places = [ord(t) - ord("a") for t in tokens]
    elif all(t.isdigit() and 1 <= int(t) <= len(shown) for t in tokens):
        places = [int(t) - 1 for t in tokens]
    else:
        return None
    if len(set(places)) != len(places):
        return None
    return tuple(shown[place].id for place in places)


def read_paper(q: Question, token: str) -> Answer:
    """The printed letters in order ("c a b"); what names no order is graded wrong."""
    return order_of(q, token) or ("",)


def example(q: Question) -> str:
    """The letters as printed ("a b c"): never the right order, so no answer given away."""
    return " ".join(letter(i) for i in range(len(q.choices)))


def claims(draft: QuestionDraft) -> bool:
    """`= ` answers that are all numbered (`= 1. Aube`)."""
    return bool(draft.texts) and all(ITEM.fullmatch(text) for text in draft.texts)


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The items in the right order, numbered 1, 2, 3... as written."""
    items: list[tuple[bool, str, int, int]] = []
    for rank, (text, line, column) in enumerate(draft.answers, 1):
        item = ITEM.fullmatch(text)
        assert item is not None  # `claims` said so
        if int(item["rank"]) != rank:
            message = N_("les éléments à ranger se numérotent dans l'ordre : 1., 2., 3.…")
            problems.append((line, column, Message(message)))
        items.append((True, item["text"].strip(), line, column))
    if len(items) < 2:
        message = N_("une question à ranger demande au moins deux éléments")
        problems.append((draft.line, 1, Message(message)))
    if len(items) > len(CHOICE_IDS):
        message = N_("une question à ranger a au plus %(count)s éléments")
        problems.append(
            (items[len(CHOICE_IDS)][2], 1, Message(message, {"count": len(CHOICE_IDS)}))
        )
    problems.extend(choice_problems(items))
    choices = tuple(
        Choice(CHOICE_IDS[i % len(CHOICE_IDS)], text, True) for i, (_, text, *_) in enumerate(items)
    )
    return Question("", QuestionType.ORDERING, "", choices=choices, line=draft.line)


def write(q: Question) -> list[str]:
    """`= 1. first`, `= 2. second`..."""
    return [f"= {rank}. {one_line(c.text)}" for rank, c in enumerate(q.choices, 1)]


def space(q: Question, sheet: Sheet) -> tuple[Part, ...]:
    """The items lettered as shown, then a line for the letters in order."""
    del sheet
    items = tuple(f"{letter(i)}) {c.text}" for i, c in enumerate(shown_order(q)))
    return (Indented(items), WriteOn())


def key(q: Question, sheet: Sheet) -> str:
    """The printed letters in the right order: "c a b"."""
    del sheet
    place = {c.id: i for i, c in enumerate(shown_order(q))}
    return " ".join(letter(place[c.id]) for c in q.choices)


KIND = ContentKind(
    QuestionType.ORDERING,
    grade,
    unanswered,
    write,
    OnPaper(read_paper, example),
    reads=Reading(45, claims, build),
    printed=Printed(space, key),
)
