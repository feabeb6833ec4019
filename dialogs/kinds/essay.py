"""A free answer kept for the teacher (the quiz sends it on: `Grade.to_grade`)."""

from __future__ import annotations

from content.model import QuestionType

from dialogs.kinds.base import DialogKind, as_stated, ask_typed, no_options, read_typed, record_text

KIND = DialogKind(QuestionType.ESSAY, no_options, ask_typed, read_typed, as_stated, record_text)
