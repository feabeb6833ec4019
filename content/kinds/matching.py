"""Pairs: each left item goes with one right item."""

from __future__ import annotations

from content import paper
from content.errors import N_, Message
from content.format_quiz import ARROW, CHOICE_IDS, MAX_CHOICE_LENGTH, Problem, QuestionDraft
from content.format_write import pair_lines
from content.grading import Answer, Grade, grade_matching
from content.kinds.base import (
    ContentKind,
    Indented,
    OnPaper,
    Printed,
    Reading,
    Sheet,
    choice_or,
    letter,
)
from content.model import Pair, Question, QuestionType


def grade(q: Question, answer: Answer) -> Grade:
    """The right items in the order of the pairs."""
    return unanswered(q) if isinstance(answer, bool | str) else grade_matching(q, tuple(answer))


def unanswered(q: Question) -> Grade:
    """No pair."""
    return grade_matching(q, ())


def read_paper(q: Question, token: str) -> Answer:
    """The printed letters in the order of the items: "ba", "1 – b, 2 – a"."""
    rights = sorted({p.right for p in q.pairs}, key=str.casefold)
    return tuple(
        rights[ord(c) - 97] if 0 <= ord(c) - 97 < len(rights) else ""
        for c in paper.matching_letters(token.casefold())
    )


def claims(draft: QuestionDraft) -> bool:
    """A `= left -> right` line among the answers."""
    return any(ARROW in text for text in draft.texts)


def build(draft: QuestionDraft, problems: list[Problem]) -> Question:
    """The pairs of `= left -> right` lines (`= -> right`: a distractor)."""
    pairs: list[Pair] = []
    for text, line, column in draft.answers:
        left, arrow, right = text.partition(ARROW)
        if not arrow or not right.strip():
            message = N_("une question d'association ne prend que des lignes '= gauche -> droite'")
            problems.append((line, column, Message(message)))
            continue
        pairs.append(Pair(left.strip(), right.strip()))
    rights = {" ".join(p.right.casefold().split()) for p in pairs}
    if sum(1 for p in pairs if p.left) < 2:
        message = N_("une question d'association demande au moins deux paires")
        problems.append((draft.line, 1, Message(message)))
    if len(rights) > len(CHOICE_IDS):
        message = N_("une question d'association a au plus %(count)s éléments de droite différents")
        problems.append((draft.line, 1, Message(message, {"count": len(CHOICE_IDS)})))
    for right in rights:
        if len(right) > MAX_CHOICE_LENGTH:
            message = N_("un élément de droite a au plus %(count)s caractères")
            problems.append((draft.line, 1, Message(message, {"count": MAX_CHOICE_LENGTH})))
    return Question("", QuestionType.MATCHING, "", pairs=tuple(pairs), line=draft.line)


def sides(question: Question) -> tuple[list[str], list[str]]:
    """The left items, and the right items in alphabetical order (as printed)."""
    lefts = [pair.left for pair in question.pairs if pair.left]
    rights = sorted({pair.right for pair in question.pairs}, key=str.casefold)
    return lefts, rights


def space(question: Question, sheet: Sheet) -> tuple[Indented, ...]:
    """The left items numbered with a blank for a letter, then the right items lettered."""
    del sheet
    lefts, rights = sides(question)
    options = ", ".join(f"{letter(i)}) {right}" for i, right in enumerate(rights))
    return (
        Indented(tuple(f"{index}. {left} : ____" for index, left in enumerate(lefts, 1))),
        Indented((options,), after=1),
    )


def key(question: Question, sheet: Sheet) -> str:
    """The letters of the pairs: "1 – b, 2 – a" (letters as printed in the exercise)."""
    del sheet
    _lefts, rights = sides(question)
    links = [rights.index(p.right) for p in question.pairs if p.left]
    return ", ".join(f"{i} – {letter(r)}" for i, r in enumerate(links, 1))


KIND = ContentKind(
    QuestionType.MATCHING,
    grade,
    unanswered,
    pair_lines,
    OnPaper(read_paper, choice_or("1 – b, 2 – a")),
    reads=Reading(40, claims, build),
    printed=Printed(space, key),
)
