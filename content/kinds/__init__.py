"""The question kinds, one module each, and their table.

A kind's module says how it is read from a course file and written back, graded, answered on
paper and printed in the booklet; content/format_quiz.py, content/grading.py,
content/format_write.py, content/paper.py and bot/booklet/exercises.py look the kind up here
instead of branching. The dialog side is dialogs/kinds/. Adding a kind: its module here, its
name in `QuestionType` (content/model.py) and a line in `KINDS`, the same in dialogs/kinds/.
"""

from __future__ import annotations

from content.kinds import (
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
from content.kinds.base import ContentKind, OnPaper, Printed, Reading, Sheet
from content.model import QuestionType

KINDS: dict[QuestionType, ContentKind] = {
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

if set(KINDS) != set(QuestionType):  # a name without its module, or a module without a name
    unknown = ", ".join(sorted(set(QuestionType) ^ set(KINDS)))
    raise ImportError(f"question types and content/kinds/ differ: {unknown}")

# How the course format's parser tries the kinds: in this order, the first that claims wins.
READINGS: tuple[Reading, ...] = tuple(
    sorted((kind.reads for kind in KINDS.values()), key=lambda reading: reading.priority)
)

__all__ = ["KINDS", "READINGS", "ContentKind", "OnPaper", "Printed", "Reading", "Sheet"]
