"""A free answer kept for a teacher: no points now, "to grade"; not answered on paper."""

from __future__ import annotations

from content.errors import N_, Message
from content.format_quiz import Problem, QuestionDraft
from content.format_write import essay_lines
from content.grading import Answer, Grade, grade_essay
from content.kinds.base import ContentKind, Printed, Reading, Sheet, WriteOn
from content.model import Question, QuestionType

LINES = 4  # lines to write on in the booklet


def grade(q: Question, answer: Answer) -> Grade:
    """The text written."""
    return grade_essay(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """Nothing written."""
    return grade_essay(q, "")


def claims(draft: QuestionDraft) -> bool:
    """`essay: yes`."""
    return draft.kind is QuestionType.ESSAY


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """An essay takes neither options nor answers."""
    if draft.choices or draft.answers:
        line = draft.choices[0][2] if draft.choices else draft.answers[0][1]
        message = N_("une question ouverte (essay) ne prend ni options ni réponses")
        problems.append((line, 1, Message(message)))
    return Question("", QuestionType.ESSAY, "", line=draft.line)


def space(question: Question, sheet: Sheet) -> tuple[WriteOn, ...]:
    """Lines to write on."""
    del question, sheet
    return (WriteOn(LINES),)


def key(question: Question, sheet: Sheet) -> str:
    """A free answer."""
    del question
    return sheet["free"]


KIND = ContentKind(
    QuestionType.ESSAY,
    grade,
    unanswered,
    essay_lines,
    None,
    reads=Reading(0, claims, build),
    printed=Printed(space, key, lines=LINES),
    scored=False,
)
