"""A gap inside the sentence, filled by typing or by picking an option."""

from __future__ import annotations

from dataclasses import replace

from content.errors import N_, Message
from content.format_quiz import Problem, QuestionDraft
from content.format_write import gap_stem_line, missing_lines
from content.grading import Answer, Grade, grade_missing_word
from content.kinds import single
from content.kinds.base import (
    ContentKind,
    OnPaper,
    Part,
    Printed,
    Reading,
    Sheet,
    choice_or,
    option_boxes,
    right_options,
    right_typed,
    write_line,
)
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """An option's id, or the typed word."""
    return grade_missing_word(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """No word."""
    return grade_missing_word(q, "")


def read_paper(q: Question, token: str) -> Answer:
    """Like a single choice when it has options, else as written."""
    return single.read_paper(q, token) if q.choices else token


def claims(draft: QuestionDraft) -> bool:
    """A `___` in the text (options or answers: never both, the parser said so)."""
    return draft.gaps == 1


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """Options for the gap (one right), or typed answers."""
    if draft.choices:
        question = draft.close_choices(problems)
        if question.type is QuestionType.MULTIPLE:
            message = N_("le trou '___' prend une seule bonne option ('* ')")
            problems.append((draft.line, 1, Message(message)))
        return replace(question, type=QuestionType.MISSING_WORD)
    question = draft.close_short(problems)
    return replace(question, type=QuestionType.MISSING_WORD)


def space(question: Question, sheet: Sheet) -> tuple[Part, ...]:
    """Options to tick for the gap, or a line to write the word on."""
    return (option_boxes if question.choices else write_line)(question, sheet)


def key(question: Question, sheet: Sheet) -> str:
    """The right option, or the typed words."""
    return (right_options if question.choices else right_typed)(question, sheet)


KIND = ContentKind(
    QuestionType.MISSING_WORD,
    grade,
    unanswered,
    missing_lines,
    OnPaper(read_paper, choice_or("…")),
    reads=Reading(20, claims, build),
    printed=Printed(space, key),
    stem=gap_stem_line,
)
