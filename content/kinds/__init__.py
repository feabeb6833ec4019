"""The question kinds, one module each, and their table.

A kind's module says how it is graded, written back to the course format and answered on
paper; content/grading.py, content/format_write.py and content/paper.py look the kind up here
instead of branching. The dialog side is dialogs/kinds/, the booklet side bot/booklet/kinds.py.
Adding a kind: its module here, a line in `KINDS`, and the same in the other two tables.
"""

from __future__ import annotations

from content.kinds import (
    description,
    essay,
    matching,
    missing_word,
    multiple,
    numeric,
    short,
    single,
    true_false,
)
from content.kinds.base import ContentKind, OnPaper
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
    )
}

__all__ = ["KINDS", "ContentKind", "OnPaper"]
