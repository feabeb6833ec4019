"""The question kinds as the chat knows them, one module each, and their table.

A kind's module says which options it offers, how it is asked, how its answer is read (in
the shape content/kinds/ grades), the right answer in words, how it is recorded for the
reports, and whether the spaced review and "plus facile" take it. dialogs/flows/quiz.py,
review.py, answers.py and quiz_help.py look the kind up here instead of branching.
"""

from __future__ import annotations

from dialogs.kinds import (
    description,
    essay,
    matching,
    missing_word,
    multiple,
    numeric,
    ordering,
    short,
    single,
    true_false,
)
from dialogs.kinds.base import MORE, DialogKind, sentence

DIALOG_KINDS = {
    kind.type: kind
    for kind in (
        single.KIND,
        multiple.KIND,
        true_false.KIND,
        short.KIND,
        numeric.KIND,
        matching.KIND,
        missing_word.KIND,
        essay.KIND,
        description.KIND,
        ordering.KIND,
    )
}

__all__ = ["DIALOG_KINDS", "MORE", "DialogKind", "sentence"]
