"""True or false."""

from __future__ import annotations

from content.errors import N_, Message
from content.format_quiz import TRUTHS, Problem, QuestionDraft
from content.format_write import truth_lines
from content.grading import Answer, Grade, grade_true_false, parse_truth, unanswered_typed
from content.kinds.base import Boxes, ContentKind, OnPaper, Printed, Reading, Sheet, choice_or
from content.model import Question, QuestionType
from content.normalize import fold


def grade(q: Question, answer: Answer) -> Grade:
    """True or False, or a word saying it ("vrai", "non"...)."""
    value = parse_truth(answer) if isinstance(answer, str) else answer
    return grade_true_false(q, value) if isinstance(value, bool) else unanswered_typed(q)


def read_paper(q: Question, token: str) -> Answer:
    """V, T or F as printed, or a word."""
    del q
    word = {"v": "vrai", "t": "vrai", "f": "faux"}.get(token.casefold().strip(), token)
    truth = parse_truth(word)
    return word if truth is None else truth


def claims(draft: QuestionDraft) -> bool:
    """`= vrai` or `= faux` (`true`, `false`) only."""
    return all(fold(text) in TRUTHS for text in draft.texts) and bool(draft.texts)


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """One truth."""
    if len(draft.answers) > 1:
        message = N_("une question vrai/faux prend un seul '= vrai' ou '= faux'")
        problems.append((draft.answers[1][1], 1, Message(message)))
    truth = TRUTHS[fold(draft.texts[0])]
    return Question("", QuestionType.TRUE_FALSE, "", truth=truth, line=draft.line)


def space(question: Question, sheet: Sheet) -> tuple[Boxes, ...]:
    """Vrai / Faux, side by side."""
    del question
    return (Boxes((sheet["true"], sheet["false"]), inline=True),)


def key(question: Question, sheet: Sheet) -> str:
    """Vrai or Faux."""
    return sheet["true"] if question.truth else sheet["false"]


KIND = ContentKind(
    QuestionType.TRUE_FALSE,
    grade,
    unanswered_typed,
    truth_lines,
    OnPaper(read_paper, choice_or("{true}"), letters=True),
    reads=Reading(50, claims, build),
    printed=Printed(space, key),
)
