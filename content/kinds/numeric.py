"""A number, with a tolerance."""

from __future__ import annotations

from dataclasses import replace

from content import paper
from content.errors import Message
from content.format_quiz import Problem, QuestionDraft, join_lines, numeric_answer
from content.format_write import number_lines
from content.grading import Answer, Grade, grade_numeric
from content.kinds.base import ContentKind, OnPaper, Printed, Reading, Sheet, choice_or, write_line
from content.model import NumericAnswer, Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The typed number."""
    return grade_numeric(q, answer) if isinstance(answer, str) else unanswered(q)


def unanswered(q: Question) -> Grade:
    """No number."""
    return grade_numeric(q, "")


def read_paper(q: Question, token: str) -> Answer:
    """As written, without a tolerance copied from the key ("38 (± 0,5)")."""
    del q
    return paper.TOLERANCE.sub("", token).strip()


def claims(draft: QuestionDraft) -> bool:
    """`= ` answers that are all numbers (`12,5`, `12,5 ± 0,1`, `3 .. 4`)."""
    return bool(draft.texts) and all(numeric_answer(text) is not None for text in draft.texts)


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The accepted numbers, reporting malformed ones."""
    accepted: list[NumericAnswer] = []
    for (text, line, column), (weight, feedback) in zip(
        draft.answers, draft.answer_extra, strict=True
    ):
        number = numeric_answer(text)
        if isinstance(number, NumericAnswer):
            points = 100.0 if weight is None else weight
            accepted.append(replace(number, weight=points, feedback=join_lines(feedback)))
        elif isinstance(number, Message):
            problems.append((line, column, number))
    return Question("", QuestionType.NUMERIC, "", numeric=tuple(accepted), line=draft.line)


def key(question: Question, sheet: Sheet) -> str:
    """The numbers accepted, with their tolerance: "1 500", "38 (± 0,5)"."""
    return f" {sheet['or']} ".join(
        f"{sheet.number(n.value)} (± {sheet.number(n.tolerance)})"
        if n.tolerance
        else sheet.number(n.value)
        for n in question.numeric
    )


KIND = ContentKind(
    QuestionType.NUMERIC,
    grade,
    unanswered,
    number_lines,
    OnPaper(read_paper, choice_or("…")),
    reads=Reading(60, claims, build),
    printed=Printed(write_line, key),
)
