"""Text only: no answer, no points."""

from __future__ import annotations

from content.errors import N_, Message
from content.format_quiz import Problem, QuestionDraft
from content.format_write import description_lines
from content.grading import Answer, Grade, grade_description
from content.kinds.base import ContentKind, Printed, Reading, Sheet, nothing
from content.model import Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """Anything: nothing is asked."""
    del answer
    return grade_description(q)


def claims(draft: QuestionDraft) -> bool:
    """`description: yes`."""
    return draft.kind is QuestionType.DESCRIPTION


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """A description takes neither options nor answers."""
    if draft.choices or draft.answers:
        line = draft.choices[0][2] if draft.choices else draft.answers[0][1]
        message = N_("une description ne prend ni options ni réponses")
        problems.append((line, 1, Message(message)))
    return Question("", QuestionType.DESCRIPTION, "", line=draft.line)


def no_key(question: Question, sheet: Sheet) -> str:
    """A description has no answer (it has no number either)."""
    del question, sheet
    return ""


KIND = ContentKind(
    QuestionType.DESCRIPTION,
    grade,
    grade_description,
    description_lines,
    None,
    reads=Reading(0, claims, build),
    printed=Printed(nothing, no_key),
    scored=False,
)
